//! The yearly assessment (产改评价考核): a scheme is an indicator tree with points,
//! each leaf carries a scoring rule; experts' scores are aggregated; totals are ranked.
//!
//! Everything here is pure: validation of a scheme, scoring of one leaf from its inputs,
//! aggregation of expert scores with outlier flags, totals and rankings with ties.
//!
//! Numbers: points are kept to two decimals. Comparisons of sums are made in hundredths
//! of a point (integers), so that 33.33 + 33.33 + 33.34 = 100 exactly.
use crate::error::{FieldError, Rule as R};
use serde::{Deserialize, Serialize};

/// The points of the whole scheme.
pub const TOTAL_POINTS: f64 = 100.0;
/// The deepest level of the tree (一级 / 二级 / 三级).
pub const MAX_DEPTH: usize = 3;
/// With at least this many expert scores on a leaf the highest and the lowest are
/// dropped (trimmed mean); with fewer, the plain mean is taken.
pub const TRIM_FROM: usize = 5;
/// An expert's score is flagged as an outlier when it lies further than this share of
/// the leaf's maximum score from the median of the other experts' scores on that leaf.
/// The median (not the mean) of the others is used so that one wild score does not drag
/// the reference point and get a sound colleague flagged with it.
pub const OUTLIER_SHARE: f64 = 0.20;

/// Hundredths of a point, rounded.
pub fn cents(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

/// Rounds to two decimals.
pub fn round2(x: f64) -> f64 {
    cents(x) as f64 / 100.0
}

/// One band of a value-band rule: a value ≥ `min` earns `percent` % of the points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub min: f64,
    pub percent: f64,
}

/// How a leaf is scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScoringRule {
    /// Yes → full points, no → 0 (the target reports yes/no with evidence).
    Checklist,
    /// Value bands, highest first: the first band whose `min` the value reaches gives
    /// its percentage of the points; below every band, 0.
    Bands { bands: Vec<Band> },
    /// min(value ÷ target, 1) × points (the target reports the value).
    Ratio { target: f64 },
    /// An indicator of the indicator engine for the target's subtree and the round's
    /// year, scored as a ratio to `target`.
    Indicator { code: String, target: f64 },
    /// Experts score 0 … `max` by the written criteria; the aggregate (mean, or trimmed
    /// mean with ≥ 5 experts) ÷ max × points.
    Expert { max: f64, criteria: String },
}

impl ScoringRule {
    pub fn code(&self) -> &'static str {
        match self {
            ScoringRule::Checklist => "checklist",
            ScoringRule::Bands { .. } => "bands",
            ScoringRule::Ratio { .. } => "ratio",
            ScoringRule::Indicator { .. } => "indicator",
            ScoringRule::Expert { .. } => "expert",
        }
    }

    /// Whether the target reports a value for this leaf.
    pub fn needs_value(&self) -> bool {
        matches!(
            self,
            ScoringRule::Checklist | ScoringRule::Bands { .. } | ScoringRule::Ratio { .. }
        )
    }

    /// A one-line description of the rule for a leaf worth `points`.
    pub fn describe(&self, points: f64, en: bool) -> String {
        match self {
            ScoringRule::Checklist => {
                if en {
                    format!("Checklist: yes → {points} points, no → 0")
                } else {
                    format!("达标项：是得{points}分，否得0分")
                }
            }
            ScoringRule::Bands { bands } => {
                let parts: Vec<String> = bands
                    .iter()
                    .map(|b| {
                        if en {
                            format!("≥ {} → {}%", b.min, b.percent)
                        } else {
                            format!("≥{}得{}%", b.min, b.percent)
                        }
                    })
                    .collect();
                if en {
                    format!("Value bands: {}; below → 0", parts.join(", "))
                } else {
                    format!("分档计分：{}；以下得0分", parts.join(","))
                }
            }
            ScoringRule::Ratio { target } => {
                if en {
                    format!("Ratio to target: min(value ÷ {target}, 1) × {points}")
                } else {
                    format!("按目标值比例：min(实际值÷{target},1)×{points}分")
                }
            }
            ScoringRule::Indicator { code, target } => {
                let name = crate::indicators::find(code)
                    .map(|i| i.name(en))
                    .unwrap_or(code.as_str());
                if en {
                    format!("Indicator {name}: min(value ÷ {target}, 1) × {points}")
                } else {
                    format!("指标「{name}」：min(指标值÷{target},1)×{points}分")
                }
            }
            ScoringRule::Expert { max, criteria } => {
                if en {
                    format!("Expert score 0–{max} (mean; trimmed mean with ≥ 5 experts) ÷ {max} × {points}. Criteria: {criteria}")
                } else {
                    format!("专家评分0–{max}分（取平均；5名及以上专家去掉一个最高分和一个最低分），÷{max}×{points}分。评分标准：{criteria}")
                }
            }
        }
    }
}

