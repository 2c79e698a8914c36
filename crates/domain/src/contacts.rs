//! Enterprise contact points (企业联系点, 双沟通双促进) and pairing (结对共建): the
//! vocabularies, the problem life cycle and the rules for a valid pair. Pure: dates are
//! passed in as text and parsed here.
use crate::error::{text, FieldError, Rule};
use crate::org::labelled_enum;
use chrono::NaiveDate;

labelled_enum!(
    /// How an official met the enterprise.
    VisitForm {
        OnSite = "on_site", "现场走访", "On-site";
        Phone = "phone", "电话沟通", "Phone";
        Online = "online", "线上沟通", "Online";
    }
);

labelled_enum!(
    /// What a problem is about.
    ProblemCategory {
        Employment = "employment", "用工", "Employment";
        Training = "training", "培训", "Training";
        Pay = "pay", "薪酬", "Pay";
        Safety = "safety", "安全", "Safety";
        Policy = "policy", "政策", "Policy";
        Other = "other", "其他", "Other";
    }
);

labelled_enum!(
    /// Who raised a problem.
    ProblemSource {
        Head = "head", "企业负责人", "Enterprise head";
        Worker = "worker", "职工", "Worker";
        Official = "official", "联系干部走访记录", "Recorded by the official";
    }
);

labelled_enum!(
    /// Where a problem stands: open → in_progress → resolved, or closed.
    ProblemStatus {
        Open = "open", "待办理", "Open";
        InProgress = "in_progress", "办理中", "In progress";
        Resolved = "resolved", "已解决", "Resolved";
        Closed = "closed", "已关闭", "Closed";
    }
);

labelled_enum!(
    /// The two kinds of pairing.
    PairKind {
        StatePrivate = "state_private", "国企↔民企", "State-owned ↔ private";
        Chain = "chain", "链主↔配套", "Chain leader ↔ supplier";
    }
);

/// An action on a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemAction {
    /// open → in_progress
    Start,
    /// open / in_progress → resolved (needs the resolution and its date)
    Resolve,
    /// open / in_progress → closed (needs a reason)
    Close,
}

impl ProblemAction {
    pub fn parse(s: &str) -> Option<ProblemAction> {
        match s.trim() {
            "start" => Some(ProblemAction::Start),
            "resolve" => Some(ProblemAction::Resolve),
            "close" => Some(ProblemAction::Close),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            ProblemAction::Start => "start",
            ProblemAction::Resolve => "resolve",
            ProblemAction::Close => "close",
        }
    }
    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (ProblemAction::Start, false) => "开始办理",
            (ProblemAction::Start, true) => "Start",
            (ProblemAction::Resolve, false) => "办结（已解决）",
            (ProblemAction::Resolve, true) => "Resolve",
            (ProblemAction::Close, false) => "关闭",
            (ProblemAction::Close, true) => "Close",
        }
    }
    pub const ALL: [ProblemAction; 3] = [
        ProblemAction::Start,
        ProblemAction::Resolve,
        ProblemAction::Close,
    ];
}

impl ProblemStatus {
    /// The status after `action`, or None when the action is not possible from here.
    pub fn next(self, action: ProblemAction) -> Option<ProblemStatus> {
        use ProblemAction as A;
        use ProblemStatus as S;
        match (self, action) {
            (S::Open, A::Start) => Some(S::InProgress),
            (S::Open | S::InProgress, A::Resolve) => Some(S::Resolved),
            (S::Open | S::InProgress, A::Close) => Some(S::Closed),
            _ => None,
        }
    }
    pub fn is_final(self) -> bool {
        matches!(self, ProblemStatus::Resolved | ProblemStatus::Closed)
    }
}

/// A YYYY-MM-DD date (full-width digits folded), not after `today`, not before 2000.
pub fn date(
    field: &str,
    label: (&str, &str),
    value: &str,
    today: NaiveDate,
) -> Result<NaiveDate, FieldError> {
    let v = crate::error::normalise_code(value);
    if v.is_empty() {
        return Err(FieldError::required(field, label.0, label.1));
    }
    let d = NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            field,
            Rule::BadFormat,
            format!("{}“{}”不是有效日期，应为 YYYY-MM-DD", label.0, v),
            format!("{} '{}' is not a date (YYYY-MM-DD)", label.1, v),
        )
    })?;
    if d > today {
        return Err(FieldError::new(
            field,
            Rule::Forbidden,
            format!("{}不能晚于今天（{}）", label.0, today),
            format!("{} cannot be after today ({})", label.1, today),
        ));
    }
    if d < NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(d) {
        return Err(FieldError::new(
            field,
            Rule::Forbidden,
            format!("{}不能早于2000年", label.0),
            format!("{} cannot be before 2000", label.1),
        ));
    }
    Ok(d)
}

