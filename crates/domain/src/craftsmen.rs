//! 工匠培育: four-level craftsman selection (domain.md "Contribution platforms").
//!
//! - A selection round (评选批次) is held at one level — city (the title is 龙城工匠),
//!   district, town or enterprise — in a year, for a number of titles, with a quota: how
//!   many nominees each nominator may put forward.
//! - The level below nominates, within its own subtree only: the districts for a city
//!   round, the towns of the district for a district round, the enterprises of the town
//!   for a town round, and for an enterprise round the enterprise itself.
//! - A nominee already holding the title at that level is refused, as is a second
//!   nomination of one worker in one round.
use crate::error::text;
use crate::org::labelled_enum;
use crate::tasks::date;
use crate::{FieldError, Rule};

labelled_enum!(
    /// 评选级别: where a round is held.
    CraftsmanLevel {
        City = "city", "市级", "City";
        District = "district", "区级", "District";
        Town = "town", "镇级", "Town";
        Enterprise = "enterprise", "企业级", "Enterprise";
    }
);

impl CraftsmanLevel {
    /// The title a round of this level confers.
    pub fn title(self, en: bool) -> &'static str {
        match (self, en) {
            (CraftsmanLevel::City, false) => "龙城工匠",
            (CraftsmanLevel::City, true) => "Longcheng craftsman",
            (CraftsmanLevel::District, false) => "区级工匠",
            (CraftsmanLevel::District, true) => "District craftsman",
            (CraftsmanLevel::Town, false) => "镇级工匠",
            (CraftsmanLevel::Town, true) => "Town craftsman",
            (CraftsmanLevel::Enterprise, false) => "企业工匠",
            (CraftsmanLevel::Enterprise, true) => "Enterprise craftsman",
        }
    }

    /// The process a nomination to a round of this level runs on.
    pub fn process(self) -> &'static str {
        match self {
            CraftsmanLevel::City => "craftsman_city",
            CraftsmanLevel::District => "craftsman_district",
            CraftsmanLevel::Town => "craftsman_town",
            CraftsmanLevel::Enterprise => "craftsman_enterprise",
        }
    }
}

/// The designation type every level's title is registered under (its level is the
/// round's).
pub const TITLE_TYPE: &str = "longcheng_craftsman";

/// A round as typed.
#[derive(Debug, Clone, Default)]
pub struct RoundDraft {
    pub name: String,
    pub level: String,
    pub year: Option<i64>,
    pub titles: Option<i64>,
    pub quota: Option<i64>,
    pub closes_on: String,
}

/// A round, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundFields {
    pub name: String,
    pub level: CraftsmanLevel,
    pub year: i64,
    pub titles: i64,
    pub quota: i64,
    pub closes_on: Option<String>,
}

fn count(field: &str, label: (&str, &str), v: Option<i64>, max: i64) -> Result<i64, FieldError> {
    match v {
        Some(n) if (1..=max).contains(&n) => Ok(n),
        None => Err(FieldError::required(field, label.0, label.1)),
        Some(_) => Err(FieldError::new(
            field,
            Rule::Forbidden,
            format!("{}须为 1 到 {max} 之间的整数", label.0),
            format!("{} must be a whole number from 1 to {max}", label.1),
        )),
    }
}

/// Checks a round: a name, a known level, a year, a number of titles and a quota per
/// nominator (at most the titles).
pub fn check_round(d: &RoundDraft) -> Result<RoundFields, Vec<FieldError>> {
    let mut errs = Vec::new();
    let name = text("name", ("批次名称", "Round name"), &d.name, true, 200)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    let level = CraftsmanLevel::from_any(d.level.trim());
    if level.is_none() {
        errs.push(FieldError::new(
            "level",
            Rule::UnknownValue,
            format!(
                "评选级别“{}”无效，应为：市级、区级、镇级、企业级",
                d.level.trim()
            ),
            format!(
                "unknown level '{}': use city, district, town or enterprise",
                d.level.trim()
            ),
        ));
    }
    let year = match d.year {
        Some(y) if (2000..=2100).contains(&y) => Some(y),
        Some(_) => {
            errs.push(FieldError::new(
                "year",
                Rule::Forbidden,
                "年度须在 2000–2100 之间",
                "the year must be 2000–2100",
            ));
            None
        }
        None => {
            errs.push(FieldError::required("year", "年度", "Year"));
            None
        }
    };
    let titles = count("titles", ("评选名额", "Titles"), d.titles, 1000)
        .map_err(|e| errs.push(e))
        .ok();
    let quota = count(
        "quota",
        ("每个推荐单位名额", "Quota per nominator"),
        d.quota,
        1000,
    )
    .map_err(|e| errs.push(e))
    .ok();
    if let (Some(t), Some(q)) = (titles, quota) {
        if q > t {
            errs.push(FieldError::new(
                "quota",
                Rule::Forbidden,
                format!("每个推荐单位名额（{q}）不能多于评选名额（{t}）"),
                format!("the quota per nominator ({q}) cannot exceed the titles ({t})"),
            ));
        }
    }
    let closes_on = if d.closes_on.trim().is_empty() {
        None
    } else {
        date(
            "closes_on",
            ("推荐截止日期", "Nominations close"),
            &d.closes_on,
        )
        .map_err(|e| errs.push(e))
        .ok()
    };
    match (name, level, year, titles, quota) {
        (Some(name), Some(level), Some(year), Some(titles), Some(quota)) if errs.is_empty() => {
            Ok(RoundFields {
                name,
                level,
                year,
                titles,
                quota,
                closes_on,
            })
        }
        _ => Err(errs),
    }
}

/// The refusal of a nomination over the nominator's quota.
pub fn over_quota(used: i64, quota: i64) -> Option<FieldError> {
    (used >= quota).then(|| {
        FieldError::new(
            "worker",
            Rule::Forbidden,
            format!("本批次贵单位推荐名额为 {quota} 名，已推荐 {used} 名，不能再推荐"),
            format!("your quota in this round is {quota}; {used} nominated already"),
        )
    })
}

/// The refusal of a nominee who holds the title already.
pub fn holds_title(name: &str, level: CraftsmanLevel) -> FieldError {
    FieldError::new(
        "worker",
        Rule::Duplicate,
        format!("{name}已获得{}称号，不能重复推荐", level.title(false)),
        format!("{name} holds the {} title already", level.title(true)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> RoundDraft {
        RoundDraft {
            name: "2025年度龙城工匠评选".into(),
            level: "市级".into(),
            year: Some(2025),
            titles: Some(40),
            quota: Some(8),
            closes_on: "2025-06-30".into(),
        }
    }

    #[test]
    fn a_round_is_checked_field_by_field() {
        let f = check_round(&draft()).unwrap();
        assert_eq!(f.level, CraftsmanLevel::City);
        assert_eq!(f.level.title(false), "龙城工匠");
        let mut d = draft();
        d.quota = Some(50);
        let e = check_round(&d).unwrap_err();
        assert_eq!(e[0].field, "quota");
        let mut d = draft();
        d.level = "省级".into();
        d.titles = Some(0);
        let fields: Vec<String> = check_round(&d)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["level", "titles"]);
    }

    #[test]
    fn the_quota_is_kept() {
        assert!(over_quota(7, 8).is_none());
        assert_eq!(over_quota(8, 8).unwrap().field, "worker");
        assert!(holds_title("张三", CraftsmanLevel::District)
            .message(false)
            .contains("区级工匠"));
    }
}
