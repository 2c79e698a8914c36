//! The yearly reform statistics form (产改统计表): data elements, validation rules and
//! the states a report moves through.
use crate::error::{FieldError, Rule};
use crate::org::labelled_enum;

/// A data element: code (the API and import alias), Chinese label, whether it is money
/// in 万元 with two decimals (stored ×100 as an integer).
pub struct Element {
    pub code: &'static str,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub money: bool,
}

pub const ELEMENTS: &[Element] = &[
    Element {
        code: "workers",
        label_zh: "职工总数",
        label_en: "Workers",
        money: false,
    },
    Element {
        code: "frontline_workers",
        label_zh: "一线职工数",
        label_en: "Frontline workers",
        money: false,
    },
    Element {
        code: "high_skilled",
        label_zh: "高技能人才数",
        label_en: "High-skilled talents",
        money: false,
    },
    Element {
        code: "high_skilled_new",
        label_zh: "当年新增高技能人才数",
        label_en: "New high-skilled talents",
        money: false,
    },
    Element {
        code: "training_person_times",
        label_zh: "培训人次",
        label_en: "Training (person-times)",
        money: false,
    },
    Element {
        code: "training_spend_wan",
        label_zh: "培训投入万元",
        label_en: "Training spend (10k yuan)",
        money: true,
    },
    Element {
        code: "proposals",
        label_zh: "合理化建议数",
        label_en: "Rationalisation proposals",
        money: false,
    },
    Element {
        code: "innovations",
        label_zh: "创新成果数",
        label_en: "Innovation results",
        money: false,
    },
    Element {
        code: "innovation_benefit_wan",
        label_zh: "创新经济效益万元",
        label_en: "Innovation benefit (10k yuan)",
        money: true,
    },
];

pub fn element(code: &str) -> Option<&'static Element> {
    ELEMENTS
        .iter()
        .find(|e| e.code == code || e.label_zh == code)
}

labelled_enum!(
    /// draft → submitted → approved → locked; submitted or approved → returned (with a
    /// reason) → submitted again.
    ReportStatus {
        Draft = "draft", "草稿", "Draft";
        Submitted = "submitted", "已报送", "Submitted";
        Returned = "returned", "已退回", "Returned for correction";
        Approved = "approved", "已审核", "Approved";
        Locked = "locked", "已锁定", "Locked";
    }
);

labelled_enum!(
    ReportAction {
        Submit = "submit", "报送", "Submit";
        Approve = "approve", "审核通过", "Approve";
        Return = "return", "退回修改", "Return for correction";
        Lock = "lock", "锁定", "Lock";
        Unlock = "unlock", "解锁", "Unlock";
    }
);

impl ReportStatus {
    /// Counted in the indicators.
    pub fn counts(self) -> bool {
        matches!(self, ReportStatus::Approved | ReportStatus::Locked)
    }
    /// The reporting unit may still change the figures.
    pub fn editable(self) -> bool {
        matches!(self, ReportStatus::Draft | ReportStatus::Returned)
    }
    /// The state after `action`, if allowed from this state.
    pub fn after(self, action: ReportAction) -> Option<ReportStatus> {
        use ReportAction as A;
        use ReportStatus as S;
        match (self, action) {
            (S::Draft | S::Returned, A::Submit) => Some(S::Submitted),
            (S::Submitted, A::Approve) => Some(S::Approved),
            (S::Submitted | S::Approved, A::Return) => Some(S::Returned),
            (S::Approved, A::Lock) => Some(S::Locked),
            (S::Locked, A::Unlock) => Some(S::Approved),
            _ => None,
        }
    }
}

/// Why someone with the report in scope may still not approve or return it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewRefusal {
    /// The reviewer submitted this report themselves: nobody reviews their own figures.
    OwnSubmission,
    /// The reviewer's region is neither the organisation's region nor one above it.
    NotLevelAbove,
}

impl ReviewRefusal {
    /// Stable error code.
    pub fn code(self) -> crate::Code {
        match self {
            ReviewRefusal::OwnSubmission => crate::Code::ReviewOwnSubmission,
            ReviewRefusal::NotLevelAbove => crate::Code::ReviewNotLevelAbove,
        }
    }
    pub fn message_zh(self) -> &'static str {
        match self {
            ReviewRefusal::OwnSubmission => {
                "该报表由您本人报送，不能由您审核或退回；请由上级其他工作人员审核"
            }
            ReviewRefusal::NotLevelAbove => {
                "只有填报单位所在区域（镇、街道）或其上级区域的工作人员可以审核或退回该报表"
            }
        }
    }
    pub fn message_en(self) -> &'static str {
        match self {
            ReviewRefusal::OwnSubmission => {
                "you submitted this report yourself; someone else at the level above must review it"
            }
            ReviewRefusal::NotLevelAbove => {
                "only staff of the reporting organisation's region or of a region above it may review this report"
            }
        }
    }
}

/// "Approved by the level above" (审核 and 退回 alike). The reporting organisation sits
/// below its own region, so the level above it is that region (the town or street of an
/// enterprise) — and any region above that one (district, city): a district may review
/// its towns' enterprises directly. `org_regions` is the organisation's region and its
/// ancestors; the reviewer's region must be one of them. Whatever the level, nobody
/// reviews a report they submitted themselves. The caller checks the role first (only
/// region staff review; units, departments and experts never do).
pub fn check_reviewer(
    reviewer: &str,
    reviewer_region: Option<&str>,
    org_regions: &[String],
    submitted_by: Option<&str>,
) -> Result<(), ReviewRefusal> {
    if submitted_by.is_some_and(|s| s == reviewer) {
        return Err(ReviewRefusal::OwnSubmission);
    }
    match reviewer_region {
        Some(r) if org_regions.iter().any(|o| o == r) => Ok(()),
        _ => Err(ReviewRefusal::NotLevelAbove),
    }
}

