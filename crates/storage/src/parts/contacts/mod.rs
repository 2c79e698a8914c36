//! Enterprise contact points (企业联系点, 双沟通双促进): officials (user accounts of
//! region staff or member units) assigned to enterprises for a period, their visit logs,
//! and the problems enterprises raise, tracked open → in_progress → resolved / closed.
//!
//! Visits and problems feed the indicator engine (measures `contact:*` in
//! [`crate::indicators::facts`]); every write settles the aggregates in its own
//! transaction. Access: region staff work in their write scope; an official assigned to an
//! enterprise works on that enterprise; a unit raises and reads its own problems only.
//!
//! Corrections: region staff over the enterprise edit a contact point (another official,
//! the period, the note) or end it (结束联系): an ended point stays listed with its
//! visits and accepts no visit dated after its end. A visit is corrected by its author
//! or region staff over the enterprise; the indicators follow a changed date.
//!
//! The folder: `types.rs` (the wire types), `sql.rs` (row mapping, the indicator facts,
//! the shared checks), `contact_points.rs` (assigning, listing, editing and ending
//! contact points), `visits.rs` (logging, listing and correcting visits) and
//! `problems.rs` (raising and tracking problems).

mod contact_points;
mod problems;
mod sql;
mod types;
mod visits;

pub(crate) use sql::facts;
pub use sql::today;
pub use types::{
    ContactEdit, ContactEndInput, ContactInput, ContactPoint, Problem, ProblemActInput,
    ProblemFilter, ProblemInput, ProblemStats, Visit, VisitEdit, VisitFilter, VisitInput,
};
