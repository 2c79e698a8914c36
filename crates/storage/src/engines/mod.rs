//! The engines: the workflow engine (processes as data, cases, 公示, expert scoring),
//! the one designation registry and the one indicator engine. An engine never names a
//! part; a part registers with it (see [`crate::registry`]).
pub mod designations;
pub mod indicators;
pub mod templates;
pub mod workflow;
