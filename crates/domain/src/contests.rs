//! 劳动和技能竞赛: labour and skills contests (domain.md "Contribution platforms").
//!
//! - A contest (key 赛事编号) has a level (市级 / 区级 / 镇级 / 企业级), a year, an
//!   occupation (工种) and, optionally, the band of the ladder it is open to.
//! - Its marking scheme is a list of aspects. A **measurement** aspect is marked against
//!   a maximum (the mark, 0–max, scaled to the weight) or a tolerance (the measured
//!   deviation: within it, the full weight; outside, nothing). A **judgement** aspect is
//!   scored 0–3 by three judges against a written descriptor for each score; its points
//!   are the mean ÷ 3 × weight. Weights add up to 100.
//! - When the judges of an aspect differ by more than one point, it is flagged for
//!   re-scoring.
//! - The ranking is by total points, ties sharing a rank (1, 2, 2, 4); awards follow
//!   the ranks by the plan's prize counts.
use crate::error::text;
use crate::org::labelled_enum;
use crate::skill::SkillLevel;
use crate::tasks::date;
use crate::{FieldError, Rule};

labelled_enum!(
    /// 竞赛级别 (contracts.md, `contests` template).
    ContestLevel {
        City = "city", "市级", "City";
        District = "district", "区级", "District";
        Town = "town", "镇级", "Town";
        Enterprise = "enterprise", "企业级", "Enterprise";
    }
);

labelled_enum!(
    /// Where a contest stands.
    ContestStatus {
        Draft = "draft", "计划草稿", "Plan draft";
        InReview = "in_review", "计划审批中", "Plan in review";
        Open = "open", "报名与评分", "Entries and marking";
        Locked = "locked", "成绩已锁定", "Marks locked";
        Notice = "notice", "结果公示中", "Results on notice";
        Closed = "closed", "已结束", "Closed";
    }
);

labelled_enum!(
    /// 评分方式.
    AspectKind {
        Measurement = "measurement", "测量评分", "Measurement";
        Judgement = "judgement", "评价评分", "Judgement";
    }
);

labelled_enum!(
    /// 奖项 (contracts.md, `contest_results`).
    Award {
        First = "first", "一等奖", "First prize";
        Second = "second", "二等奖", "Second prize";
        Third = "third", "三等奖", "Third prize";
        Merit = "merit", "优秀奖", "Merit award";
    }
);

labelled_enum!(
    /// 授予荣誉 (contracts.md, `contest_results`): written into the designation registry.
    Honour {
        SkillMaster = "skill_master", "技术能手", "Technical expert";
        MayDayMedal = "may_day_medal", "五一劳动奖章", "May Day Labour Medal";
        NoHonour = "none", "无", "None";
    }
);

impl ContestLevel {
    /// The designation level of the honours a contest of this level confers.
    pub fn designation_level(self) -> &'static str {
        self.code()
    }
}

/// Judges per judgement aspect.
pub const JUDGES_PER_ASPECT: usize = 3;

/// The prize counts and honours of a plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prizes {
    pub first: i64,
    pub second: i64,
    pub third: i64,
    pub merit: i64,
    /// The top n are named 技术能手.
    pub honour_top: i64,
    /// The top n are named for the 五一劳动奖章 (within the 技术能手).
    pub medal_top: i64,
    /// The top n are promoted one level (以赛促评).
    pub promote_top: i64,
}

impl Prizes {
    /// The award of a rank.
    pub fn award(&self, rank: i64) -> Option<Award> {
        let mut bound = self.first;
        if rank <= bound {
            return Some(Award::First);
        }
        bound += self.second;
        if rank <= bound {
            return Some(Award::Second);
        }
        bound += self.third;
        if rank <= bound {
            return Some(Award::Third);
        }
        bound += self.merit;
        (rank <= bound).then_some(Award::Merit)
    }

    /// The honour of a rank.
    pub fn honour(&self, rank: i64) -> Option<Honour> {
        if rank <= self.medal_top {
            Some(Honour::MayDayMedal)
        } else if rank <= self.honour_top {
            Some(Honour::SkillMaster)
        } else {
            None
        }
    }
}

/// A contest plan as typed.
#[derive(Debug, Clone, Default)]
pub struct ContestDraft {
    pub code: String,
    pub name: String,
    pub level: String,
    pub year: Option<i64>,
    pub occupation: String,
    pub min_level: String,
    pub max_level: String,
    pub starts_on: String,
    pub ends_on: String,
    pub prizes: Prizes,
}