/// A node of the indicator tree. Nodes with children are 一级/二级 items; leaves carry
/// a scoring rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Stable within the scheme, e.g. "3.2"; set by [`renumber`] from the position.
    #[serde(default)]
    pub code: String,
    pub name: String,
    pub points: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<ScoringRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
}

impl Node {
    pub fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }
}

/// Gives every node its positional code: "1", "1.2", "1.2.3".
pub fn renumber(tree: &mut [Node]) {
    fn walk(nodes: &mut [Node], prefix: &str) {
        for (i, n) in nodes.iter_mut().enumerate() {
            n.code = if prefix.is_empty() {
                format!("{}", i + 1)
            } else {
                format!("{prefix}.{}", i + 1)
            };
            let p = n.code.clone();
            walk(&mut n.children, &p);
        }
    }
    walk(tree, "");
}

/// Every leaf, depth first, with the names of its ancestors.
pub fn leaves(tree: &[Node]) -> Vec<&Node> {
    fn walk<'a>(nodes: &'a [Node], out: &mut Vec<&'a Node>) {
        for n in nodes {
            if n.is_leaf() {
                out.push(n);
            } else {
                walk(&n.children, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(tree, &mut out);
    out
}

/// Finds a node by code.
pub fn find<'a>(tree: &'a [Node], code: &str) -> Option<&'a Node> {
    for n in tree {
        if n.code == code {
            return Some(n);
        }
        if let Some(f) = find(&n.children, code) {
            return Some(f);
        }
    }
    None
}

fn node_field(code: &str) -> String {
    format!("tree.{code}")
}

fn fmt_pts(c: i64) -> String {
    let v = c as f64 / 100.0;
    if c % 100 == 0 {
        format!("{}", c / 100)
    } else {
        format!("{v:.2}").trim_end_matches('0').to_string()
    }
}

/// Checks a scheme's tree: names, depth, positive points, a rule on every leaf and
/// none elsewhere, each rule's parameters, and that the points of the children of every
/// node add up to the node's (the top level to 100). Every error names the node
/// (`tree.<code>` and its name). Renumbers the tree first.
pub fn validate_tree(tree: &mut [Node]) -> Result<(), Vec<FieldError>> {
    renumber(tree);
    let mut errs = Vec::new();
    if tree.is_empty() {
        errs.push(FieldError::new(
            "tree",
            R::Required,
            "考核方案至少需要一个一级指标",
            "A scheme needs at least one first-level item",
        ));
        return Err(errs);
    }
    check_level(tree, 1, &mut errs);
    let sum: i64 = tree.iter().map(|n| cents(n.points)).sum();
    if sum != cents(TOTAL_POINTS) {
        errs.push(FieldError::new(
            "tree",
            R::BadFormat,
            format!("一级指标分值合计为{}分，应为100分", fmt_pts(sum)),
            format!(
                "The first-level items add up to {} points; they must add up to 100",
                fmt_pts(sum)
            ),
        ));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

fn check_level(nodes: &[Node], depth: usize, errs: &mut Vec<FieldError>) {
    let level_zh = ["一级", "二级", "三级"];
    for n in nodes {
        let f = node_field(&n.code);
        let label = if n.name.trim().is_empty() {
            format!("{}指标{}", level_zh.get(depth - 1).unwrap_or(&""), n.code)
        } else {
            format!("「{}」({})", n.name.trim(), n.code)
        };
        if n.name.trim().is_empty() {
            errs.push(FieldError::new(
                format!("{f}.name"),
                R::Required,
                format!("{label}的名称为必填项"),
                format!("Item {} needs a name", n.code),
            ));
        } else if n.name.chars().count() > 100 {
            errs.push(FieldError::new(
                format!("{f}.name"),
                R::TooLong,
                format!("{label}的名称不能超过100个字符"),
                format!("The name of item {} must be at most 100 characters", n.code),
            ));
        }
        if !(n.points.is_finite() && n.points > 0.0) || cents(n.points) <= 0 {
            errs.push(FieldError::new(
                format!("{f}.points"),
                R::BadFormat,
                format!("{label}的分值必须大于0"),
                format!("Item {} must be worth more than 0 points", n.code),
            ));
        }
        if depth > MAX_DEPTH {
            errs.push(FieldError::new(
                f.clone(),
                R::Forbidden,
                format!("{label}超过三级：指标树最多三级"),
                format!(
                    "Item {} is below the third level: at most three levels",
                    n.code
                ),
            ));
        }
        if n.is_leaf() {
            match &n.rule {
                None => errs.push(FieldError::new(
                    format!("{f}.rule"),
                    R::Required,
                    format!("末级指标{label}需要计分规则"),
                    format!("Leaf {} needs a scoring rule", n.code),
                )),
                Some(r) => check_rule(r, &f, &label, &n.code, errs),
            }
        } else {
            if n.rule.is_some() {
                errs.push(FieldError::new(
                    format!("{f}.rule"),
                    R::Forbidden,
                    format!("{label}有下级指标，不能设置计分规则（由下级指标得分相加）"),
                    format!(
                        "Item {} has sub-items and cannot carry a rule (its score is theirs added up)",
                        n.code
                    ),
                ));
            }
            let sum: i64 = n.children.iter().map(|c| cents(c.points)).sum();
            if sum != cents(n.points) {
                errs.push(FieldError::new(
                    format!("{f}.points"),
                    R::BadFormat,
                    format!(
                        "{label}的下级指标分值合计为{}分，应等于其分值{}分",
                        fmt_pts(sum),
                        fmt_pts(cents(n.points))
                    ),
                    format!(
                        "The sub-items of {} ({}) add up to {} points; they must add up to its {} points",
                        n.code,
                        n.name.trim(),
                        fmt_pts(sum),
                        fmt_pts(cents(n.points))
                    ),
                ));
            }
            check_level(&n.children, depth + 1, errs);
        }
    }
}

fn check_rule(r: &ScoringRule, f: &str, label: &str, code: &str, errs: &mut Vec<FieldError>) {
    let field = format!("{f}.rule");
    let mut bad = |zh: String, en: String| {
        errs.push(FieldError::new(field.clone(), R::BadFormat, zh, en));
    };
    match r {
        ScoringRule::Checklist => {}
        ScoringRule::Bands { bands } => {
            if bands.is_empty() {
                bad(
                    format!("{label}的分档规则至少需要一档"),
                    format!("The bands of {code} need at least one band"),
                );
            }
            for (i, b) in bands.iter().enumerate() {
                if !b.min.is_finite() || !(0.0..=100.0).contains(&b.percent) {
                    bad(
                        format!("{label}第{}档：得分比例应在0–100%之间", i + 1),
                        format!("Band {} of {code}: the percentage must be 0–100", i + 1),
                    );
                }
                if i > 0 && b.min >= bands[i - 1].min {
                    bad(
                        format!(
                            "{label}第{}档：下限应低于上一档的{}",
                            i + 1,
                            bands[i - 1].min
                        ),
                        format!(
                            "Band {} of {code}: its minimum must be below the previous band's {}",
                            i + 1,
                            bands[i - 1].min
                        ),
                    );
                }
                if i > 0 && b.percent > bands[i - 1].percent {
                    bad(
                        format!("{label}第{}档：得分比例不能高于上一档", i + 1),
                        format!(
                            "Band {} of {code}: the percentage cannot exceed the previous band's",
                            i + 1
                        ),
                    );
                }
            }
        }
        ScoringRule::Ratio { target } => {
            if !(target.is_finite() && *target > 0.0) {
                bad(
                    format!("{label}的目标值必须大于0"),
                    format!("The target of {code} must be more than 0"),
                );
            }
        }
        ScoringRule::Indicator { code: ind, target } => {
            if crate::indicators::find(ind).is_none() {
                bad(
                    format!("{label}引用的指标「{ind}」不存在"),
                    format!("{code} refers to an unknown indicator {ind}"),
                );
            }
            if !(target.is_finite() && *target > 0.0) {
                bad(
                    format!("{label}的目标值必须大于0"),
                    format!("The target of {code} must be more than 0"),
                );
            }
        }
        ScoringRule::Expert { max, criteria } => {
            if !(max.is_finite() && *max > 0.0 && *max <= 1000.0) {
                bad(
                    format!("{label}的专家评分满分应在0–1000之间且大于0"),
                    format!("The expert maximum of {code} must be more than 0 and at most 1000"),
                );
            }
            if criteria.trim().is_empty() {
                bad(
                    format!("{label}需要书面评分标准"),
                    format!("{code} needs written scoring criteria"),
                );
            }
        }
    }
}

/// Checks one expert's score for a leaf: within 0 … max.
pub fn check_score(leaf: &Node, score: f64) -> Result<(), FieldError> {
    let Some(ScoringRule::Expert { max, .. }) = &leaf.rule else {
        return Err(FieldError::new(
            "leaf",
            R::UnknownValue,
            format!("指标「{}」（{}）不是专家评分项", leaf.name, leaf.code),
            format!("{} ({}) is not scored by experts", leaf.code, leaf.name),
        ));
    };
    if !score.is_finite() || score < 0.0 || score > *max || cents(score) > cents(*max) {
        return Err(FieldError::new(
            "score",
            R::BadFormat,
            format!(
                "指标「{}」（{}）的评分应在0–{}分之间（收到{}）",
                leaf.name, leaf.code, max, score
            ),
            format!(
                "The score for {} ({}) must be between 0 and {} (got {})",
                leaf.code, leaf.name, max, score
            ),
        ));
    }
    Ok(())
}

/// How expert scores were combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Mean,
    TrimmedMean,
    /// No expert scored the leaf.
    None,
}

/// The aggregate of the expert scores on one leaf.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aggregate {
    pub method: Method,
    pub value: f64,
    /// Indexes (into the input) of the scores dropped by the trimmed mean.
    pub dropped: Vec<usize>,
    /// Indexes of the scores flagged as outliers (see [`OUTLIER_SHARE`]).
    pub outliers: Vec<usize>,
}

/// Mean, or with ≥ [`TRIM_FROM`] scores the mean without one highest and one lowest
/// score. Outliers: a score further than [`OUTLIER_SHARE`] × `max` from the median of
/// the *other* experts' scores (needs at least two others). Flags do not change the
/// aggregate; they tell the city where to look.
pub fn aggregate(scores: &[f64], max: f64) -> Aggregate {
    if scores.is_empty() {
        return Aggregate {
            method: Method::None,
            value: 0.0,
            dropped: Vec::new(),
            outliers: Vec::new(),
        };
    }
    let mut outliers = Vec::new();
    if scores.len() >= 3 {
        for (i, x) in scores.iter().enumerate() {
            let mut others: Vec<f64> = scores
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, v)| *v)
                .collect();
            others.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            let k = others.len();
            let m = if k % 2 == 1 {
                others[k / 2]
            } else {
                (others[k / 2 - 1] + others[k / 2]) / 2.0
            };
            if cents((x - m).abs()) > cents(OUTLIER_SHARE * max) {
                outliers.push(i);
            }
        }
    }
    if scores.len() >= TRIM_FROM {
        let mut idx: Vec<usize> = (0..scores.len()).collect();
        // Highest first; among equal scores the later one is dropped (any choice gives
        // the same mean).
        idx.sort_by(|a, b| {
            scores[*b]
                .partial_cmp(&scores[*a])
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(b.cmp(a))
        });
        let hi = idx[0];
        let lo = idx[idx.len() - 1];
        let kept: Vec<f64> = (0..scores.len())
            .filter(|i| *i != hi && *i != lo)
            .map(|i| scores[i])
            .collect();
        let mut dropped = vec![hi, lo];
        dropped.sort_unstable();
        return Aggregate {
            method: Method::TrimmedMean,
            value: kept.iter().sum::<f64>() / kept.len() as f64,
            dropped,
            outliers,
        };
    }
    Aggregate {
        method: Method::Mean,
        value: scores.iter().sum::<f64>() / scores.len() as f64,
        dropped: Vec::new(),
        outliers,
    }
}

