//! 技能形成: training providers and classes (domain.md "Skills formation").
//!
//! - A provider is an organisation of the tree: a 院校 with its type (产业学院, 工匠学院,
//!   职工学堂, 其他) or an enterprise acting as a training site.
//! - A class (培训班) has a code (班级编号, the key of the `classes` template), a type
//!   (新型学徒制 / 现代学徒制 / 技能提升), a provider, optionally an enterprise, an
//!   occupation, a target level on the ladder, a year and its dates.
//! - Its figures (学员数, 结业数) are recorded as imported; once workers are enrolled on
//!   the platform they are the roster's counts.
use crate::error::text;
use crate::org::labelled_enum;
use crate::skill::SkillLevel;
use crate::tasks::date;
use crate::{FieldError, Rule};

labelled_enum!(
    /// 院校类型 (contracts.md, `orgs` template).
    CollegeType {
        Industry = "industry", "产业学院", "Industry college";
        Craftsman = "craftsman", "工匠学院", "Craftsman college";
        Worker = "worker", "职工学堂", "Workers' school";
        Other = "other", "其他", "Other";
    }
);

labelled_enum!(
    /// 班级类型 (contracts.md, `classes` template).
    ClassType {
        NewApprentice = "new_apprentice", "新型学徒制", "New apprenticeship";
        ModernApprentice = "modern_apprentice", "现代学徒制", "Modern apprenticeship";
        Upskilling = "upskilling", "技能提升", "Upskilling";
    }
);

labelled_enum!(
    /// Where a trainee stands in a class.
    TraineeStatus {
        Enrolled = "enrolled", "在训", "Enrolled";
        Completed = "completed", "已结业", "Completed";
        Withdrawn = "withdrawn", "已退出", "Withdrawn";
    }
);

impl ClassType {
    /// A 新型学徒制 apprentice is paired with a master (师傅) from the registry.
    pub fn pairs_masters(self) -> bool {
        self == ClassType::NewApprentice
    }
}

/// A class as typed (form, API or a row of the `classes` template), before the provider
/// and enterprise are resolved in the tree.
#[derive(Debug, Clone, Default)]
pub struct ClassDraft {
    pub code: String,
    pub name: String,
    pub ctype: String,
    pub occupation: String,
    pub target_level: String,
    pub year: Option<i64>,
    pub starts_on: String,
    pub ends_on: String,
    pub trainees: Option<i64>,
    pub completed: Option<i64>,
}

/// A valid class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassFields {
    pub code: String,
    pub name: String,
    pub ctype: ClassType,
    pub occupation: Option<String>,
    pub target_level: Option<SkillLevel>,
    pub year: i64,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub trainees: i64,
    pub completed: i64,
}

fn count(field: &str, label: (&str, &str), v: Option<i64>) -> Result<i64, FieldError> {
    match v {
        Some(n) if n < 0 => Err(FieldError::new(
            field,
            Rule::BadFormat,
            format!("{}不能为负数", label.0),
            format!("{} cannot be negative", label.1),
        )),
        Some(n) if n > 100_000 => Err(FieldError::new(
            field,
            Rule::BadFormat,
            format!("{}不能超过 100,000", label.0),
            format!("{} cannot exceed 100,000", label.1),
        )),
        v => Ok(v.unwrap_or(0)),
    }
}

fn optional_date(
    field: &str,
    label: (&str, &str),
    v: &str,
    errs: &mut Vec<FieldError>,
) -> Option<String> {
    if v.trim().is_empty() {
        return None;
    }
    date(field, label, v).map_err(|e| errs.push(e)).ok()
}

