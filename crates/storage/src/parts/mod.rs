//! The parts of the programme, each over the core and the engines: its use cases, its
//! SQL and its wire types. A part imports another only where it really uses it.
pub mod assessment;
pub mod contacts;
pub mod contests;
pub mod craftsmen;
pub mod import;
pub mod innovations;
pub mod liuyou;
pub mod pairs;
pub mod pilot_cases;
pub mod pilots;
pub mod policies;
pub mod registers;
pub mod registry;
pub mod report_service;
pub mod reports;
pub mod search;
pub mod self_report_cases;
pub mod studios;
pub mod task_completion;
pub mod tasks;
pub mod training;
pub mod worker_bulk;
pub mod worker_facts;
pub mod worker_refs;
pub mod workers;