/// A valid plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContestFields {
    pub code: String,
    pub name: String,
    pub level: ContestLevel,
    pub year: i64,
    pub occupation: String,
    pub min_level: Option<SkillLevel>,
    pub max_level: Option<SkillLevel>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub prizes: Prizes,
}

fn level_of(
    field: &str,
    label: (&str, &str),
    v: &str,
    errs: &mut Vec<FieldError>,
) -> Option<SkillLevel> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let l = SkillLevel::parse(v);
    if l.is_none() {
        errs.push(FieldError::new(
            field,
            Rule::UnknownValue,
            format!("{}“{v}”不是八级工等级", label.0),
            format!("{} '{v}' is not a level of the ladder", label.1),
        ));
    }
    l
}

fn prize_count(field: &str, label: (&str, &str), n: i64, errs: &mut Vec<FieldError>) {
    if !(0..=10_000).contains(&n) {
        errs.push(FieldError::new(
            field,
            Rule::BadFormat,
            format!("{}须在 0–10,000 之间，收到 {n}", label.0),
            format!("{} must be between 0 and 10,000, got {n}", label.1),
        ));
    }
}

/// Checks a contest code: letters, digits, `-` and `_`, up to 40.
pub fn check_code(field: &str, raw: &str, errs: &mut Vec<FieldError>) -> String {
    crate::error::record_code(field, ("赛事编号", "Contest code"), raw, errs)
}

/// Checks a plan: code, name, level, a year in 2000–2100, the occupation, the ladder
/// band (lowest ≤ highest), the dates (end not before start) and the prize counts.
pub fn check_contest(d: &ContestDraft) -> Result<ContestFields, Vec<FieldError>> {
    let mut errs = Vec::new();
    let code = check_code("code", &d.code, &mut errs);
    let name = text("name", ("赛事名称", "Contest name"), &d.name, true, 200)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    let level = match d.level.trim() {
        "" => {
            errs.push(FieldError::required("level", "级别", "Level"));
            None
        }
        l => {
            let v = ContestLevel::from_any(l);
            if v.is_none() {
                errs.push(FieldError::new(
                    "level",
                    Rule::UnknownValue,
                    format!("级别“{l}”无效，应为：市级、区级、镇级、企业级"),
                    format!("unknown level '{l}': use city, district, town or enterprise"),
                ));
            }
            v
        }
    };
    let year = match d.year {
        None => {
            errs.push(FieldError::required("year", "年份", "Year"));
            None
        }
        Some(y) if !(2000..=2100).contains(&y) => {
            errs.push(FieldError::new(
                "year",
                Rule::BadFormat,
                format!("年份须在 2000–2100 之间，收到 {y}"),
                format!("year must be between 2000 and 2100, got {y}"),
            ));
            None
        }
        Some(y) => Some(y),
    };
    let occupation = text(
        "occupation",
        ("工种", "Occupation"),
        &d.occupation,
        true,
        100,
    )
    .map_err(|e| errs.push(e))
    .ok()
    .flatten();
    let min_level = level_of(
        "min_level",
        ("最低等级", "Lowest level"),
        &d.min_level,
        &mut errs,
    );
    let max_level = level_of(
        "max_level",
        ("最高等级", "Highest level"),
        &d.max_level,
        &mut errs,
    );
    if let (Some(lo), Some(hi)) = (min_level, max_level) {
        if lo.rank() > hi.rank() {
            errs.push(FieldError::new(
                "max_level",
                Rule::Forbidden,
                format!("最高等级{}低于最低等级{}", hi.label_zh(), lo.label_zh()),
                format!(
                    "the highest level ({}) is below the lowest ({})",
                    hi.code(),
                    lo.code()
                ),
            ));
        }
    }
    let starts_on = (!d.starts_on.trim().is_empty())
        .then(|| {
            date("starts_on", ("开始日期", "Start date"), &d.starts_on)
                .map_err(|e| errs.push(e))
                .ok()
        })
        .flatten();
    let ends_on = (!d.ends_on.trim().is_empty())
        .then(|| {
            date("ends_on", ("结束日期", "End date"), &d.ends_on)
                .map_err(|e| errs.push(e))
                .ok()
        })
        .flatten();
    if let (Some(s), Some(e)) = (&starts_on, &ends_on) {
        if e < s {
            errs.push(FieldError::new(
                "ends_on",
                Rule::Forbidden,
                format!("结束日期 {e} 早于开始日期 {s}"),
                format!("the contest ends ({e}) before it starts ({s})"),
            ));
        }
    }
    let p = d.prizes;
    for (field, label, n) in [
        ("first_prizes", ("一等奖名额", "First prizes"), p.first),
        ("second_prizes", ("二等奖名额", "Second prizes"), p.second),
        ("third_prizes", ("三等奖名额", "Third prizes"), p.third),
        ("merit_prizes", ("优秀奖名额", "Merit awards"), p.merit),
        (
            "honour_top",
            ("授予技术能手人数", "Technical experts named"),
            p.honour_top,
        ),
        (
            "medal_top",
            ("推荐五一劳动奖章人数", "May Day medals"),
            p.medal_top,
        ),
        (
            "promote_top",
            ("以赛促评晋升人数", "Promotions"),
            p.promote_top,
        ),
    ] {
        prize_count(field, label, n, &mut errs);
    }
    if p.medal_top > p.first.saturating_add(p.second).saturating_add(p.third) {
        errs.push(FieldError::new(
            "medal_top",
            Rule::Forbidden,
            "推荐五一劳动奖章人数不能超过获奖（一、二、三等奖）人数",
            "May Day medal nominations cannot exceed the prize winners",
        ));
    }
    match (name, level, year, occupation) {
        (Some(name), Some(level), Some(year), Some(occupation)) if errs.is_empty() => {
            Ok(ContestFields {
                code,
                name,
                level,
                year,
                occupation,
                min_level,
                max_level,
                starts_on,
                ends_on,
                prizes: p,
            })
        }
        _ => Err(errs),
    }
}