/// Whole days from raising a problem to resolving it (0 when resolved the same day).
pub fn days_between(raised_on: &str, resolved_on: &str) -> Option<i64> {
    let a = NaiveDate::parse_from_str(raised_on, "%Y-%m-%d").ok()?;
    let b = NaiveDate::parse_from_str(resolved_on, "%Y-%m-%d").ok()?;
    Some((b - a).num_days().max(0))
}

fn choice<E: Copy>(
    field: &str,
    label: (&str, &str),
    value: &str,
    parse: fn(&str) -> Option<E>,
    all: &[E],
    code: fn(E) -> &'static str,
    zh: fn(E) -> &'static str,
) -> Result<E, FieldError> {
    if value.trim().is_empty() {
        return Err(FieldError::required(field, label.0, label.1));
    }
    parse(value).ok_or_else(|| {
        let allowed: Vec<String> = all
            .iter()
            .map(|e| format!("{}({})", code(*e), zh(*e)))
            .collect();
        FieldError::new(
            field,
            Rule::UnknownValue,
            format!(
                "{}“{}”无效，应为：{}",
                label.0,
                value.trim(),
                allowed.join("、")
            ),
            format!(
                "{} '{}' is not one of {}",
                label.1,
                value.trim(),
                all.iter().map(|e| code(*e)).collect::<Vec<_>>().join(", ")
            ),
        )
    })
}

pub fn visit_form(value: &str) -> Result<VisitForm, FieldError> {
    choice(
        "form",
        ("走访形式", "Form"),
        value,
        VisitForm::from_any,
        VisitForm::ALL,
        VisitForm::code,
        VisitForm::label_zh,
    )
}

pub fn problem_category(value: &str) -> Result<ProblemCategory, FieldError> {
    choice(
        "category",
        ("问题类别", "Category"),
        value,
        ProblemCategory::from_any,
        ProblemCategory::ALL,
        ProblemCategory::code,
        ProblemCategory::label_zh,
    )
}

pub fn problem_source(value: &str) -> Result<ProblemSource, FieldError> {
    choice(
        "source",
        ("问题来源", "Source"),
        value,
        ProblemSource::from_any,
        ProblemSource::ALL,
        ProblemSource::code,
        ProblemSource::label_zh,
    )
}

pub fn pair_kind(value: &str) -> Result<PairKind, FieldError> {
    choice(
        "kind",
        ("结对类型", "Kind"),
        value,
        PairKind::from_any,
        PairKind::ALL,
        PairKind::code,
        PairKind::label_zh,
    )
}

/// What the pairing rules need to know about each side.
#[derive(Debug, Clone)]
pub struct PairSide<'a> {
    pub id: i64,
    pub name: &'a str,
    pub kind: &'a str,
    pub ownership: Option<&'a str>,
    pub chain_leader: bool,
}

/// Checks a pair: two different enterprises; 国企↔民企 = `org_a` state-owned and
/// `org_b` private; 链主↔配套 = `org_a` a chain leader, `org_b` an enterprise that is not
/// (its supplier), with the chain's name. Every error names its field.
pub fn check_pair(
    kind: PairKind,
    a: &PairSide<'_>,
    b: &PairSide<'_>,
    chain: Option<&str>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if a.id == b.id {
        errs.push(FieldError::new(
            "org_b",
            Rule::Duplicate,
            format!("结对双方不能是同一单位（“{}”）", a.name),
            format!(
                "an organisation cannot be paired with itself ('{}')",
                a.name
            ),
        ));
        return errs;
    }
    for (field, s) in [("org_a", a), ("org_b", b)] {
        if s.kind != "enterprise" {
            errs.push(FieldError::new(
                field,
                Rule::Forbidden,
                format!("“{}”不是企业，结对双方须为企业", s.name),
                format!("'{}' is not an enterprise; both sides must be", s.name),
            ));
        }
    }
    match kind {
        PairKind::StatePrivate => {
            if a.ownership != Some("state") {
                errs.push(FieldError::new(
                    "org_a",
                    Rule::Forbidden,
                    format!("国企↔民企结对的甲方须为国有企业，“{}”不是", a.name),
                    format!(
                        "in a state-owned ↔ private pair org_a must be state-owned; '{}' is not",
                        a.name
                    ),
                ));
            }
            if b.ownership != Some("private") {
                errs.push(FieldError::new(
                    "org_b",
                    Rule::Forbidden,
                    format!("国企↔民企结对的乙方须为民营企业，“{}”不是", b.name),
                    format!(
                        "in a state-owned ↔ private pair org_b must be private; '{}' is not",
                        b.name
                    ),
                ));
            }
        }
        PairKind::Chain => {
            if !a.chain_leader {
                errs.push(FieldError::new(
                    "org_a",
                    Rule::Forbidden,
                    format!("链主↔配套结对的甲方须为链主企业，“{}”不是链主", a.name),
                    format!(
                        "in a chain pair org_a must be a chain leader; '{}' is not",
                        a.name
                    ),
                ));
            }
            if b.chain_leader {
                errs.push(FieldError::new(
                    "org_b",
                    Rule::Forbidden,
                    format!("链主↔配套结对的乙方须为配套企业，“{}”本身是链主", b.name),
                    format!(
                        "in a chain pair org_b must be a supplier; '{}' is itself a chain leader",
                        b.name
                    ),
                ));
            }
            if chain.map(str::trim).unwrap_or("").is_empty() {
                errs.push(FieldError::required("chain", "产业链名称", "Chain"));
            }
        }
    }
    errs
}

