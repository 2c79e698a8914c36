//! An opened sheet and its rows: merged ranges, the row type, the sources a sheet
//! reads from and the row iterator.
use super::delimited::{csv_error, CsvRows, Decoding};
use super::workbook::{cells_reader, XlsxRows};
use super::{corrupt, FileError, Format, Input, Limits, TextEncoding};
use crate::cell::Cell;
use crate::map::{column_name, Problem};
use calamine::Xlsx;
use std::fmt;
use std::io::{self, Read, Seek, SeekFrom};

/// A merged range of cells (0-based, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergedRange {
    /// First row (0-based).
    pub first_row: u32,
    /// First column (0-based).
    pub first_col: u32,
    /// Last row (0-based).
    pub last_row: u32,
    /// Last column (0-based).
    pub last_col: u32,
}

impl MergedRange {
    /// `B3:C4`.
    pub fn a1(&self) -> String {
        format!(
            "{}{}:{}{}",
            column_name(self.first_col as usize),
            self.first_row + 1,
            column_name(self.last_col as usize),
            self.last_row + 1
        )
    }
}

/// One data row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based spreadsheet row number, as Excel shows it (the header is row 1).
    pub line: usize,
    /// The cells from column A; may be shorter than the header (missing cells are empty).
    pub cells: Vec<Cell>,
}

static EMPTY_CELL: Cell = Cell::Empty;

impl Row {
    /// The cell in column `index` (0-based), [`Cell::Empty`] beyond the row's end.
    pub fn get(&self, index: usize) -> &Cell {
        self.cells.get(index).unwrap_or(&EMPTY_CELL)
    }
}

pub(super) enum Source<'a> {
    Xlsx(Box<Xlsx<Input<'a>>>),
    Csv(Input<'a>, CsvSetup),
}

/// How to read a CSV stream again from its start.
#[derive(Debug, Clone, Copy)]
pub(super) struct CsvSetup {
    pub(super) encoding: TextEncoding,
    /// Bytes of BOM to skip.
    pub(super) skip: u64,
    pub(super) delimiter: u8,
    /// Lines end with CRLF (decides how csv's line counter is read).
    pub(super) crlf: bool,
    /// Physical line on which the header record ends.
    pub(super) header_end_line: u64,
}

impl CsvSetup {
    /// A csv reader positioned at the start of the stream (BOM skipped, transcoding to
    /// UTF-8 when needed).
    pub(super) fn reader<'r>(
        &self,
        input: &'r mut Input<'_>,
    ) -> io::Result<csv::Reader<Box<dyn Read + 'r>>> {
        input.seek(SeekFrom::Start(self.skip))?;
        let stream: Box<dyn Read + 'r> = match self.encoding {
            TextEncoding::Utf8 => Box::new(input),
            TextEncoding::Gb18030 => Box::new(Decoding::new(input, encoding_rs::GB18030)),
            TextEncoding::Utf16Le => Box::new(Decoding::new(input, encoding_rs::UTF_16LE)),
            TextEncoding::Utf16Be => Box::new(Decoding::new(input, encoding_rs::UTF_16BE)),
        };
        Ok(csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(self.delimiter)
            .buffer_capacity(1 << 16)
            .from_reader(stream))
    }
}

/// An opened sheet: its format, header row and merged ranges; [`Sheet::rows`] streams
/// the data rows.
pub struct Sheet<'a> {
    pub(super) format: Format,
    pub(super) headers: Vec<String>,
    pub(super) merged: Vec<MergedRange>,
    pub(super) limits: Limits,
    pub(super) total_bytes: u64,
    pub(super) source: Source<'a>,
}

impl fmt::Debug for Sheet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sheet")
            .field("format", &self.format)
            .field("headers", &self.headers)
            .field("merged", &self.merged)
            .finish_non_exhaustive()
    }
}

impl<'a> Sheet<'a> {
    /// The detected format (and the worksheet read, for xlsx).
    pub fn format(&self) -> &Format {
        &self.format
    }

    /// The header row as written (trimmed; empty strings for empty header cells).
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Merged ranges of the worksheet (xlsx only).
    pub fn merged(&self) -> &[MergedRange] {
        &self.merged
    }

    /// Sheet-level problems, one per merged range: merged cells are rejected because
    /// only the first cell of a merged range holds the value.
    pub fn problems(&self) -> Vec<Problem> {
        self.merged
            .iter()
            .map(|m| {
                let column = self
                    .headers
                    .get(m.first_col as usize)
                    .filter(|h| !h.is_empty())
                    .cloned()
                    .unwrap_or_else(|| column_name(m.first_col as usize));
                let range = m.a1();
                Problem {
                    row: m.first_row as usize + 1,
                    column: Some(column),
                    value: None,
                    message_zh: format!("合并单元格 {range}:请取消合并,并在每个单元格中分别填写"),
                    message_en: format!(
                        "merged cells {range}: unmerge them and fill in every cell"
                    ),
                }
            })
            .collect()
    }

    /// The data rows (after the header), one at a time. Rows whose cells are all blank
    /// are skipped. After an `Err` the iterator ends. Each call starts again at row 2,
    /// so an importer can validate the whole file in a first pass and write in a
    /// second one without holding the rows in memory.
    pub fn rows(&mut self) -> Result<Rows<'_>, FileError> {
        let limits = self.limits.clone();
        let inner: Box<dyn RowSource + '_> = match &mut self.source {
            Source::Xlsx(book) => {
                let Format::Xlsx { sheet } = &self.format else {
                    return Err(corrupt("format mismatch"));
                };
                let mut rows = XlsxRows {
                    reader: cells_reader(book, sheet)?,
                    pending: None,
                    exhausted: false,
                    limits,
                    last_row: 0,
                    dim_rows: 0,
                };
                rows.dim_rows = rows.reader.dimensions().end.0;
                rows.skip_header()?;
                Box::new(rows)
            }
            Source::Csv(input, setup) => {
                let setup = *setup;
                let mut reader = setup.reader(input)?;
                let mut record = csv::StringRecord::new();
                reader
                    .read_record(&mut record)
                    .map_err(|e| csv_error(e, 1))?;
                Box::new(CsvRows {
                    reader,
                    record,
                    row: 1,
                    prev_end_line: setup.header_end_line,
                    crlf: setup.crlf,
                    total_bytes: self.total_bytes.max(1),
                    limits,
                })
            }
        };
        Ok(Rows { inner, done: false })
    }
}

/// Streaming iterator over the data rows of a [`Sheet`].
pub struct Rows<'s> {
    inner: Box<dyn RowSource + 's>,
    /// The end, or an error, was met: nothing more is read.
    done: bool,
}

impl Rows<'_> {
    /// Rough progress between 0 and 1 (by rows for xlsx, by bytes for CSV), for
    /// progress bars.
    pub fn progress(&self) -> f64 {
        if self.done {
            1.0
        } else {
            self.inner.progress().clamp(0.0, 1.0)
        }
    }
}

impl Iterator for Rows<'_> {
    type Item = Result<Row, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.inner.next_row().transpose();
        self.done = !matches!(next, Some(Ok(_)));
        next
    }
}

/// A format's reader of data rows; [`Rows`] ends it at its end or its first error.
pub(super) trait RowSource {
    /// The next row that is not blank, `None` at the end.
    fn next_row(&mut self) -> Result<Option<Row>, FileError>;
    /// How far the reading is, before the end.
    fn progress(&self) -> f64;
}
