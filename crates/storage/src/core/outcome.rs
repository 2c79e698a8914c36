//! What a bulk job reports (an import, a bulk action): the rows it read, what it wrote,
//! and every problem of the rows it did not write. Kept with the job (`crate::jobs`);
//! the importer fills it in.
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A problem with one row (or one cell of it).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowProblem {
    /// The spreadsheet row number (the header is row 1).
    pub row: usize,
    /// The field (English key) at fault, if any.
    pub field: Option<String>,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Outcome {
    pub total: usize,
    pub valid: usize,
    /// Records written: created, updated, left unchanged (0 when nothing was written).
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// When nothing was written (a refused all-or-nothing file, or a dry run): what the
    /// valid rows would have done — new records, and existing records they name.
    #[serde(default)]
    pub would_create: usize,
    #[serde(default)]
    pub would_update: usize,
    /// Rows not written, with every problem found in them.
    pub problems: Vec<RowProblem>,
    /// False when nothing was written (invalid rows without skip_invalid, or a dry run).
    pub written: bool,
}

impl Outcome {
    pub fn rejected_rows(&self) -> HashSet<usize> {
        self.problems.iter().map(|p| p.row).collect()
    }
}
