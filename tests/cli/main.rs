//! The command line, run as a user would run it: one test binary, a module for each
//! former test file. `common` makes each test's data dir (and PostgreSQL database) and
//! removes them when the test ends.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Journeys read best as one story each; the length guard rail is for product code.
#![allow(clippy::too_many_lines, clippy::cognitive_complexity)]

mod common;

mod backup_files;
mod commands;
mod jobs;