/// What a leaf was scored from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeafInput {
    /// The reported value (checklist: 1 yes, 0 no) or the indicator's value.
    pub value: Option<f64>,
    /// Expert scores in the order of the experts.
    pub expert_scores: Vec<f64>,
}

/// A scored leaf.
#[derive(Debug, Clone, PartialEq)]
pub struct LeafScore {
    pub points: f64,
    /// What the points are: e.g. "92 ≥ 90 → 100% × 10 = 10".
    pub explain_zh: String,
    pub explain_en: String,
    pub aggregate: Option<Aggregate>,
}

/// Scores one leaf. Missing inputs score 0 and say so.
pub fn score_leaf(leaf: &Node, input: &LeafInput) -> LeafScore {
    let pts = leaf.points;
    let missing = || LeafScore {
        points: 0.0,
        explain_zh: "未填报，得0分".into(),
        explain_en: "Not reported: 0 points".into(),
        aggregate: None,
    };
    match &leaf.rule {
        None => missing(),
        Some(ScoringRule::Checklist) => match input.value {
            None => missing(),
            Some(v) if v >= 0.5 => LeafScore {
                points: pts,
                explain_zh: format!("是 → 得{pts}分"),
                explain_en: format!("Yes → {pts} points"),
                aggregate: None,
            },
            Some(_) => LeafScore {
                points: 0.0,
                explain_zh: "否 → 得0分".into(),
                explain_en: "No → 0 points".into(),
                aggregate: None,
            },
        },
        Some(ScoringRule::Bands { bands }) => match input.value {
            None => missing(),
            Some(v) => match bands.iter().find(|b| v >= b.min) {
                Some(b) => {
                    let p = round2(pts * b.percent / 100.0);
                    LeafScore {
                        points: p,
                        explain_zh: format!("{v} ≥ {} → {}% × {pts} = {p}分", b.min, b.percent),
                        explain_en: format!(
                            "{v} ≥ {} → {}% × {pts} = {p} points",
                            b.min, b.percent
                        ),
                        aggregate: None,
                    }
                }
                None => LeafScore {
                    points: 0.0,
                    explain_zh: format!("{v}低于最低一档 → 得0分"),
                    explain_en: format!("{v} is below every band → 0 points"),
                    aggregate: None,
                },
            },
        },
        Some(ScoringRule::Ratio { target }) | Some(ScoringRule::Indicator { target, .. }) => {
            match input.value {
                None => LeafScore {
                    points: 0.0,
                    explain_zh: "无数值，得0分".into(),
                    explain_en: "No value: 0 points".into(),
                    aggregate: None,
                },
                Some(v) => {
                    let share = (v / target).clamp(0.0, 1.0);
                    let p = round2(share * pts);
                    let v2 = round2(v);
                    LeafScore {
                        points: p,
                        explain_zh: format!(
                            "min({v2} ÷ {target}, 1) = {:.2} × {pts} = {p}分",
                            share
                        ),
                        explain_en: format!(
                            "min({v2} ÷ {target}, 1) = {:.2} × {pts} = {p} points",
                            share
                        ),
                        aggregate: None,
                    }
                }
            }
        }
        Some(ScoringRule::Expert { max, .. }) => {
            let a = aggregate(&input.expert_scores, *max);
            let (label_zh, label_en) = match a.method {
                Method::Mean => ("平均分", "mean"),
                Method::TrimmedMean => ("去掉最高分和最低分后的平均分", "trimmed mean"),
                Method::None => ("无专家评分", "no expert scores"),
            };
            let p = round2(a.value / max * pts);
            LeafScore {
                points: p,
                explain_zh: format!("{label_zh}{:.2} ÷ {max} × {pts} = {p}分", round2(a.value)),
                explain_en: format!(
                    "{label_en} {:.2} ÷ {max} × {pts} = {p} points",
                    round2(a.value)
                ),
                aggregate: Some(a),
            }
        }
    }
}

