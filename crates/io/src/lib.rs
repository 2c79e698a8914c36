//! `gongjiang_io`: the spreadsheet side of `gongjiang import/export/template`, with no
//! database in sight.
//!
//! - [`mod@spec`]: the five import templates of contracts.md (headers, aliases, notes,
//!   drop-down lists).
//! - [`read`]: [`open`] an upload (xlsx or CSV, detected by content; legacy .xls, PDFs,
//!   truncated files and zip bombs refused), then stream its rows.
//! - [`map`]: match the header row to a spec ([`map_headers`]) and read each row's
//!   values with [`RowReader`], collecting a precise [`Problem`] per bad cell.
//! - [`cell`]: the typed cell helpers (`text`, `code`, `yes_no`, `int`, `decimal`,
//!   `date`, `year`, `choice`).
//! - [`mod@write`]: templates, xlsx/CSV exports that import back unchanged, and the
//!   rejected-rows workbook.
//! - [`mod@text`]: the plain text of an uploaded PDF, Word (.docx) or text file
//!   ([`extract_text`]), for the policy library's full-text search.
//!
//! Nothing here panics on any input: every malformed file is an `Err`.
//!
//! # An importer, in outline
//!
//! ```no_run
//! use gongjiang_io::{map_headers, open_path, rejected_workbook, Limits, Problem, PILOTS};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let spec = &PILOTS;
//! let mut sheet = open_path("pilots.xlsx".as_ref(), Some(spec.sheet), &Limits::default())?;
//! let map = match map_headers(spec, sheet.headers()) {
//!     Ok(m) => m,
//!     Err(problems) => {
//!         for p in problems { eprintln!("{p}"); }
//!         std::process::exit(3);
//!     }
//! };
//! // Pass 1: validate everything (the rows are streamed, not kept).
//! let mut problems: Vec<Problem> = sheet.problems();
//! for row in sheet.rows()? {
//!     let row = row?;
//!     let mut r = map.reader(&row);
//!     let _uscc = r.code("uscc");        // then the domain's Uscc::parse
//!     let _level = r.choice("level");
//!     let _year = r.year("year");
//!     let _benchmark = r.yes_no("benchmark").unwrap_or(false);
//!     problems.extend(r.finish());
//! }
//! if problems.is_empty() {
//!     // Pass 2: `sheet.rows()` again, this time writing to the database.
//! } else {
//!     // Report every bad cell; with --skip-invalid write the valid rows and hand back
//!     // the others, as written, with the reasons:
//!     let rejected: Vec<(Vec<String>, String)> = Vec::new(); // (map.raw_values(&row), reasons)
//!     let _xlsx = rejected_workbook(spec, &map.file_headers(), rejected)?;
//! }
//! # Ok(()) }
//! ```

pub mod cell;
pub mod map;
pub mod read;
pub mod run;
pub mod spec;
pub mod text;
pub mod write;

pub use cell::{Cell, CellError};
pub use map::{map_headers, HeaderMap, Problem, RowReader, REASON_HEADER};
pub use read::{
    open, open_path, open_reader, FileError, Format, Limits, MergedRange, Row, Rows, Sheet,
    TextEncoding,
};
pub use spec::{spec, Column, Kind, Spec, DESIGNATIONS, ORGS, PILOTS, REPORTS, WORKERS};
pub use text::{doc_kind, extract_text, DocKind, TextError};
pub use write::{csv, rejected_workbook, template, write_csv, xlsx, WriteError};
