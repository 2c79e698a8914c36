//! The rules around a review: checklist items and their outcome, objections to a
//! public notice, the notice's decision and expert scoring.
use super::process::{Action, Refusal};
use crate::error::{FieldError, Rule};
use serde::Serialize;

/// A checklist item of a process whose review goes item by item (e.g. the 六有): each
/// item carries its own evidence and is accepted or returned with a reason on its own.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CheckItem {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// What counts as evidence, shown on the form.
    pub guidance_zh: &'static str,
}

impl CheckItem {
    pub fn name(&self, en: bool) -> &'static str {
        if en {
            self.name_en
        } else {
            self.name_zh
        }
    }
}

/// Where a checklist item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Nothing yet, or being written.
    Draft,
    Submitted,
    Accepted,
    Returned,
}

impl ItemStatus {
    pub fn code(self) -> &'static str {
        match self {
            ItemStatus::Draft => "draft",
            ItemStatus::Submitted => "submitted",
            ItemStatus::Accepted => "accepted",
            ItemStatus::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<ItemStatus> {
        [
            ItemStatus::Draft,
            ItemStatus::Submitted,
            ItemStatus::Accepted,
            ItemStatus::Returned,
        ]
        .into_iter()
        .find(|x| x.code() == s)
    }

    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (ItemStatus::Draft, false) => "待提交",
            (ItemStatus::Submitted, false) => "待审核",
            (ItemStatus::Accepted, false) => "已通过",
            (ItemStatus::Returned, false) => "已退回",
            (ItemStatus::Draft, true) => "Not submitted",
            (ItemStatus::Submitted, true) => "Awaiting review",
            (ItemStatus::Accepted, true) => "Accepted",
            (ItemStatus::Returned, true) => "Returned",
        }
    }

    /// The applicant may edit the item's evidence.
    pub fn editable(self) -> bool {
        matches!(self, ItemStatus::Draft | ItemStatus::Returned)
    }

    /// Where a submit takes the item: drafts and returned items go to review; accepted
    /// items stay accepted (only what was returned is looked at again).
    pub fn on_submit(self) -> ItemStatus {
        match self {
            ItemStatus::Accepted => ItemStatus::Accepted,
            _ => ItemStatus::Submitted,
        }
    }
}

/// What the item decisions of a case mean for the case once none is pending: any item
/// returned → the case is returned; all accepted → the step is accepted. `None` while an
/// item still waits for its decision.
pub fn items_outcome(items: &[ItemStatus]) -> Option<Action> {
    if items.contains(&ItemStatus::Submitted) || items.contains(&ItemStatus::Draft) {
        None
    } else if items.contains(&ItemStatus::Returned) {
        Some(Action::Return)
    } else {
        Some(Action::Accept)
    }
}

/// An objection lodged during the public notice (公示异议), and how the city answered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionOutcome {
    /// Not answered yet.
    Open,
    /// The objection holds: the case cannot be approved as it stands.
    Upheld,
    /// Looked into and found not to hold.
    Dismissed,
}

impl ObjectionOutcome {
    pub fn code(self) -> &'static str {
        match self {
            ObjectionOutcome::Open => "open",
            ObjectionOutcome::Upheld => "upheld",
            ObjectionOutcome::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<ObjectionOutcome> {
        [
            ObjectionOutcome::Open,
            ObjectionOutcome::Upheld,
            ObjectionOutcome::Dismissed,
        ]
        .into_iter()
        .find(|x| x.code() == s)
    }

    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (ObjectionOutcome::Open, false) => "待处理",
            (ObjectionOutcome::Upheld, false) => "异议成立",
            (ObjectionOutcome::Dismissed, false) => "异议不成立",
            (ObjectionOutcome::Open, true) => "Open",
            (ObjectionOutcome::Upheld, true) => "Upheld",
            (ObjectionOutcome::Dismissed, true) => "Dismissed",
        }
    }
}

/// The longest objection or answer, in characters.
pub const OBJECTION_MAX: usize = 2000;

/// Checks the text of an objection or of its answer (`field` names it in the error).
pub fn check_objection_text(field: &str, text: &str) -> Result<String, FieldError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(FieldError::required(
            field,
            if field == "response" {
                "处理意见"
            } else {
                "异议内容"
            },
            if field == "response" {
                "Response"
            } else {
                "Objection"
            },
        ));
    }
    if t.chars().count() > OBJECTION_MAX {
        return Err(FieldError::new(
            field,
            Rule::TooLong,
            format!("不能超过{OBJECTION_MAX}个字"),
            format!("longer than {OBJECTION_MAX} characters"),
        ));
    }
    Ok(t.to_string())
}

/// May the decision after the public notice be taken now? Approval waits until the
/// notice period has run (`now >= notice_ends`) and every objection is answered, and is
/// impossible while an objection is upheld (the case is then returned or rejected).
/// Returning or rejecting during the notice is always possible.
pub fn check_notice_decision(
    action: Action,
    now: i64,
    notice_ends: Option<i64>,
    objections: &[ObjectionOutcome],
) -> Result<(), Refusal> {
    if action != Action::Accept {
        return Ok(());
    }
    if notice_ends.is_some_and(|end| now < end) {
        return Err(Refusal::NoticeRunning);
    }
    if objections.contains(&ObjectionOutcome::Open) {
        return Err(Refusal::ObjectionsOpen);
    }
    if objections.contains(&ObjectionOutcome::Upheld) {
        return Err(Refusal::ObjectionUpheld);
    }
    Ok(())
}

/// Expert scoring after the reviews (optional in a process): the city assigns experts,
/// who score independently (0 to `max`) against written criteria; the city closes the
/// scoring once every assigned expert has scored and at least `min_experts` have. The
/// aggregate is the mean, or the trimmed mean from five experts (as in the assessment).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Scoring {
    pub max: i64,
    pub min_experts: usize,
    pub days: i64,
    pub criteria_zh: &'static str,
    pub criteria_en: &'static str,
}

/// May the city close the scoring with `scored` of `assigned` experts having scored?
pub fn check_scoring_close(s: &Scoring, assigned: usize, scored: usize) -> Result<(), Refusal> {
    if scored < assigned || scored < s.min_experts {
        Err(Refusal::ScoringIncomplete)
    } else {
        Ok(())
    }
}

/// Checks an expert's score.
pub fn check_case_score(s: &Scoring, score: f64) -> Result<f64, FieldError> {
    if score.is_finite() && (0.0..=s.max as f64).contains(&score) {
        Ok((score * 100.0).round() / 100.0)
    } else {
        Err(FieldError::new(
            "score",
            Rule::BadFormat,
            format!("评分应在0至{}之间", s.max),
            format!("the score must be from 0 to {}", s.max),
        ))
    }
}