/// An aspect of the marking scheme as typed.
#[derive(Debug, Clone, Default)]
pub struct AspectDraft {
    pub name: String,
    pub kind: String,
    pub weight: Option<f64>,
    pub max_mark: Option<f64>,
    pub tolerance: Option<f64>,
    /// Judgement: what each score 0, 1, 2 and 3 means.
    pub descriptors: Vec<String>,
}

/// A valid aspect.
#[derive(Debug, Clone, PartialEq)]
pub struct Aspect {
    pub name: String,
    pub kind: AspectKind,
    pub weight: f64,
    pub max_mark: Option<f64>,
    pub tolerance: Option<f64>,
    pub descriptors: Vec<String>,
}

impl Aspect {
    /// The points of a measurement mark (the mark, or the deviation measured).
    pub fn measured_points(&self, value: f64) -> f64 {
        match (self.max_mark, self.tolerance) {
            (Some(max), _) if max > 0.0 => (value / max).clamp(0.0, 1.0) * self.weight,
            (_, Some(tol)) if value.abs() <= tol + 1e-9 => self.weight,
            _ => 0.0,
        }
    }

    /// The points of a judgement aspect from its judges' scores.
    pub fn judged_points(&self, scores: &[i64]) -> f64 {
        if scores.is_empty() {
            return 0.0;
        }
        let mean = scores.iter().sum::<i64>() as f64 / scores.len() as f64;
        mean / 3.0 * self.weight
    }

    /// Checks a mark for this aspect: a judgement score is 0, 1, 2 or 3; a mark against
    /// a maximum lies in 0–max; a deviation is any number.
    pub fn check_mark(&self, value: f64) -> Result<f64, FieldError> {
        if !value.is_finite() {
            return Err(FieldError::new(
                "value",
                Rule::BadFormat,
                "成绩须为数字",
                "the mark must be a number",
            ));
        }
        match self.kind {
            AspectKind::Judgement => {
                if value.fract() != 0.0 || !(0.0..=3.0).contains(&value) {
                    return Err(FieldError::new(
                        "value",
                        Rule::Forbidden,
                        format!("评价分只能为 0、1、2、3（“{}”收到 {value}）", self.name),
                        format!(
                            "a judgement score is 0, 1, 2 or 3 ('{}' got {value})",
                            self.name
                        ),
                    ));
                }
            }
            AspectKind::Measurement => {
                if let Some(max) = self.max_mark {
                    if !(0.0..=max).contains(&value) {
                        return Err(FieldError::new(
                            "value",
                            Rule::Forbidden,
                            format!("“{}”的测量分须在 0–{max} 之间，收到 {value}", self.name),
                            format!("'{}' is marked 0–{max}, got {value}", self.name),
                        ));
                    }
                }
            }
        }
        Ok(value)
    }
}

