//! Import templates kept by the parts. A part whose records come in and go out as one
//! of contracts.md's templates (`classes`, `contests`, …) registers a [`PartTemplate`]:
//! how to check one row, how to write a checked row, and how to export its list in the
//! template's columns. The importer ([`crate::import`]) validates every row of a file
//! through `check` before anything is written, and writes through `write` in the same
//! transaction, all or nothing, upserting on the row's natural key; the engine never
//! names a part.
use crate::engines::indicators::PartFuture;
use crate::scope::Actor;
use crate::service::Service;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// One row of a template: the English column key → the cell's text as read (codes
/// folded, numbers and dates normalised by the reader; absent or blank cells are left out).
pub type Fields = BTreeMap<String, String>;

/// A row that passed its checks, ready to write.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The natural key (two rows of one file with the same key are an error).
    pub key: String,
    /// The column a duplicate is reported on.
    pub key_field: &'static str,
    /// The organisations whose indicator facts the row changes (the record's, and its
    /// old one where the row moves it).
    pub orgs: Vec<i64>,
    /// The record with this key, if one exists (the row then updates it).
    pub existing: Option<i64>,
    /// What `write` needs, as the part chose to keep it.
    pub row: serde_json::Value,
}

/// What writing a row did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Created,
    Updated,
    Unchanged,
}

/// A part's template.
pub struct PartTemplate {
    /// The KIND of `gongjiang import KIND` and the sheet of contracts.md.
    pub kind: &'static str,
    /// Checks one row against the rules, the actor's scope and the database; problems
    /// are `StoreError::Invalid` naming the template's columns.
    pub check: CheckRow,
    /// Writes a checked row at time `now` (audit included).
    pub write: WriteRow,
    /// Every record in the actor's area (within `region` when given), in the
    /// template's columns.
    pub export: ExportRows,
}

/// `(service, conn, actor, row)` → the checked row.
pub type CheckRow = for<'a> fn(
    &'a Service,
    &'a mut AnyConnection,
    &'a Actor,
    &'a Fields,
) -> PartFuture<'a, Checked>;
/// `(conn, actor, checked row, now)` → what was written.
pub type WriteRow =
    for<'a> fn(&'a mut AnyConnection, &'a Actor, &'a Checked, i64) -> PartFuture<'a, Written>;
/// `(service, actor, region)` → the rows in the template's columns.
pub type ExportRows =
    for<'a> fn(&'a Service, &'a Actor, Option<&'a str>) -> PartFuture<'a, Vec<Vec<String>>>;

/// Every part's template, registered by the parts.
#[linkme::distributed_slice]
pub static PART_TEMPLATES: [PartTemplate];

/// The registered template of `kind`.
pub fn template(kind: &str) -> Option<&'static PartTemplate> {
    PART_TEMPLATES.iter().find(|t| t.kind == kind)
}
