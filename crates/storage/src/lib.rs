//! Storage: one layer over SQLite and PostgreSQL (sqlx's `Any` driver), migrations
//! written once, and the scope filter that keeps every query inside the caller's
//! organisation subtree. Handlers never write SQL; they call [`service::Service`].

pub mod access;
pub mod assessment;
pub mod audit;
pub mod backup;
pub mod contacts;
pub mod crypto;
pub mod db;
pub mod designations;
pub mod error;
pub mod files;
pub mod import;
pub mod indicators;
pub mod jobs;
pub mod liuyou;
pub mod login_throttle;
pub mod mail;
pub mod notify;
pub mod orgs;
pub mod pairs;
pub mod pilots;
pub mod policies;
pub mod regions;
pub mod registers;
pub mod report_service;
pub mod reports;
pub mod s3;
pub mod scope;
pub mod search;
pub mod service;
pub mod sql;
pub mod task_completion;
pub mod tasks;
pub mod tree;
pub mod users;
pub mod worker_bulk;
pub mod workers;
pub mod workflow;

pub use db::{Backend, Db, Tx};
pub use error::StoreError;
pub use scope::{Actor, Scope};

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A page of results, as the API returns it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        if self.per_page <= 0 {
            1
        } else {
            ((self.total + self.per_page - 1) / self.per_page).max(1)
        }
    }
}