/// Judges differing by more than one point: the aspect is scored again.
pub fn needs_rescoring(scores: &[i64]) -> bool {
    match (scores.iter().max(), scores.iter().min()) {
        (Some(hi), Some(lo)) => hi - lo > 1,
        _ => false,
    }
}

fn aspect_field(i: usize, f: &str) -> String {
    format!("aspects[{i}].{f}")
}

fn check_aspect(i: usize, a: &AspectDraft, errs: &mut Vec<FieldError>) -> Option<Aspect> {
    let name = text(
        &aspect_field(i, "name"),
        ("评分项名称", "Aspect name"),
        &a.name,
        true,
        200,
    )
    .map_err(|e| errs.push(e))
    .ok()
    .flatten();
    let shown = name.clone().unwrap_or_else(|| format!("第 {} 项", i + 1));
    let kind = AspectKind::from_any(a.kind.trim());
    if kind.is_none() {
        errs.push(FieldError::new(
            aspect_field(i, "kind"),
            Rule::UnknownValue,
            format!(
                "评分项“{shown}”的评分方式“{}”无效，应为：测量评分、评价评分",
                a.kind.trim()
            ),
            format!(
                "aspect '{shown}': unknown kind '{}': use measurement or judgement",
                a.kind.trim()
            ),
        ));
    }
    let weight = match a.weight {
        Some(w) if w > 0.0 && w <= 100.0 => Some(w),
        _ => {
            errs.push(FieldError::new(
                aspect_field(i, "weight"),
                Rule::Forbidden,
                format!("评分项“{shown}”的权重须大于 0、不超过 100"),
                format!("aspect '{shown}': the weight must be above 0 and at most 100"),
            ));
            None
        }
    };
    let positive = |v: Option<f64>| v.filter(|x| *x > 0.0 && x.is_finite());
    let (max_mark, tolerance) = (positive(a.max_mark), positive(a.tolerance));
    let descriptors: Vec<String> = a.descriptors.iter().map(|d| d.trim().to_string()).collect();
    match kind {
        Some(AspectKind::Measurement) if max_mark.is_some() == tolerance.is_some() => {
            errs.push(FieldError::new(
                aspect_field(i, "max_mark"),
                Rule::Required,
                format!("测量评分项“{shown}”须填写满分或允许误差（二选一，均为正数）"),
                format!(
                    "measurement aspect '{shown}': give either a maximum or a tolerance (positive)"
                ),
            ));
        }
        Some(AspectKind::Judgement)
            if descriptors.len() != 4 || descriptors.iter().any(String::is_empty) =>
        {
            errs.push(FieldError::new(
                aspect_field(i, "descriptors"),
                Rule::Required,
                format!("评价评分项“{shown}”须为 0、1、2、3 分各写一条评分说明"),
                format!(
                    "judgement aspect '{shown}': write a descriptor for each score 0, 1, 2 and 3"
                ),
            ));
        }
        _ => {}
    }
    let kind = kind?;
    Some(Aspect {
        name: name?,
        kind,
        weight: weight?,
        max_mark: (kind == AspectKind::Measurement)
            .then_some(max_mark)
            .flatten(),
        tolerance: (kind == AspectKind::Measurement && max_mark.is_none())
            .then_some(tolerance)
            .flatten(),
        descriptors: if kind == AspectKind::Judgement {
            descriptors
        } else {
            Vec::new()
        },
    })
}

