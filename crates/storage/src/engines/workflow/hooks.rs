//! What a part plugs into the engine (its case hooks, registered in a distributed
//! slice) and the page of the record a case drives.

use crate::orgs;
use crate::scope::Actor;
use crate::service::Service;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

use super::types::Case;
use super::PartFuture;

/// What a part plugs into the engine for the processes whose records it keeps. A part
/// registers one with `#[distributed_slice(CASE_HOOKS)]` in `crate::parts::registry`;
/// the engine calls the hooks and never names the part. Every hook is optional.
pub struct CaseHooks {
    /// The part, for documentation and tests.
    pub part: &'static str,
    /// The processes served (codes of [`gongjiang_domain::workflow::PROCESSES`]).
    pub processes: &'static [&'static str],
    /// The prefix of the subject keys the part keeps (`liuyou` in `liuyou:<org>:<year>`)
    /// and the page of such a record, given the key after `prefix:`.
    pub subject: Option<(&'static str, SubjectPage)>,
    /// Who acts as the applicant, in place of the engine's rule (the unit's own accounts,
    /// or the staff member who started the case).
    pub acts_for: Option<fn(&Actor, &Case) -> bool>,
    /// Refuses an applicant the process cannot take, before a draft is kept.
    pub check_start: Option<StartCheck>,
    /// Refuses a submit or a review's accept that does not yet approve.
    pub check_move: Option<MoveCheck>,
    /// What the record requires before a checklist case is submitted.
    pub check_submit: Option<SubmitCheck>,
    /// What approval does besides closing the case; returns the result's reference.
    pub on_approve: Option<OnApprove>,
    /// Keeps the record in step after every transition.
    pub sync: Option<SyncHook>,
}

/// The page of a record, given its subject key after the prefix.
pub type SubjectPage = fn(&str) -> Option<String>;
/// `(conn, applicant, the form as given)`.
pub type StartCheck = for<'a> fn(
    &'a mut AnyConnection,
    &'a orgs::Org,
    &'a BTreeMap<String, String>,
) -> PartFuture<'a, ()>;
/// `(conn, case, the form after the move)`.
pub type MoveCheck =
    for<'a> fn(&'a mut AnyConnection, &'a Case, &'a BTreeMap<String, String>) -> PartFuture<'a, ()>;
/// `(conn, case, subject key)`.
pub type SubmitCheck = for<'a> fn(&'a mut AnyConnection, &'a Case, &'a str) -> PartFuture<'a, ()>;
/// `(service, conn, actor, case, the approved form, now)` → the result's reference.
pub type OnApprove = for<'a> fn(
    &'a Service,
    &'a mut AnyConnection,
    &'a Actor,
    &'a Case,
    &'a BTreeMap<String, String>,
    i64,
) -> PartFuture<'a, Option<String>>;
/// `(conn, case after the move, subject key, actor, now)`.
pub type SyncHook =
    for<'a> fn(&'a mut AnyConnection, &'a Case, &'a str, &'a Actor, i64) -> PartFuture<'a, ()>;

impl CaseHooks {
    /// No hooks: the case is the record (the base for a registration's `..`).
    pub const NONE: CaseHooks = CaseHooks {
        part: "",
        processes: &[],
        subject: None,
        acts_for: None,
        check_start: None,
        check_move: None,
        check_submit: None,
        on_approve: None,
        sync: None,
    };
}

/// Every part's hooks, registered by the parts.
#[linkme::distributed_slice]
pub static CASE_HOOKS: [CaseHooks];

/// The hooks registered for a process ([`CaseHooks::NONE`] when none are).
pub fn hooks_of(process: &str) -> &'static CaseHooks {
    CASE_HOOKS
        .iter()
        .find(|h| h.processes.contains(&process))
        .unwrap_or(&CaseHooks::NONE)
}

/// Where the unit works on what a case is about.
pub(crate) fn subject_link(c: &Case) -> String {
    subject_page(c.subject.as_deref()).unwrap_or_else(|| format!("/cases/{}", c.id))
}

/// The page of the record a case drives, from the part that keeps it (e.g.
/// `/liuyou/<org>/<year>` for `liuyou:<org>:<year>`).
pub fn subject_page(subject: Option<&str>) -> Option<String> {
    let (prefix, rest) = subject?.split_once(':')?;
    let (_, page) = CASE_HOOKS
        .iter()
        .filter_map(|h| h.subject)
        .find(|(p, _)| *p == prefix)?;
    page(rest)
}

/// The two numbers of a subject key `<prefix>:<parent>/<record>` (a part's record under
/// its parent: a nomination in its round, a review of its studio).
pub fn subject_pair(subject: &str, prefix: &str) -> Option<(i64, i64)> {
    let key = subject.strip_prefix(prefix)?.strip_prefix(':')?;
    let (parent, record) = key.split_once('/')?;
    Some((parent.parse().ok()?, record.parse().ok()?))
}

/// A `sync` hook's usual work: the record `id` of `table` takes its case's status, and
/// its version moves on (a form open on the old status answers 409).
pub async fn follow_case_status(
    conn: &mut AnyConnection,
    table: &'static str,
    id: i64,
    case: &Case,
    now: i64,
) -> crate::error::Result<()> {
    sqlx::query(&format!(
        "UPDATE {table} SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3"
    ))
    .bind(&case.status)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The whole `sync` hook of a part whose record sits under a parent (subject key
/// `<prefix>:<parent>/<record>`) and only takes its case's status: a nomination in its
/// round, a review of its studio. Registered as `follows!("<prefix>", "<table>")`.
pub async fn follow_subject(
    conn: &mut AnyConnection,
    case: &Case,
    subject: &str,
    prefix: &'static str,
    table: &'static str,
    now: i64,
) -> crate::error::Result<()> {
    match subject_pair(subject, prefix) {
        Some((_, id)) => follow_case_status(conn, table, id, case, now).await,
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::subject_pair;

    #[test]
    fn a_subject_pair_is_two_numbers_after_its_own_prefix() {
        assert_eq!(subject_pair("craftsman:3/17", "craftsman"), Some((3, 17)));
        assert_eq!(
            subject_pair("studio_review:12/4", "studio_review"),
            Some((12, 4))
        );
        assert_eq!(subject_pair("craftsman:3/17", "studio_review"), None);
        assert_eq!(subject_pair("craftsmanx:3/17", "craftsman"), None);
        assert_eq!(subject_pair("craftsman:3", "craftsman"), None);
        assert_eq!(subject_pair("craftsman:a/1", "craftsman"), None);
    }
}
