//! Correcting and closing tasks and joint meetings: a task edited with optimistic locking
//! (stale version → 409, past deadline → 422, nothing changed on bad input), audit-logged
//! with before and after, its indicator facts moved with it; a task cancelled (撤销) with
//! a reason leaves task_completion_rate and the maintained aggregates agree with a
//! rebuild; scope (404 outside it) and level (403) checks; bodies created, renamed and
//! re-membered; meetings corrected; a decision's text corrected until it becomes a task;
//! and the console pages for all of it.

use crate::helpers::*;
use serde_json::{json, Value};

mod console;
mod meetings;
mod tasks;

use crate::tasks::{indicator, task};
