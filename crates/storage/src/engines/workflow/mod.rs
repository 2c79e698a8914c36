//! Cases of the workflow engine ([`gongjiang_domain::workflow`]): create and edit the
//! form, act on a case (exactly one of two simultaneous reviewers wins; the other gets a
//! conflict), the history of every case, the inbox of what waits for a user, in-app
//! notifications, deadline reminders, and bulk actions that are chunked, resumable and
//! never act twice.
//!
//! The folder: `hooks.rs` (what a part plugs in), `types.rs` (the wire types), `sql.rs`
//! (the case row and the queries the use cases share), `rules.rs` (refusals, conflicts,
//! the draft check), `cases.rs` (create, edit, read), `act.rs` (acting on a case),
//! `items.rs` (checklist items), `objections.rs` (公示 objections), `experts.rs` (expert
//! scoring), `inbox.rs` (lists, inbox, notifications, reminders), `bulk.rs` (bulk
//! actions) and `attachments.rs` (a case's files).

mod act;
mod attachments;
mod bulk;
mod cases;
mod experts;
mod hooks;
mod inbox;
mod items;
mod objections;
mod rules;
mod sql;
mod types;

const DAY_MS: i64 = 86_400_000;

pub use crate::engines::indicators::PartFuture;

pub use attachments::open_case_id;
pub use cases::SubjectCase;
pub use hooks::{
    follow_case_status, follow_subject, hooks_of, subject_page, subject_pair, CaseHooks, MoveCheck,
    OnApprove, StartCheck, SubjectPage, SubmitCheck, SyncHook, CASE_HOOKS,
};
pub(crate) use sql::item_rows;
pub use types::{
    ActInput, BulkJob, Case, CaseExpert, CaseFilter, CaseInput, CaseItem, Event, Objection,
};