/// Checks a class: the code (letters, digits, `-` and `_`, up to 40), the name, the
/// type, a year in 2000–2100, an end not before the start, and 结业数 ≤ 学员数.
pub fn check_class(d: &ClassDraft) -> Result<ClassFields, Vec<FieldError>> {
    let mut errs = Vec::new();
    let code = crate::error::record_code("code", ("班级编号", "Class code"), &d.code, &mut errs);
    let name = text("name", ("班级名称", "Class name"), &d.name, true, 200)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    let ctype = if d.ctype.trim().is_empty() {
        errs.push(FieldError::required("type", "班级类型", "Class type"));
        None
    } else {
        let t = ClassType::from_any(&d.ctype);
        if t.is_none() {
            errs.push(FieldError::new(
                "type",
                Rule::UnknownValue,
                format!(
                    "班级类型“{}”无效，应为：新型学徒制、现代学徒制、技能提升",
                    d.ctype.trim()
                ),
                format!(
                    "unknown class type '{}': use new_apprentice, modern_apprentice or upskilling",
                    d.ctype.trim()
                ),
            ));
        }
        t
    };
    let occupation = text(
        "occupation",
        ("工种", "Occupation"),
        &d.occupation,
        false,
        100,
    )
    .map_err(|e| errs.push(e))
    .ok()
    .flatten();
    let target_level = if d.target_level.trim().is_empty() {
        None
    } else {
        let l = SkillLevel::parse(d.target_level.trim());
        if l.is_none() {
            errs.push(FieldError::new(
                "target_level",
                Rule::UnknownValue,
                format!("目标等级“{}”不是八级工等级", d.target_level.trim()),
                format!(
                    "target level '{}' is not a level of the ladder",
                    d.target_level.trim()
                ),
            ));
        }
        l
    };
    let year = match d.year {
        None => {
            errs.push(FieldError::required("year", "开班年份", "Year"));
            None
        }
        Some(y) if !(2000..=2100).contains(&y) => {
            errs.push(FieldError::new(
                "year",
                Rule::BadFormat,
                format!("开班年份须在 2000–2100 之间，收到 {y}"),
                format!("year must be between 2000 and 2100, got {y}"),
            ));
            None
        }
        Some(y) => Some(y),
    };
    let starts_on = optional_date(
        "starts_on",
        ("开班日期", "Start date"),
        &d.starts_on,
        &mut errs,
    );
    let ends_on = optional_date("ends_on", ("结业日期", "End date"), &d.ends_on, &mut errs);
    if let (Some(s), Some(e)) = (&starts_on, &ends_on) {
        if e < s {
            errs.push(FieldError::new(
                "ends_on",
                Rule::Forbidden,
                format!("结业日期 {e} 早于开班日期 {s}"),
                format!("the class ends ({e}) before it starts ({s})"),
            ));
        }
    }
    if let (Some(s), Some(y)) = (&starts_on, year) {
        if !s.starts_with(&y.to_string()) {
            errs.push(FieldError::new(
                "starts_on",
                Rule::Forbidden,
                format!("开班日期 {s} 不在开班年份 {y} 年内"),
                format!("the start date {s} is not in the class year {y}"),
            ));
        }
    }
    let trainees = count("trainees", ("学员数", "Trainees"), d.trainees)
        .map_err(|e| errs.push(e))
        .ok();
    let completed = count("completed", ("结业数", "Completed"), d.completed)
        .map_err(|e| errs.push(e))
        .ok();
    if let (Some(t), Some(c)) = (trainees, completed) {
        if c > t {
            errs.push(FieldError::new(
                "completed",
                Rule::Forbidden,
                format!("结业数 {c} 不能超过学员数 {t}"),
                format!("completed ({c}) cannot exceed trainees ({t})"),
            ));
        }
    }
    match (name, ctype, year, trainees, completed) {
        (Some(name), Some(ctype), Some(year), Some(trainees), Some(completed))
            if errs.is_empty() =>
        {
            Ok(ClassFields {
                code,
                name,
                ctype,
                occupation,
                target_level,
                year,
                starts_on,
                ends_on,
                trainees,
                completed,
            })
        }
        _ => Err(errs),
    }
}

/// A certificate number as recorded on completion: up to 64 letters, digits and `-`.
pub fn check_certificate_no(v: &str) -> Result<String, FieldError> {
    let c = crate::error::normalise_code(v);
    if c.is_empty() {
        return Err(FieldError::required(
            "certificate_no",
            "证书编号",
            "Certificate number",
        ));
    }
    if c.chars().count() > 64 || !c.chars().all(|x| x.is_ascii_alphanumeric() || x == '-') {
        return Err(FieldError::new(
            "certificate_no",
            Rule::BadFormat,
            format!("证书编号“{c}”无效：只能使用字母、数字和 -，最长 64 位"),
            format!("certificate number '{c}' is invalid: letters, digits and - only, up to 64"),
        ));
    }
    Ok(c)
}

labelled_enum!(
    /// The yearly review of a professor's engagement.
    EngagementReview {
        Excellent = "excellent", "优秀", "Excellent";
        Pass = "pass", "合格", "Pass";
        Fail = "fail", "不合格", "Fail";
    }
);

/// A 产业教授's engagement at a college for a year, as typed.
#[derive(Debug, Clone, Default)]
pub struct EngagementDraft {
    pub year: Option<i64>,
    pub courses: String,
    pub projects: String,
    pub hours: Option<i64>,
}