/// Checks a marking scheme. With `publish`, the weights must add up to 100: otherwise
/// the error names the aspects and their weights (on the last aspect's weight).
pub fn check_scheme(
    aspects: &[AspectDraft],
    publish: bool,
) -> Result<Vec<Aspect>, Vec<FieldError>> {
    let mut errs = Vec::new();
    if aspects.len() > 100 {
        errs.push(FieldError::new(
            "aspects",
            Rule::TooLong,
            "评分项不能超过 100 项",
            "at most 100 aspects",
        ));
        return Err(errs);
    }
    let checked: Vec<Option<Aspect>> = aspects
        .iter()
        .enumerate()
        .map(|(i, a)| check_aspect(i, a, &mut errs))
        .collect();
    if publish && errs.is_empty() {
        if aspects.is_empty() {
            errs.push(FieldError::required("aspects", "评分项", "Aspects"));
        } else {
            let total: f64 = checked.iter().flatten().map(|a| a.weight).sum();
            if (total - 100.0).abs() > 1e-6 {
                let list = checked
                    .iter()
                    .flatten()
                    .map(|a| format!("{} {}", a.name, trim_num(a.weight)))
                    .collect::<Vec<_>>()
                    .join("、");
                let last = checked
                    .iter()
                    .flatten()
                    .last()
                    .map(|a| a.name.clone())
                    .unwrap_or_default();
                errs.push(FieldError::new(
                    aspect_field(aspects.len() - 1, "weight"),
                    Rule::Forbidden,
                    format!("各评分项权重合计须为 100，现为 {}（{list}）；请调整“{last}”等评分项的权重", trim_num(total)),
                    format!("the weights add up to {}, not 100 ({list}); adjust '{last}' or another aspect", trim_num(total)),
                ));
            }
        }
    }
    if errs.is_empty() {
        Ok(checked.into_iter().flatten().collect())
    } else {
        Err(errs)
    }
}

/// 12.5 → "12.5", 40.0 → "40".
pub fn trim_num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Competition ranking (1, 2, 2, 4) of `(key, total)` by total, highest first; totals
/// equal to the hundredth share a rank. Returns `(key, total, rank)` in rank order,
/// ties by key.
pub fn rank<K: Ord + Copy>(totals: &[(K, f64)]) -> Vec<(K, f64, i64)> {
    let round = |v: f64| (v * 100.0).round() as i64;
    let mut v: Vec<(K, f64)> = totals.to_vec();
    v.sort_by(|a, b| round(b.1).cmp(&round(a.1)).then(a.0.cmp(&b.0)));
    let mut out = Vec::with_capacity(v.len());
    let mut prev: Option<i64> = None;
    let mut rank = 0;
    for (i, (k, t)) in v.into_iter().enumerate() {
        if prev != Some(round(t)) {
            rank = i as i64 + 1;
            prev = Some(round(t));
        }
        out.push((k, t, rank));
    }
    out
}