/// Competition ranking ("1224"): equal totals (to the hundredth) share a rank and the
/// next rank skips. Returns the rank of each input, in input order.
pub fn rank(totals: &[f64]) -> Vec<i64> {
    totals
        .iter()
        .map(|t| 1 + totals.iter().filter(|o| cents(**o) > cents(*t)).count() as i64)
        .collect()
}

/// Sums the points of every node from its leaves' points (`leaf code → points`).
/// Returns `node code → points` for every node, rounded to hundredths.
pub fn subtotals(
    tree: &[Node],
    leaf_points: &std::collections::HashMap<String, f64>,
) -> std::collections::BTreeMap<String, f64> {
    fn walk(
        nodes: &[Node],
        lp: &std::collections::HashMap<String, f64>,
        out: &mut std::collections::BTreeMap<String, f64>,
    ) -> f64 {
        let mut s = 0.0;
        for n in nodes {
            let v = if n.is_leaf() {
                lp.get(&n.code).copied().unwrap_or(0.0)
            } else {
                walk(&n.children, lp, out)
            };
            out.insert(n.code.clone(), round2(v));
            s += v;
        }
        s
    }
    let mut out = std::collections::BTreeMap::new();
    walk(tree, leaf_points, &mut out);
    out
}

/// Labels experts anonymously: 专家A, 专家B … (then 专家AA after Z).
pub fn expert_label(index: usize, en: bool) -> String {
    let mut n = index;
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (n % 26) as u8) as char);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    if en {
        format!("Expert {s}")
    } else {
        format!("专家{s}")
    }
}

