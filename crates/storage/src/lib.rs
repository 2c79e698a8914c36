//! Storage: one layer over SQLite and PostgreSQL (sqlx's `Any` driver), migrations
//! written once, and the scope filter that keeps every query inside the caller's
//! organisation subtree. Handlers never write SQL; they call [`service::Service`].

pub mod core;
pub mod engines;
pub mod parts;

// The old flat paths (`gongjiang_storage::tasks`, `crate::audit`) stay valid.
pub use crate::core::{
    access, audit, backup, crypto, db, error, files, jobs, live, login_throttle, mail, notify,
    orgs, regions, s3, scope, service, sql, tree, users, version,
};
pub use engines::{designations, indicators, workflow};
pub use parts::{
    assessment, contacts, contests, craftsmen, import, innovations, liuyou, pairs, pilots,
    policies, registers, report_service, reports, search, studios, task_completion, tasks,
    training, worker_bulk, workers,
};

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

    /// The same page with each item turned into another.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}
