//! The yearly assessment (评价考核): schemes as versioned indicator trees, rounds that
//! apply a frozen scheme version to districts, member units or pilot units for a year,
//! self-reports by the targets, experts with conflict-of-interest recusal who score
//! independently, results computed from self-reports, live indicators and expert scores,
//! and versioned publication (a published result never changes silently).
//!
//! Targets: a district or functional zone is its region code (`320402`); a member unit
//! or pilot unit is its organisation id as text (`"17"`). The users who act for a target:
//! district staff attached to that region code; department or unit users attached to
//! that organisation.
//!
//! Who does what: the city (and sysadmin) builds schemes, sets up rounds, assigns
//! experts, closes rounds and publishes results; targets self-report; assigned experts
//! score expert leaves of targets they are not related to; every signed-in user may read
//! published rankings; a breakdown is shown to the city, to the target itself and to
//! the round's experts, with expert identities (names) for the city only — everyone else
//! sees 专家A/B/C.
//!
//! The folder: `types.rs` (the wire types), `sql.rs` (loading schemes, rounds and
//! targets, the indicator facts), `guards.rs` (who may manage or act for a target, the
//! refusals), `schemes.rs`, `rounds.rs`, `self_reports.rs`, `scoring.rs` (experts,
//! conflicts, scores) and `results.rs` (computing and publishing).

mod guards;
mod results;
mod rounds;
mod schemes;
mod scoring;
mod self_reports;
mod sql;
mod types;

pub(crate) use guards::acts_for;
pub use sql::{score_facts, SCORE_MEASURE};
pub use types::{
    Conflict, ConflictInput, Expert, ExpertScore, NodeResult, ResultVersion, Results, Round,
    RoundDetail, RoundInput, Scheme, SchemeInput, SchemeVersion, ScoreInput, ScoringSheet,
    SelfEntry, SelfInput, SelfLeaf, SelfReport, SheetLeaf, SheetTarget, Target, TargetResult,
    TreeInput, VersionInfo,
};