/// A valid engagement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngagementFields {
    pub year: i64,
    pub courses: Option<String>,
    pub projects: Option<String>,
    pub hours: i64,
}

/// Checks an engagement: a year in 2000–2100, courses or projects (at least one), and
/// 0–2,000 hours in the year.
pub fn check_engagement(d: &EngagementDraft) -> Result<EngagementFields, Vec<FieldError>> {
    let mut errs = Vec::new();
    let year = match d.year {
        Some(y) if (2000..=2100).contains(&y) => Some(y),
        Some(y) => {
            errs.push(FieldError::new(
                "year",
                Rule::BadFormat,
                format!("年度须在 2000–2100 之间，收到 {y}"),
                format!("year must be between 2000 and 2100, got {y}"),
            ));
            None
        }
        None => {
            errs.push(FieldError::required("year", "年度", "Year"));
            None
        }
    };
    let courses = text("courses", ("授课课程", "Courses"), &d.courses, false, 500)
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    let projects = text(
        "projects",
        ("合作项目", "Projects"),
        &d.projects,
        false,
        500,
    )
    .map_err(|e| errs.push(e))
    .ok()
    .flatten();
    if courses.is_none() && projects.is_none() && errs.iter().all(|e| e.field == "year") {
        errs.push(FieldError::new(
            "courses",
            Rule::Required,
            "请填写授课课程或合作项目（至少一项）",
            "give the courses taught or the projects (at least one)",
        ));
    }
    let hours = match d.hours {
        None => Some(0),
        Some(h) if (0..=2000).contains(&h) => Some(h),
        Some(h) => {
            errs.push(FieldError::new(
                "hours",
                Rule::BadFormat,
                format!("年度课时须在 0–2,000 之间，收到 {h}"),
                format!("hours in the year must be 0–2,000, got {h}"),
            ));
            None
        }
    };
    match (year, hours) {
        (Some(year), Some(hours)) if errs.is_empty() => Ok(EngagementFields {
            year,
            courses,
            projects,
            hours,
        }),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ClassDraft {
        ClassDraft {
            code: "XT-2025-001".into(),
            name: "数控车工新型学徒制培训班".into(),
            ctype: "新型学徒制".into(),
            occupation: "数控车工".into(),
            target_level: "高级工".into(),
            year: Some(2025),
            starts_on: "2025-03-01".into(),
            ends_on: "2025-12-31".into(),
            trainees: Some(40),
            completed: Some(38),
        }
    }

    fn fields_of(d: &ClassDraft) -> Vec<String> {
        check_class(d)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_valid_class() {
        let c = check_class(&draft()).unwrap();
        assert_eq!(c.ctype, ClassType::NewApprentice);
        assert_eq!(c.target_level, Some(SkillLevel::Senior));
        assert!(c.ctype.pairs_masters());
    }

    #[test]
    fn refusals_name_the_field() {
        let mut d = draft();
        d.ends_on = "2025-02-01".into();
        assert_eq!(fields_of(&d), ["ends_on"]);
        let mut d = draft();
        d.completed = Some(41);
        assert_eq!(fields_of(&d), ["completed"]);
        let mut d = draft();
        d.ctype = "夜校".into();
        d.code = "a b/c".into();
        assert_eq!(fields_of(&d), ["code", "type"]);
        let mut d = draft();
        d.year = None;
        d.target_level = "九级".into();
        assert_eq!(fields_of(&d), ["target_level", "year"]);
        let mut d = draft();
        d.starts_on = "2024-12-01".into();
        assert_eq!(fields_of(&d), ["starts_on"]);
    }

    #[test]
    fn engagements() {
        let ok = EngagementDraft {
            year: Some(2025),
            courses: "数控加工工艺".into(),
            hours: Some(48),
            ..Default::default()
        };
        assert_eq!(check_engagement(&ok).unwrap().hours, 48);
        let mut bad = ok.clone();
        bad.courses.clear();
        bad.hours = Some(5000);
        let f: Vec<_> = check_engagement(&bad)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(f, ["courses", "hours"]);
        assert_eq!(
            EngagementReview::from_any("合格"),
            Some(EngagementReview::Pass)
        );
    }

    #[test]
    fn labels_and_certificates() {
        assert_eq!(
            CollegeType::from_any("工匠学院"),
            Some(CollegeType::Craftsman)
        );
        assert_eq!(ClassType::from_any("技能提升"), Some(ClassType::Upskilling));
        assert!(check_certificate_no("S000032040000253001234").is_ok());
        assert_eq!(
            check_certificate_no("证书 1").unwrap_err().rule,
            Rule::BadFormat
        );
    }
}
