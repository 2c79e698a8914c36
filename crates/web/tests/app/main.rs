//! The web application's integration tests, in one test binary: each module below was
//! its own binary once (each linking the whole application, each loading the demo
//! template again). `helpers` holds the shared TestApp; `contrast` and `fake_s3` are
//! fixtures (a colour-contrast reader, an in-process S3).
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Journeys read best as one story each; the length guard rail is for product code.
#![allow(clippy::too_many_lines, clippy::cognitive_complexity)]

mod contrast;
mod fake_s3;
mod helpers;

mod api;
mod assessment;
mod backup_files;
mod charts;
mod contacts;
mod contacts_edit;
mod contests;
mod craftsmen;
mod crawl;
mod default_year;
mod email;
mod files_s3;
mod imports;
mod innovations;
mod liuyou;
mod policies;
mod policy_files;
mod reads;
mod registers;
mod reports;
mod search;
mod studios;
mod task_completion;
mod tasks;
mod tasks_edit;
mod training;
mod transactions;
mod tree;
mod ui;
mod units;
mod worker_import;
mod workers;
mod workflow;
