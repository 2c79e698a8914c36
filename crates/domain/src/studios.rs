//! 劳模（工匠）创新工作室: innovation studios (domain.md "Contribution platforms").
//!
//! - A studio sits in an enterprise, is led by a registered worker who holds a 劳动模范
//!   or 工匠 title, has members, and holds its recognition at a level (国家级 / 省级 /
//!   市级 / 区级) — the registry's `innovation_studio` designation.
//! - Each year it is reviewed: scored by experts against criteria like the assessment's,
//!   and the score decides the outcome: 90 or more, upgraded a level (kept at the top);
//!   75 to 90, kept; 60 to 75, downgraded (a district studio is revoked); under 60,
//!   revoked.
use crate::error::text;
use crate::org::labelled_enum;
use crate::{FieldError, Rule};

labelled_enum!(
    /// 工作室级别.
    StudioLevel {
        National = "national", "国家级", "National";
        Province = "province", "省级", "Provincial";
        City = "city", "市级", "City";
        District = "district", "区级", "District";
    }
);

labelled_enum!(
    /// 年度评估结果.
    ReviewOutcome {
        Upgraded = "upgraded", "升级", "Upgraded";
        Kept = "kept", "保持", "Kept";
        Downgraded = "downgraded", "降级", "Downgraded";
        Revoked = "revoked", "撤销", "Revoked";
    }
);

impl StudioLevel {
    /// One level up (a national studio stays).
    pub fn up(self) -> StudioLevel {
        match self {
            StudioLevel::District => StudioLevel::City,
            StudioLevel::City => StudioLevel::Province,
            _ => StudioLevel::National,
        }
    }

    /// One level down (`None` below the district: revoked).
    pub fn down(self) -> Option<StudioLevel> {
        match self {
            StudioLevel::National => Some(StudioLevel::Province),
            StudioLevel::Province => Some(StudioLevel::City),
            StudioLevel::City => Some(StudioLevel::District),
            StudioLevel::District => None,
        }
    }
}

/// The outcome of a review scored `score` (of 100) for a studio at `level`, and the
/// level it holds afterwards (`None`: revoked).
pub fn outcome(score: f64, level: StudioLevel) -> (ReviewOutcome, Option<StudioLevel>) {
    if score >= 90.0 {
        if level == StudioLevel::National {
            (ReviewOutcome::Kept, Some(level))
        } else {
            (ReviewOutcome::Upgraded, Some(level.up()))
        }
    } else if score >= 75.0 {
        (ReviewOutcome::Kept, Some(level))
    } else if score >= 60.0 {
        match level.down() {
            Some(l) => (ReviewOutcome::Downgraded, Some(l)),
            None => (ReviewOutcome::Revoked, None),
        }
    } else {
        (ReviewOutcome::Revoked, None)
    }
}

/// The designation types whose holders may lead a studio (劳动模范, 工匠 at any level).
pub const LEADER_TITLES: &[&str] = &["model_worker", "longcheng_craftsman"];

/// A studio as typed.
#[derive(Debug, Clone, Default)]
pub struct StudioDraft {
    pub name: String,
    pub level: String,
    pub founded: Option<i64>,
}

/// A studio, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct StudioFields {
    pub name: String,
    pub level: StudioLevel,
    pub founded: i64,
}

/// Checks a studio's name, level and founding year.
pub fn check_studio(d: &StudioDraft) -> Result<StudioFields, Vec<FieldError>> {
    let mut errs = Vec::new();
    let name = text("name", ("工作室名称", "Studio name"), &d.name, true, 200)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    let level = StudioLevel::from_any(d.level.trim());
    if level.is_none() {
        errs.push(FieldError::new(
            "level",
            Rule::UnknownValue,
            format!(
                "工作室级别“{}”无效，应为：国家级、省级、市级、区级",
                d.level.trim()
            ),
            format!(
                "unknown level '{}': use national, province, city or district",
                d.level.trim()
            ),
        ));
    }
    let founded = match d.founded {
        Some(y) if (1990..=2100).contains(&y) => Some(y),
        Some(_) => {
            errs.push(FieldError::new(
                "founded",
                Rule::Forbidden,
                "命名年度须在 1990–2100 之间",
                "the year named must be 1990–2100",
            ));
            None
        }
        None => {
            errs.push(FieldError::required("founded", "命名年度", "Year named"));
            None
        }
    };
    match (name, level, founded) {
        (Some(name), Some(level), Some(founded)) if errs.is_empty() => Ok(StudioFields {
            name,
            level,
            founded,
        }),
        _ => Err(errs),
    }
}

/// The refusal of a leader who holds no 劳模 or 工匠 title.
pub fn leader_without_title(name: &str) -> FieldError {
    FieldError::new(
        "leader",
        Rule::Forbidden,
        format!("{name}未获得劳动模范或工匠称号，不能领办创新工作室"),
        format!("{name} holds no model-worker or craftsman title and cannot lead a studio"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_decides_the_outcome_and_the_level_follows() {
        use ReviewOutcome::*;
        use StudioLevel::*;
        assert_eq!(outcome(93.0, City), (Upgraded, Some(Province)));
        assert_eq!(outcome(95.0, National), (Kept, Some(National)));
        assert_eq!(outcome(80.0, City), (Kept, Some(City)));
        assert_eq!(outcome(70.0, City), (Downgraded, Some(District)));
        assert_eq!(outcome(70.0, District), (Revoked, None));
        assert_eq!(outcome(50.0, Province), (Revoked, None));
    }

    #[test]
    fn a_studio_is_checked() {
        let d = StudioDraft {
            name: "张明数控创新工作室".into(),
            level: "市级".into(),
            founded: Some(2021),
        };
        assert_eq!(check_studio(&d).unwrap().level, StudioLevel::City);
        let e = check_studio(&StudioDraft {
            level: "县级".into(),
            ..d
        })
        .unwrap_err();
        assert_eq!(e[0].field, "level");
        assert!(leader_without_title("李四")
            .message(false)
            .contains("劳动模范"));
    }
}