/// A start year between 2000 and next year.
pub fn start_year(value: i64, this_year: i32) -> Result<i64, FieldError> {
    if value < 2000 || value > i64::from(this_year) + 1 {
        return Err(FieldError::new(
            "start_year",
            Rule::Forbidden,
            format!("起始年份应在2000至{}之间（当前{}）", this_year + 1, value),
            format!(
                "start year must be between 2000 and {} (got {})",
                this_year + 1,
                value
            ),
        ));
    }
    Ok(value)
}

/// A participant count, 1 to 100,000.
pub fn participants(value: i64) -> Result<i64, FieldError> {
    if !(1..=100_000).contains(&value) {
        return Err(FieldError::new(
            "participants",
            Rule::Forbidden,
            format!("参与人数应在1至100000之间（当前{value}）"),
            format!("participants must be between 1 and 100000 (got {value})"),
        ));
    }
    Ok(value)
}

/// Re-export of the text rule for the storage layer's inputs.
pub fn long_text(
    field: &str,
    label: (&str, &str),
    value: &str,
    required: bool,
) -> Result<Option<String>, FieldError> {
    text(field, label, value, required, 2000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(id: i64, own: &str, leader: bool) -> PairSide<'static> {
        PairSide {
            id,
            name: "某企业",
            kind: "enterprise",
            ownership: Some(if own == "state" { "state" } else { "private" }),
            chain_leader: leader,
        }
    }

    #[test]
    fn problem_life_cycle() {
        use ProblemAction as A;
        use ProblemStatus as S;
        assert_eq!(S::Open.next(A::Start), Some(S::InProgress));
        assert_eq!(S::InProgress.next(A::Resolve), Some(S::Resolved));
        assert_eq!(S::Open.next(A::Close), Some(S::Closed));
        assert_eq!(S::Resolved.next(A::Close), None);
        assert_eq!(S::InProgress.next(A::Start), None);
        assert_eq!(days_between("2024-03-01", "2024-03-15"), Some(14));
    }

    #[test]
    fn pair_rules_name_the_field() {
        let a = side(1, "state", false);
        let e = check_pair(PairKind::StatePrivate, &a, &a, None);
        assert_eq!(e[0].field, "org_b");
        let e = check_pair(
            PairKind::StatePrivate,
            &side(1, "private", false),
            &side(2, "private", false),
            None,
        );
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "org_a");
        let e = check_pair(
            PairKind::Chain,
            &side(1, "state", true),
            &side(2, "private", false),
            Some("新能源汽车"),
        );
        assert!(e.is_empty());
        let e = check_pair(
            PairKind::Chain,
            &side(1, "state", false),
            &side(2, "private", false),
            Some(" "),
        );
        assert_eq!(
            e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["org_a", "chain"]
        );
    }

    #[test]
    fn dates() {
        let today = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        assert!(date("d", ("日期", "Date"), "2024-05-31", today).is_ok());
        assert_eq!(
            date("d", ("日期", "Date"), "２０２４-０５-３１", today).map(|d| d.to_string()),
            Ok("2024-05-31".into())
        );
        assert_eq!(
            date("d", ("日期", "Date"), "2024-13-01", today)
                .unwrap_err()
                .rule,
            Rule::BadFormat
        );
        assert_eq!(
            date("d", ("日期", "Date"), "2024-06-02", today)
                .unwrap_err()
                .rule,
            Rule::Forbidden
        );
    }
}