/// What an assessment round is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// Districts and functional zones (板块), by region code.
    District,
    /// Member units of the joint meeting, by organisation id.
    MemberUnit,
    /// Pilot enterprises and parks, by organisation id.
    PilotUnit,
}

impl TargetKind {
    pub const ALL: [TargetKind; 3] = [
        TargetKind::District,
        TargetKind::MemberUnit,
        TargetKind::PilotUnit,
    ];
    pub fn code(self) -> &'static str {
        match self {
            TargetKind::District => "district",
            TargetKind::MemberUnit => "member_unit",
            TargetKind::PilotUnit => "pilot_unit",
        }
    }
    pub fn parse(s: &str) -> Option<TargetKind> {
        TargetKind::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (TargetKind::District, false) => "辖市（区）及功能区",
            (TargetKind::District, true) => "Districts and zones",
            (TargetKind::MemberUnit, false) => "成员单位",
            (TargetKind::MemberUnit, true) => "Member units",
            (TargetKind::PilotUnit, false) => "试点单位",
            (TargetKind::PilotUnit, true) => "Pilot units",
        }
    }
}

/// Checks the reason for re-publishing results: the first publication needs none, every
/// later one needs a reason (so that a published result never changes silently).
pub fn check_republish(previous_versions: i64, reason: &str) -> Result<Option<String>, FieldError> {
    let r = crate::error::text("reason", ("重新发布原因", "Reason"), reason, false, 500)?;
    if previous_versions > 0 && r.is_none() {
        return Err(FieldError::new(
            "reason",
            R::Required,
            "结果已发布过：重新发布须填写原因（原结果版本保留可查）",
            "The results were published before: re-publishing needs a reason (the earlier version stays readable)",
        ));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn leaf(name: &str, points: f64, rule: ScoringRule) -> Node {
        Node {
            code: String::new(),
            name: name.into(),
            points,
            rule: Some(rule),
            children: vec![],
        }
    }
    fn item(name: &str, points: f64, children: Vec<Node>) -> Node {
        Node {
            code: String::new(),
            name: name.into(),
            points,
            rule: None,
            children,
        }
    }
    fn expert(max: f64) -> ScoringRule {
        ScoringRule::Expert {
            max,
            criteria: "亮点突出".into(),
        }
    }

    fn scheme() -> Vec<Node> {
        vec![
            item(
                "组织领导",
                20.0,
                vec![
                    leaf("成立产改领导小组", 10.0, ScoringRule::Checklist),
                    leaf("联席会议召开次数", 10.0, ScoringRule::Ratio { target: 4.0 }),
                ],
            ),
            item(
                "队伍建设",
                50.0,
                vec![
                    leaf(
                        "每万名职工高技能人才数",
                        30.0,
                        ScoringRule::Indicator {
                            code: "high_skilled_per_10k".into(),
                            target: 1500.0,
                        },
                    ),
                    leaf(
                        "培训覆盖率",
                        20.0,
                        ScoringRule::Bands {
                            bands: vec![
                                Band {
                                    min: 90.0,
                                    percent: 100.0,
                                },
                                Band {
                                    min: 80.0,
                                    percent: 80.0,
                                },
                            ],
                        },
                    ),
                ],
            ),
            leaf("特色亮点", 30.0, expert(30.0)),
        ]
    }

    #[test]
    fn a_good_scheme_validates_and_is_numbered() {
        let mut s = scheme();
        validate_tree(&mut s).unwrap();
        assert_eq!(s[1].children[0].code, "2.1");
        assert_eq!(leaves(&s).len(), 5);
        assert_eq!(find(&s, "2.2").unwrap().name, "培训覆盖率");
    }

    #[test]
    fn weights_that_do_not_add_up_name_the_node() {
        let mut s = scheme();
        s[1].children[1].points = 15.0;
        let e = validate_tree(&mut s).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].field, "tree.2.points");
        assert!(e[0].detail_zh.contains("队伍建设"), "{}", e[0].detail_zh);
        assert!(e[0].detail_zh.contains("45"), "{}", e[0].detail_zh);
        // The top level must make 100.
        let mut s = scheme();
        s[2].points = 20.0;
        s[2].rule = Some(expert(20.0));
        let e = validate_tree(&mut s).unwrap_err();
        assert_eq!(e[0].field, "tree");
        assert!(e[0].detail_zh.contains("90"));
    }

    #[test]
    fn decimals_add_up_exactly() {
        let mut s = vec![
            leaf("a", 33.33, ScoringRule::Checklist),
            leaf("b", 33.33, ScoringRule::Checklist),
            leaf("c", 33.34, ScoringRule::Checklist),
        ];
        validate_tree(&mut s).unwrap();
    }

    #[test]
    fn leaves_need_rules_and_rules_need_parameters() {
        let mut s = scheme();
        s[0].children[0].rule = None;
        s[0].children[1].rule = Some(ScoringRule::Ratio { target: 0.0 });
        s[1].children[0].rule = Some(ScoringRule::Indicator {
            code: "nope".into(),
            target: 1.0,
        });
        s[2].rule = Some(ScoringRule::Expert {
            max: 30.0,
            criteria: " ".into(),
        });
        let e = validate_tree(&mut s).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "tree.1.1.rule",
                "tree.1.2.rule",
                "tree.2.1.rule",
                "tree.3.rule"
            ]
        );
        // A node with children cannot carry a rule; four levels are too deep.
        let mut s = scheme();
        s[0].rule = Some(ScoringRule::Checklist);
        s[1].children[0] = item(
            "x",
            30.0,
            vec![item(
                "y",
                30.0,
                vec![leaf("z", 30.0, ScoringRule::Checklist)],
            )],
        );
        let e = validate_tree(&mut s).unwrap_err();
        assert!(e.iter().any(|e| e.field == "tree.1.rule"));
        assert!(e.iter().any(|e| e.field == "tree.2.1.1.1"));
    }

    #[test]
    fn bands_must_descend() {
        let mut s = scheme();
        s[1].children[1].rule = Some(ScoringRule::Bands {
            bands: vec![
                Band {
                    min: 80.0,
                    percent: 80.0,
                },
                Band {
                    min: 90.0,
                    percent: 100.0,
                },
            ],
        });
        let e = validate_tree(&mut s).unwrap_err();
        assert_eq!(e[0].field, "tree.2.2.rule");
    }

    #[test]
    fn leaf_rules_score() {
        let mut s = scheme();
        validate_tree(&mut s).unwrap();
        let v = |x: f64| LeafInput {
            value: Some(x),
            expert_scores: vec![],
        };
        assert_eq!(score_leaf(&s[0].children[0], &v(1.0)).points, 10.0);
        assert_eq!(score_leaf(&s[0].children[0], &v(0.0)).points, 0.0);
        assert_eq!(
            score_leaf(&s[0].children[0], &LeafInput::default()).points,
            0.0
        );
        assert_eq!(score_leaf(&s[0].children[1], &v(3.0)).points, 7.5);
        assert_eq!(score_leaf(&s[0].children[1], &v(9.0)).points, 10.0);
        assert_eq!(score_leaf(&s[1].children[0], &v(1200.0)).points, 24.0);
        let b = &s[1].children[1];
        assert_eq!(score_leaf(b, &v(95.0)).points, 20.0);
        assert_eq!(score_leaf(b, &v(90.0)).points, 20.0);
        assert_eq!(score_leaf(b, &v(85.0)).points, 16.0);
        let low = score_leaf(b, &v(50.0));
        assert_eq!(low.points, 0.0);
        assert!(low.explain_zh.contains("低于"));
        let e = score_leaf(
            &s[2],
            &LeafInput {
                value: None,
                expert_scores: vec![24.0, 27.0, 30.0],
            },
        );
        assert_eq!(e.points, 27.0);
        assert_eq!(e.aggregate.unwrap().method, Method::Mean);
    }

    #[test]
    fn trimmed_mean_from_five_experts() {
        let a = aggregate(&[10.0, 12.0, 14.0, 13.0, 1.0], 15.0);
        assert_eq!(a.method, Method::TrimmedMean);
        assert_eq!(a.dropped, vec![2, 4]);
        assert_eq!(a.value, 35.0 / 3.0);
        // 1 is far (more than 3 points = 20 % of 15) from the others' median 12.5; 14 is
        // exactly 3 from its others' median 11 and is not flagged.
        assert_eq!(a.outliers, vec![4]);
        let a = aggregate(&[10.0, 12.0, 14.0], 15.0);
        assert_eq!(a.method, Method::Mean);
        assert_eq!(a.value, 12.0);
        assert!(a.outliers.is_empty());
        assert!(a.dropped.is_empty());
        assert_eq!(aggregate(&[], 10.0).method, Method::None);
        // Equal extremes: one of each is dropped.
        let a = aggregate(&[8.0, 8.0, 8.0, 8.0, 8.0], 10.0);
        assert_eq!(a.value, 8.0);
        assert_eq!(a.dropped.len(), 2);
    }

    #[test]
    fn outliers_need_two_others_and_the_threshold() {
        // Two experts: no flag (no "others" to compare with meaningfully).
        assert!(aggregate(&[0.0, 10.0], 10.0).outliers.is_empty());
        // Exactly 20 % away is not flagged; just over is.
        assert!(aggregate(&[8.0, 8.0, 6.0], 10.0).outliers.is_empty());
        assert_eq!(aggregate(&[8.0, 8.0, 5.9], 10.0).outliers, vec![2]);
    }

    #[test]
    fn scores_out_of_range_name_the_leaf() {
        let mut s = scheme();
        validate_tree(&mut s).unwrap();
        assert!(check_score(&s[2], 30.0).is_ok());
        let e = check_score(&s[2], 31.0).unwrap_err();
        assert_eq!(e.field, "score");
        assert!(e.detail_zh.contains("特色亮点"));
        assert!(check_score(&s[2], -1.0).is_err());
        assert!(check_score(&s[2], f64::NAN).is_err());
        assert_eq!(
            check_score(&s[0].children[0], 1.0).unwrap_err().field,
            "leaf"
        );
    }

    #[test]
    fn ranking_with_ties() {
        assert_eq!(rank(&[80.0, 90.0, 80.0, 70.0]), vec![2, 1, 2, 4]);
        assert_eq!(rank(&[80.001, 80.0]), vec![1, 1]);
        assert!(rank(&[]).is_empty());
    }

    #[test]
    fn subtotals_add_leaves() {
        let mut s = scheme();
        validate_tree(&mut s).unwrap();
        let lp: std::collections::HashMap<String, f64> =
            [("1.1", 10.0), ("1.2", 7.5), ("2.1", 24.0), ("3", 27.0)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
        let st = subtotals(&s, &lp);
        assert_eq!(st["1"], 17.5);
        assert_eq!(st["2"], 24.0);
        assert_eq!(st["2.2"], 0.0);
        assert_eq!(st["3"], 27.0);
    }

    #[test]
    fn labels_and_republish() {
        assert_eq!(expert_label(0, false), "专家A");
        assert_eq!(expert_label(2, true), "Expert C");
        assert_eq!(expert_label(26, false), "专家AA");
        assert_eq!(check_republish(0, ""), Ok(None));
        assert_eq!(check_republish(1, "").unwrap_err().field, "reason");
        assert_eq!(
            check_republish(1, " 补录数据 "),
            Ok(Some("补录数据".to_string()))
        );
    }

    #[test]
    fn rules_describe_themselves() {
        let r = ScoringRule::Indicator {
            code: "high_skilled_per_10k".into(),
            target: 1500.0,
        };
        assert!(r.describe(30.0, false).contains("每万名职工"));
        assert!(expert(15.0).describe(15.0, false).contains("亮点突出"));
    }
}
