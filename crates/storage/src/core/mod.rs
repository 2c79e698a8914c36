//! The core every part stands on: the database and its dialects, scope, the
//! organisation tree, accounts, the audit log, the one access policy, the write
//! skeleton and the error catalogue; and the infrastructure (crypto, the file store and
//! S3, mail, notifications, durable jobs, backups). Nothing here names a part.
pub mod access;
pub mod audit;
pub mod backup;
pub mod crypto;
pub mod db;
pub mod error;
pub mod files;
pub mod jobs;
pub mod live;
pub mod login_throttle;
pub mod mail;
pub mod notify;
pub mod orgs;
pub mod outcome;
pub mod regions;
pub mod s3;
pub mod scope;
pub mod service;
pub mod sql;
pub mod tree;
pub mod users;
pub mod version;
pub mod write;
