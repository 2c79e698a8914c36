//! The programme's registers: pilots (试点), titles and honours (认定与荣誉), report
//! periods, and the indicator catalogue.
use crate::error::{normalise_code, FieldError, Rule};
use crate::org::labelled_enum;
use crate::OrgKind;

labelled_enum!(
    /// 试点级别, highest first.
    PilotLevel {
        Province = "province", "省级", "Provincial";
        City = "city", "市级", "City";
        County = "county", "县级", "County / district";
        Town = "town", "镇级", "Town";
    }
);

labelled_enum!(
    /// 试点类型: a pilot enterprise or a featured industrial park.
    PilotType {
        Enterprise = "enterprise", "企业", "Enterprise";
        Park = "park", "园区", "Industrial park";
    }
);

impl PilotType {
    /// The organisation kind a pilot of this type must be.
    pub fn org_kind(self) -> OrgKind {
        match self {
            PilotType::Enterprise => OrgKind::Enterprise,
            PilotType::Park => OrgKind::Park,
        }
    }
}

labelled_enum!(
    /// 级别 of a title or honour, highest first.
    DesignationLevel {
        National = "national", "国家级", "National";
        Province = "province", "省级", "Provincial";
        City = "city", "市级", "City";
        District = "district", "区级", "District";
        Town = "town", "镇级", "Town";
        Enterprise = "enterprise", "企业级", "Enterprise";
    }
);

impl DesignationLevel {
    /// 市级及以上.
    pub fn city_or_above(self) -> bool {
        matches!(
            self,
            DesignationLevel::National | DesignationLevel::Province | DesignationLevel::City
        )
    }
}

/// Who holds a title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Organisation,
    Worker,
}

labelled_enum!(
    /// 认定与荣誉: every title and honour, in one registry.
    DesignationType {
        IntegrationEnterprise = "integration_enterprise", "产教融合型试点企业", "Industry-education integration pilot enterprise";
        ApprenticeshipPilot = "apprenticeship_pilot", "现代学徒制试点单位", "Modern apprenticeship pilot unit";
        IndustryProfessor = "industry_professor", "产业教授", "Industry professor";
        LongchengCraftsman = "longcheng_craftsman", "龙城工匠", "Longcheng craftsman";
        ModelWorker = "model_worker", "劳动模范", "Model worker";
        MayDayMedal = "may_day_medal", "五一劳动奖章", "May Day Labour Medal";
        MayDayAward = "may_day_award", "五一劳动奖状", "May Day Labour Award (organisations)";
        SkillMaster = "skill_master", "技术能手", "Technical expert";
        InnovationStudio = "innovation_studio", "创新工作室", "Model-worker / craftsman innovation studio";
        BestPractice = "best_practice", "十佳产改实践案例", "Top-ten reform practice case";
    }
);

impl DesignationType {
    pub fn holder(self) -> Holder {
        use DesignationType::*;
        match self {
            IndustryProfessor | LongchengCraftsman | ModelWorker | MayDayMedal | SkillMaster => {
                Holder::Worker
            }
            IntegrationEnterprise
            | ApprenticeshipPilot
            | MayDayAward
            | InnovationStudio
            | BestPractice => Holder::Organisation,
        }
    }
}

/// A reporting period: a year, a quarter or a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    /// 0 = the whole year, 1–4 = quarter, 11–22 = month 1–12 (kept orderable).
    pub part: u8,
}

impl Period {
    pub fn year(year: i32) -> Period {
        Period { year, part: 0 }
    }

    /// `2023`, `2023Q4`, `2023-06` (full-width digits and spaces folded).
    pub fn parse(s: &str) -> Result<Period, FieldError> {
        let s = normalise_code(s).to_ascii_uppercase();
        let bad = || {
            FieldError::new(
                "period",
                Rule::BadFormat,
                format!("报告期“{s}”格式应为年份（2023）、季度（2023Q4）或月份（2023-06）"),
                format!(
                    "period '{s}' must be a year (2023), a quarter (2023Q4) or a month (2023-06)"
                ),
            )
        };
        let year_of = |y: &str| -> Result<i32, FieldError> {
            let y: i32 = y.parse().map_err(|_| bad())?;
            if (2000..=2100).contains(&y) {
                Ok(y)
            } else {
                Err(FieldError::new(
                    "period",
                    Rule::BadFormat,
                    format!("报告期年份 {y} 超出范围（2000–2100）"),
                    format!("year {y} is out of range (2000-2100)"),
                ))
            }
        };
        if s.len() == 4 {
            return Ok(Period::year(year_of(&s)?));
        }
        if let Some((y, q)) = s.split_once('Q') {
            let q: u8 = q.parse().map_err(|_| bad())?;
            if (1..=4).contains(&q) {
                return Ok(Period {
                    year: year_of(y)?,
                    part: q,
                });
            }
            return Err(bad());
        }
        if let Some((y, m)) = s.split_once('-') {
            let m: u8 = m.parse().map_err(|_| bad())?;
            if (1..=12).contains(&m) && m.to_string().len() <= 2 {
                return Ok(Period {
                    year: year_of(y)?,
                    part: 10 + m,
                });
            }
        }
        Err(bad())
    }

    pub fn is_year(self) -> bool {
        self.part == 0
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.part {
            0 => write!(f, "{}", self.year),
            q @ 1..=4 => write!(f, "{}Q{q}", self.year),
            m => write!(f, "{}-{:02}", self.year, m - 10),
        }
    }
}

/// A year field (立项年份, 年份): 2000–2100.
pub fn parse_year(field: &str, s: &str) -> Result<i32, FieldError> {
    let t = normalise_code(s).trim_end_matches('年').to_string();
    match t.parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => Ok(y),
        _ => Err(FieldError::new(
            field,
            Rule::BadFormat,
            format!("年份“{s}”无效，应为 2000–2100 之间的四位年份"),
            format!("year '{s}' must be a four-digit year between 2000 and 2100"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert_eq!(Period::parse("2023").unwrap(), Period::year(2023));
        assert_eq!(Period::parse("2023q4").unwrap().to_string(), "2023Q4");
        assert_eq!(Period::parse("２０２３-06").unwrap().to_string(), "2023-06");
        assert!(Period::parse("2023Q5").is_err());
        assert!(Period::parse("23").is_err());
        assert!(Period::parse("1999").is_err());
        assert!(Period::parse("2023-13").is_err());
        assert!(Period::year(2022) < Period::parse("2023Q1").unwrap());
    }

    #[test]
    fn years() {
        assert_eq!(parse_year("year", "2023年").unwrap(), 2023);
        assert!(parse_year("year", "23").is_err());
    }

    #[test]
    fn registry_labels() {
        assert_eq!(
            DesignationType::from_any("龙城工匠"),
            Some(DesignationType::LongchengCraftsman)
        );
        assert_eq!(DesignationType::LongchengCraftsman.holder(), Holder::Worker);
        assert_eq!(
            DesignationType::InnovationStudio.holder(),
            Holder::Organisation
        );
        assert!(DesignationLevel::Province.city_or_above());
        assert!(!DesignationLevel::District.city_or_above());
        assert_eq!(PilotLevel::from_any("市级"), Some(PilotLevel::City));
        assert_eq!(PilotType::Park.org_kind(), OrgKind::Park);
    }
}