/// Values of a report: element code → value (money ×100). Missing = not reported.
pub type Values = std::collections::BTreeMap<&'static str, i64>;

/// Parses one element's text: a non-negative integer (thousands separators and
/// full-width digits allowed), or for money a number with at most two decimals.
pub fn parse_value(e: &Element, raw: &str) -> Result<Option<i64>, FieldError> {
    let s: String = crate::error::normalise_code(raw).replace([',', ','], "");
    if s.is_empty() {
        return Ok(None);
    }
    let bad = |why_zh: &str, why_en: &str| {
        FieldError::new(
            e.code,
            Rule::BadFormat,
            format!("{}“{raw}”{why_zh}", e.label_zh),
            format!("{} '{raw}' {why_en}", e.label_en),
        )
    };
    if s.starts_with('-') {
        return Err(FieldError::new(
            e.code,
            Rule::Forbidden,
            format!("{}不能为负数", e.label_zh),
            format!("{} cannot be negative", e.label_en),
        ));
    }
    if e.money {
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        if int.is_empty()
            || !int.chars().all(|c| c.is_ascii_digit())
            || frac.len() > 2
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return Err(bad(
                "应为数字，最多两位小数",
                "must be a number with at most two decimals",
            ));
        }
        let i: i64 = int
            .parse()
            .map_err(|_| bad("超出范围", "is out of range"))?;
        let f: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
        return i
            .checked_mul(100)
            .and_then(|v| v.checked_add(f))
            .map(Some)
            .ok_or_else(|| bad("超出范围", "is out of range"));
    }
    if !s.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad("应为非负整数", "must be a whole number"));
    }
    s.parse::<i64>()
        .map(Some)
        .map_err(|_| bad("超出范围", "is out of range"))
}

/// Cross-field rules, all reported at once.
pub fn check_rules(v: &Values) -> Vec<FieldError> {
    let mut out = Vec::new();
    let le = |a: &str, b: &str, out: &mut Vec<FieldError>| {
        if let (Some(x), Some(y)) = (v.get(a), v.get(b)) {
            if x > y {
                let (ea, eb) = (element(a), element(b));
                let (za, zb) = (
                    ea.map(|e| e.label_zh).unwrap_or(a),
                    eb.map(|e| e.label_zh).unwrap_or(b),
                );
                let (na, nb) = (
                    ea.map(|e| e.label_en).unwrap_or(a),
                    eb.map(|e| e.label_en).unwrap_or(b),
                );
                out.push(FieldError::new(
                    a,
                    Rule::Forbidden,
                    format!("{za}（{x}）不能大于{zb}（{y}）"),
                    format!("{na} ({x}) cannot exceed {nb} ({y})"),
                ));
            }
        }
    };
    le("high_skilled", "workers", &mut out);
    le("frontline_workers", "workers", &mut out);
    le("high_skilled_new", "high_skilled", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_rules() {
        let w = element("workers").unwrap();
        let m = element("培训投入万元").unwrap();
        assert_eq!(parse_value(w, "1,020").unwrap(), Some(1020));
        assert_eq!(parse_value(w, "１０２").unwrap(), Some(102));
        assert_eq!(parse_value(w, "").unwrap(), None);
        assert!(parse_value(w, "-1").is_err());
        assert!(parse_value(w, "1.5").is_err());
        assert_eq!(parse_value(m, "12.5").unwrap(), Some(1250));
        assert_eq!(parse_value(m, "3").unwrap(), Some(300));
        assert!(parse_value(m, "1.234").is_err());
        let mut v = Values::new();
        v.insert("workers", 100);
        v.insert("high_skilled", 120);
        v.insert("frontline_workers", 90);
        let e = check_rules(&v);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "high_skilled");
        assert!(e[0].detail_zh.contains("不能大于职工总数"));
    }

    #[test]
    fn reviewer_is_the_level_above_and_never_the_submitter() {
        let chain: Vec<String> = ["320400", "320402", "320402001"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        // The town of the enterprise, its district and the city may all review.
        for r in ["320402001", "320402", "320400"] {
            assert_eq!(check_reviewer("r", Some(r), &chain, Some("unit")), Ok(()));
        }
        // Another district, another town, or no region at all: not above.
        for r in [Some("320412"), Some("320402002"), None] {
            assert_eq!(
                check_reviewer("r", r, &chain, Some("unit")),
                Err(ReviewRefusal::NotLevelAbove)
            );
        }
        // The submitter never reviews, at whatever level.
        assert_eq!(
            check_reviewer("city", Some("320400"), &chain, Some("city")),
            Err(ReviewRefusal::OwnSubmission)
        );
        // A report imported or loaded as submitted has no submitter to exclude.
        assert_eq!(check_reviewer("city", Some("320400"), &chain, None), Ok(()));
    }

    #[test]
    fn transitions() {
        use ReportAction as A;
        use ReportStatus as S;
        assert_eq!(S::Draft.after(A::Submit), Some(S::Submitted));
        assert_eq!(S::Submitted.after(A::Approve), Some(S::Approved));
        assert_eq!(S::Approved.after(A::Return), Some(S::Returned));
        assert_eq!(S::Returned.after(A::Submit), Some(S::Submitted));
        assert_eq!(S::Approved.after(A::Lock), Some(S::Locked));
        assert_eq!(S::Locked.after(A::Return), None);
        assert_eq!(S::Draft.after(A::Approve), None);
        assert!(S::Locked.counts() && !S::Submitted.counts());
    }
}
