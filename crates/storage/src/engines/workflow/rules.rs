//! The engine's refusals and conflicts, the draft check, returned reasons and the
//! labels of extra actions.

use crate::error::{Result, StoreError};
use gongjiang_domain::workflow::{Action, ItemStatus, Process, Refusal, Status};
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use std::collections::BTreeMap;

pub(super) fn refusal(r: Refusal, action: Action, status: &str) -> StoreError {
    match r {
        Refusal::CommentRequired => StoreError::Invalid(vec![FieldError::new(
            "comment",
            Rule::Required,
            format!("{}须填写理由", action.label(false)),
            format!("{} needs a reason", action.label(true)),
        )]),
        Refusal::NoticeRunning => StoreError::conflict(
            Code::NoticeRunning,
            None,
            "公示期尚未结束，期满后方可作出决定",
            "the public notice has not run its days yet; decide when it ends",
        ),
        Refusal::ObjectionsOpen => StoreError::conflict(
            Code::ObjectionsOpen,
            None,
            "公示期间收到的异议尚未全部处理，请先逐条填写处理意见",
            "answer every objection lodged during the notice first",
        ),
        Refusal::ObjectionUpheld => StoreError::conflict(
            Code::ObjectionUpheld,
            None,
            "有异议经核查成立，不能通过；请退回修改或不予通过",
            "an objection was upheld: return or reject the case instead",
        ),
        Refusal::ScoringIncomplete => StoreError::conflict(
            Code::ScoringIncomplete,
            None,
            "专家评审尚未完成：还有专家未评分，或评分专家人数不足",
            "expert scoring is not complete: an assigned expert has not scored, or too few have",
        ),
        Refusal::WrongState => StoreError::conflict(
            Code::CaseWrongState,
            None,
            format!(
                "当前状态为“{}”，不能“{}”",
                Status::parse(status)
                    .map(|s| s.label(false))
                    .unwrap_or(status),
                action.label(false)
            ),
            format!(
                "a case that is '{}' cannot be '{}'",
                Status::parse(status)
                    .map(|s| s.label(true))
                    .unwrap_or(status),
                action.label(true)
            ),
        ),
    }
}

pub(super) fn changed_elsewhere() -> StoreError {
    StoreError::conflict(
        Code::StaleVersion,
        None,
        "该事项刚刚已被他人处理，请刷新后查看最新状态",
        "someone else acted on this case a moment ago; reload to see where it stands",
    )
}

/// Labels of history entries that are not state changes.
pub(super) fn extra_action_label(action: &str, en: bool) -> &'static str {
    match (action, en) {
        ("item_accept", false) => "逐项审核：通过",
        ("item_accept", true) => "Item accepted",
        ("item_return", false) => "逐项审核：退回",
        ("item_return", true) => "Item returned",
        ("object", false) => "公示异议",
        ("object", true) => "Objection lodged",
        ("answer_objection", false) => "异议处理",
        ("answer_objection", true) => "Objection answered",
        _ => "",
    }
}

pub(super) fn item_not_waiting(zh: &str, en: &str) -> StoreError {
    StoreError::conflict(
        Code::ItemNotSubmitted,
        None,
        format!("“{zh}”不在待审核状态（可能刚刚已被他人审核）"),
        format!("'{en}' is not awaiting review (someone may have just reviewed it)"),
    )
}

/// The returned items and their reasons, as the comment of the case's return.
pub(super) fn returned_reasons(
    def: &Process,
    items: &[(String, ItemStatus, Option<String>)],
) -> String {
    items
        .iter()
        .filter(|(_, s, _)| *s == ItemStatus::Returned)
        .map(|(code, _, reason)| {
            let name = def
                .items
                .iter()
                .find(|i| i.code == code)
                .map(|i| i.name_zh)
                .unwrap_or(code.as_str());
            format!("{name}：{}", reason.as_deref().unwrap_or(""))
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// A draft may be incomplete: everything but "required" is checked.
pub(super) fn check_draft(
    def: &Process,
    data: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>> {
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    let (out, errs) = def.normalise(data, year);
    let real: Vec<FieldError> = errs
        .into_iter()
        .filter(|e| e.rule != Rule::Required)
        .collect();
    if real.is_empty() {
        Ok(out)
    } else {
        Err(StoreError::Invalid(real))
    }
}
