//! The annual task list (年度任务清单 / 重点工作) and the joint meetings (联席会议).
//!
//! Tasks: region staff create them in their area for an owner unit (an organisation in
//! their write scope), with a deadline that is not in the past and a measurable target.
//! The owner unit (its `unit`/`department` accounts) and region staff over it file
//! progress reports; only the creator's level or above marks a task done or flags it
//! for 督办 (the owner's accounts are notified). The status is computed from the
//! deadline, so a task becomes overdue by itself. Each task counts for its owner unit in
//! the indicator engine (`tasks_total`, `tasks_done`, `task_completion_rate` in the
//! task's year), settled in the same transaction as the change.
//!
//! Meetings: one body per region (city, district or town) with member units; meetings
//! with agenda, attendance per member unit, minutes and decisions; a decision becomes a
//! task with one action, and the task links back to the meeting.
//!
//! Corrections: a task is edited (optimistic locking on `version`) or cancelled (撤销,
//! with a reason; it then leaves the completion rate) by the creator's level or above
//! over its lead region and owner unit; bodies are renamed and re-membered; a meeting's
//! record is corrected; a decision's text is corrected until it becomes a task. Every
//! change is audit-logged with before and after.
//!
//! The folder: `types.rs` (the wire types), `sql.rs` (the row mapping, the shared
//! queries and the indicator facts), `task_list.rs` (setting, listing and reading tasks,
//! the board), `progress.rs` (progress reports, marking done, 督办), `meetings.rs`
//! (bodies, meetings, decisions into tasks), `task_corrections.rs` and
//! `meeting_corrections.rs` (editing and cancelling).

mod meeting_corrections;
mod meetings;
mod progress;
mod sql;
mod task_corrections;
mod task_list;
mod types;

pub(crate) use progress::{mark_done_in, Done};
pub use sql::{facts, today};
pub use types::{
    Attendance, AttendanceInput, Board, Body, BodyEdit, BodyInput, CancelInput, Decision,
    DecisionEdit, DecisionTaskInput, Meeting, MeetingEdit, MeetingFilter, MeetingInput, Member,
    Progress, ProgressInput, StatusCount, Task, TaskEdit, TaskFilter, TaskInput, UnitRow,
};
