use gongjiang_domain::{Code, FieldError};

/// What can go wrong in the storage and service layers. Each maps to one HTTP status
/// and one stable error code in the web layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Missing, or outside the caller's scope (the two are indistinguishable).
    #[error("not found")]
    NotFound,
    /// The role may not do this at all.
    #[error("forbidden")]
    Forbidden,
    /// The role may act, but not on this record, for a reason worth naming (a stable
    /// code and a message).
    #[error("forbidden: {code}")]
    Denied { code: Code, zh: String, en: String },
    /// Input broke one or more rules.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// A unique key or a state rule conflicts with what is stored.
    #[error("conflict: {code}")]
    Conflict {
        code: Code,
        field: Option<String>,
        zh: String,
        en: String,
    },
    /// A service the request depends on (the file store) failed: 503 with a message
    /// that says what is wrong.
    #[error("{en}")]
    Unavailable { code: Code, zh: String, en: String },
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    pub fn invalid(e: FieldError) -> Self {
        StoreError::Invalid(vec![e])
    }

    pub fn conflict(
        code: Code,
        field: Option<&str>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        StoreError::Conflict {
            code,
            field: field.map(str::to_string),
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn denied(code: Code, zh: impl Into<String>, en: impl Into<String>) -> Self {
        StoreError::Denied {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The same refusal with every field error moved onto `field` (a form that shows
    /// one input for what the rule calls by another name); other errors are unchanged.
    pub fn on(self, field: &str) -> Self {
        match self {
            StoreError::Invalid(errs) => {
                StoreError::Invalid(errs.into_iter().map(|e| e.on(field)).collect())
            }
            e => e,
        }
    }

    /// A conflict in the catalogue's own words.
    pub fn of(code: Code) -> Self {
        StoreError::conflict(code, None, code.zh(), code.en())
    }

    /// The one stale-version error (409 `stale_version`): the record changed since the
    /// caller read it. The message names the record.
    pub fn stale(zh: impl Into<String>, en: impl Into<String>) -> Self {
        StoreError::conflict(Code::StaleVersion, None, zh, en)
    }

    /// Checks an optimistic-lock version: `expected` (what the caller read; `None` when
    /// the caller sent none) against `current`.
    pub fn check_version(expected: Option<i64>, current: i64) -> Result<()> {
        match expected {
            Some(v) if v != current => Err(StoreError::of(Code::StaleVersion)),
            _ => Ok(()),
        }
    }

    /// The code this error answers with, where it has one of its own.
    pub fn code(&self) -> Option<Code> {
        match self {
            StoreError::Conflict { code, .. }
            | StoreError::Denied { code, .. }
            | StoreError::Unavailable { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The file store failed (`file_store_unavailable`).
    pub fn unavailable(zh: impl Into<String>, en: impl Into<String>) -> Self {
        StoreError::Unavailable {
            code: Code::FileStoreUnavailable,
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// True for a foreign-key violation on either backend: a record still referred to by
    /// others (or a reference to one that is gone).
    pub fn is_foreign_key_violation(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => {
                matches!(e.kind(), sqlx::error::ErrorKind::ForeignKeyViolation)
                    || e.message().contains("FOREIGN KEY constraint failed")
                    || e.code().as_deref() == Some("23503")
            }
            _ => false,
        }
    }

    /// True for a unique-constraint violation on either backend.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => {
                e.is_unique_violation() || e.message().contains("UNIQUE constraint failed")
            }
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
