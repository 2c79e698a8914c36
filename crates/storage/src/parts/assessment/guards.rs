//! Who may do what in the assessment (manage it, act for a target) and its refusals
//! (a closed round, a conflict of interest).

use crate::error::{Result, StoreError};
use crate::scope::Actor;
use gongjiang_domain::Code;

pub(super) fn may_manage(actor: &Actor) -> bool {
    crate::access::decide(actor, crate::access::Permission::ManageAssessment).allowed()
}

pub(super) fn manage(actor: &Actor) -> Result<()> {
    if may_manage(actor) {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

/// Whether the actor acts for the target (its district staff, its member unit or unit).
pub(crate) fn acts_for(actor: &Actor, kind: &str, key: &str) -> bool {
    crate::access::may(actor, crate::access::Permission::ActForTarget { kind, key })
}

pub(super) fn denied_conflict(target: &str) -> StoreError {
    StoreError::denied(
        Code::ConflictOfInterest,
        format!("利益冲突回避：您与被考核对象「{target}」存在关联（所属单位或已申报关联），不能为其评分；本次回避已记录"),
        format!("Conflict of interest: you are related to {target} (attached or declared) and cannot score it; the recusal has been recorded"),
    )
}

pub(super) fn closed_conflict() -> StoreError {
    StoreError::conflict(
        Code::RoundClosed,
        None,
        "考核已结束评分，不能再修改（如需更正请由市产改办重新开启）",
        "The round is closed; the city can reopen it for corrections",
    )
}