/// Checks a worker's eligibility: the contest's occupation, and the ladder band.
pub fn check_eligible(
    contest_occupation: &str,
    band: (Option<SkillLevel>, Option<SkillLevel>),
    occupation: Option<&str>,
    level: Option<SkillLevel>,
) -> Result<(), FieldError> {
    let occ = occupation.map(str::trim).unwrap_or("");
    if occ != contest_occupation.trim() {
        return Err(FieldError::new(
            "worker",
            Rule::Forbidden,
            format!(
                "该职工的工种（{}）与竞赛工种“{contest_occupation}”不符",
                if occ.is_empty() { "未登记" } else { occ }
            ),
            format!(
                "the worker's occupation ({}) is not the contest's ('{contest_occupation}')",
                if occ.is_empty() { "none recorded" } else { occ }
            ),
        ));
    }
    let rank = level.map(SkillLevel::rank);
    if let Some(lo) = band.0 {
        if rank.is_none_or(|r| r < lo.rank()) {
            return Err(FieldError::new(
                "worker",
                Rule::Forbidden,
                format!("该职工的技能等级低于参赛要求（{}及以上）", lo.label_zh()),
                format!(
                    "the worker's level is below the contest's ({} or above)",
                    lo.code()
                ),
            ));
        }
    }
    if let (Some(hi), Some(r)) = (band.1, rank) {
        if r > hi.rank() {
            return Err(FieldError::new(
                "worker",
                Rule::Forbidden,
                format!("该职工的技能等级高于参赛要求（{}及以下）", hi.label_zh()),
                format!(
                    "the worker's level is above the contest's ({} or below)",
                    hi.code()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(w: f64) -> AspectDraft {
        AspectDraft {
            name: "工艺".into(),
            kind: "评价评分".into(),
            weight: Some(w),
            descriptors: vec!["差".into(), "合格".into(), "良好".into(), "优秀".into()],
            ..AspectDraft::default()
        }
    }

    fn measured(name: &str, w: f64, max: Option<f64>, tol: Option<f64>) -> AspectDraft {
        AspectDraft {
            name: name.into(),
            kind: "measurement".into(),
            weight: Some(w),
            max_mark: max,
            tolerance: tol,
            ..AspectDraft::default()
        }
    }

    #[test]
    fn weights_add_up_to_100_or_the_scheme_names_the_aspect() {
        let ok = [measured("尺寸", 60.0, Some(60.0), None), judged(40.0)];
        assert_eq!(check_scheme(&ok, true).unwrap().len(), 2);
        let short = [measured("尺寸", 50.0, Some(60.0), None), judged(40.0)];
        assert!(
            check_scheme(&short, false).is_ok(),
            "a draft may not add up yet"
        );
        let e = check_scheme(&short, true).unwrap_err();
        assert_eq!(e[0].field, "aspects[1].weight");
        assert!(e[0].detail_zh.contains("工艺") && e[0].detail_zh.contains("90"));
        // Measurement: a maximum or a tolerance, not both; judgement: four descriptors.
        let both = [measured("尺寸", 100.0, Some(1.0), Some(0.1))];
        assert_eq!(
            check_scheme(&both, true).unwrap_err()[0].field,
            "aspects[0].max_mark"
        );
        let mut j = judged(100.0);
        j.descriptors.pop();
        assert_eq!(
            check_scheme(&[j], true).unwrap_err()[0].field,
            "aspects[0].descriptors"
        );
    }

    #[test]
    fn points_flags_and_ranks() {
        let s = check_scheme(
            &[
                measured("尺寸", 30.0, Some(60.0), None),
                measured("公差", 20.0, None, Some(0.02)),
                judged(50.0),
            ],
            true,
        )
        .unwrap();
        assert_eq!(s[0].measured_points(45.0), 22.5);
        assert_eq!(s[1].measured_points(-0.02), 20.0);
        assert_eq!(s[1].measured_points(0.03), 0.0);
        assert_eq!(s[2].judged_points(&[3, 3, 3]), 50.0);
        assert!((s[2].judged_points(&[2, 3, 2]) - 38.888_888).abs() < 1e-3);
        assert!(s[2].check_mark(4.0).is_err() && s[2].check_mark(2.5).is_err());
        assert!(s[0].check_mark(61.0).is_err() && s[0].check_mark(60.0).is_ok());
        assert!(needs_rescoring(&[1, 3, 2]) && !needs_rescoring(&[2, 3, 3]));
        let r = rank(&[(1, 80.0), (2, 90.0), (3, 80.004), (4, 70.0)]);
        let ranks: Vec<(i32, i64)> = r.iter().map(|(k, _, r)| (*k, *r)).collect();
        assert_eq!(ranks, vec![(2, 1), (1, 2), (3, 2), (4, 4)]);
        let p = Prizes {
            first: 1,
            second: 2,
            third: 3,
            merit: 4,
            honour_top: 3,
            medal_top: 1,
            promote_top: 3,
        };
        assert_eq!(p.award(2), Some(Award::Second));
        assert_eq!(p.award(10), Some(Award::Merit));
        assert_eq!(p.award(11), None);
        assert_eq!(p.honour(1), Some(Honour::MayDayMedal));
        assert_eq!(p.honour(3), Some(Honour::SkillMaster));
        assert_eq!(p.honour(4), None);
    }

    #[test]
    fn plans_and_eligibility() {
        let d = ContestDraft {
            code: "JS-2025-01".into(),
            name: "数控车工技能竞赛".into(),
            level: "市级".into(),
            year: Some(2025),
            occupation: "数控车工".into(),
            min_level: "中级工".into(),
            starts_on: "2025-06-01".into(),
            ends_on: "2025-05-01".into(),
            ..ContestDraft::default()
        };
        let e = check_contest(&d).unwrap_err();
        assert_eq!(e[0].field, "ends_on");
        // A count far out of range is refused naming its field, never overflowing.
        let mut huge = d.clone();
        huge.ends_on = "2025-06-30".into();
        huge.prizes.third = i64::MAX - 1;
        huge.prizes.second = i64::MAX - 1;
        let e = check_contest(&huge).unwrap_err();
        assert_eq!(e[0].field, "second_prizes");
        let ok = check_contest(&ContestDraft {
            ends_on: "2025-06-30".into(),
            ..d
        })
        .unwrap();
        assert_eq!(ok.level, ContestLevel::City);
        let band = (ok.min_level, ok.max_level);
        assert!(
            check_eligible("数控车工", band, Some("数控车工"), Some(SkillLevel::Senior)).is_ok()
        );
        assert!(check_eligible("数控车工", band, Some("焊工"), Some(SkillLevel::Senior)).is_err());
        assert!(
            check_eligible("数控车工", band, Some("数控车工"), Some(SkillLevel::Junior)).is_err()
        );
    }
}
