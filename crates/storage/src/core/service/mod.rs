//! The service layer: every use case the web UI, the API and the command line share.
//! It owns transactions, access control (role and scope) and the audit trail.
//!
//! The folder: this file (the service and how it is built), `types.rs` (the
//! organisation patch and tree figures), `organisations.rs` (regions and organisations),
//! `accounts.rs` (sign-in, sessions, users) and `audit_trail.rs` (the audit log).

mod accounts;
mod audit_trail;
mod file_uses;
mod mail_uses;
mod organisations;
mod types;

pub use types::{OrgPatch, TreeStats};

use crate::db::Db;

#[derive(Clone)]
pub struct Service {
    pub db: Db,
    /// Encrypts personal data at rest (from configuration, never stored in the database).
    pub key: crate::crypto::DataKey,
    /// Where uploaded files are kept (the data dir's `files/` in a server).
    pub files: crate::files::FileStore,
    /// Sends e-mail notifications, when SMTP is configured.
    pub mail: Option<std::sync::Arc<crate::mail::Mailer>>,
}

impl Service {
    /// A service with a fresh random data key (tests, tools that touch no personal data).
    pub fn new(db: Db) -> Service {
        Service {
            db,
            key: crate::crypto::DataKey::random(),
            files: crate::files::FileStore::temp(),
            mail: None,
        }
    }

    pub fn with_key(db: Db, key: crate::crypto::DataKey) -> Service {
        Service {
            db,
            key,
            files: crate::files::FileStore::temp(),
            mail: None,
        }
    }

    /// Sends e-mail notifications through `mailer`.
    pub fn with_mail(mut self, mailer: crate::mail::Mailer) -> Service {
        self.mail = Some(std::sync::Arc::new(mailer));
        self
    }

    /// Keeps uploaded files in `store`.
    pub fn with_files(mut self, store: crate::files::FileStore) -> Service {
        self.files = store;
        self
    }
}
