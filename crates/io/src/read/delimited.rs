//! CSV: encoding detection and decoding, the reader set-up and streaming rows.
use super::sheet::{CsvSetup, Row, RowSource, Sheet, Source};
use super::workbook::header_strings;
use super::{not_spreadsheet, FileError, Format, Input, Limits, TextEncoding};
use crate::cell::{is_space, Cell};
use std::io::{self, Read, Seek, SeekFrom};

// ---------------------------------------------------------------------------------
// CSV

/// Whether the whole stream (from `start`) is valid UTF-8, checked in chunks.
fn stream_is_utf8(input: &mut Input<'_>, start: u64) -> io::Result<bool> {
    input.seek(SeekFrom::Start(start))?;
    let mut buf = vec![0u8; 1 << 16];
    let mut carry = 0usize;
    loop {
        let n = match input.read(&mut buf[carry..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok(carry == 0);
        }
        let len = carry + n;
        match std::str::from_utf8(&buf[..len]) {
            Ok(_) => carry = 0,
            Err(e) if e.error_len().is_some() => return Ok(false),
            Err(e) => {
                let valid = e.valid_up_to();
                buf.copy_within(valid..len, 0);
                carry = len - valid;
            }
        }
    }
}

/// Transcodes a stream to UTF-8 on the fly; malformed input is an `InvalidData` error.
pub(super) struct Decoding<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    eof: bool,
    finished: bool,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
}

impl<R: Read> Decoding<R> {
    pub(super) fn new(inner: R, encoding: &'static encoding_rs::Encoding) -> Self {
        Decoding {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; 1 << 16],
            in_start: 0,
            in_end: 0,
            eof: false,
            finished: false,
            output: vec![0; (1 << 17) + 16],
            out_start: 0,
            out_end: 0,
        }
    }
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.finished || buf.is_empty() {
                return Ok(0);
            }
            if self.in_start == self.in_end && !self.eof {
                let n = self.inner.read(&mut self.input)?;
                self.in_start = 0;
                self.in_end = n;
                self.eof = n == 0;
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.in_start..self.in_end],
                &mut self.output,
                self.eof,
            );
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            match result {
                encoding_rs::DecoderResult::InputEmpty => {
                    if self.eof {
                        self.finished = true;
                    }
                }
                encoding_rs::DecoderResult::OutputFull => {}
                encoding_rs::DecoderResult::Malformed(..) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "malformed text in the detected encoding",
                    ))
                }
            }
        }
    }
}

pub(super) fn open_csv<'a>(
    mut input: Input<'a>,
    len: u64,
    head: &[u8],
    limits: &Limits,
) -> Result<Sheet<'a>, FileError> {
    let (encoding, skip) = if head.starts_with(b"\xEF\xBB\xBF") {
        (TextEncoding::Utf8, 3)
    } else if head.starts_with(b"\xFF\xFE") {
        (TextEncoding::Utf16Le, 2)
    } else if head.starts_with(b"\xFE\xFF") {
        (TextEncoding::Utf16Be, 2)
    } else if stream_is_utf8(&mut input, 0)? {
        (TextEncoding::Utf8, 0)
    } else {
        (TextEncoding::Gb18030, 0)
    };
    let rs_encoding = match encoding {
        TextEncoding::Utf8 => encoding_rs::UTF_8,
        TextEncoding::Gb18030 => encoding_rs::GB18030,
        TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
        TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
    };
    // Decode the head to check it is text and to find the delimiter.
    let head_body = &head[skip.min(head.len())..];
    let mut decoder = rs_encoding.new_decoder_without_bom_handling();
    let mut head_text = String::with_capacity(head_body.len() * 2 + 16);
    let (result, _) =
        decoder.decode_to_string_without_replacement(head_body, &mut head_text, false);
    if let encoding_rs::DecoderResult::Malformed(..) = result {
        return Err(not_spreadsheet(
            "无法识别的文本编码或二进制数据",
            "binary data or text in an unknown encoding",
        ));
    }
    let controls = head_text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n' | '\u{c}' | '\u{1a}'))
        .count();
    if controls > 8 || controls * 100 > head_text.chars().count().max(1) {
        return Err(not_spreadsheet("二进制文件", "binary data"));
    }
    if head_text.chars().all(is_space) && (len as usize) <= head.len() {
        return Err(FileError::Empty);
    }
    let first_line = head_text.split('\n').next().unwrap_or("");
    let delimiter = if first_line.contains('\t') && !first_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    let crlf = first_line.ends_with('\r');
    let mut setup = CsvSetup {
        encoding,
        skip: skip as u64,
        delimiter,
        crlf,
        header_end_line: 1,
    };
    let mut reader = setup.reader(&mut input)?;
    let mut record = csv::StringRecord::new();
    let got = reader
        .read_record(&mut record)
        .map_err(|e| csv_error(e, 1))?;
    if !got {
        return Err(FileError::Empty);
    }
    setup.header_end_line = end_line(reader.position().line(), crlf);
    drop(reader);
    if setup.header_end_line > 1 + newlines(&record) {
        // Blank lines before the first record: row 1 is empty.
        return Err(FileError::NoHeader);
    }
    let cells: Vec<Cell> = record.iter().map(csv_cell).collect();
    if cells.len() > limits.max_columns && cells[limits.max_columns..].iter().any(|c| !c.is_blank())
    {
        return Err(FileError::TooManyColumns {
            row: 1,
            limit: limits.max_columns,
        });
    }
    let headers = header_strings(&cells)?;
    Ok(Sheet {
        format: Format::Csv {
            encoding,
            delimiter,
        },
        headers,
        merged: Vec::new(),
        limits: limits.clone(),
        total_bytes: len,
        source: Source::Csv(input, setup),
    })
}

pub(super) fn csv_error(e: csv::Error, row: usize) -> FileError {
    match e.kind() {
        csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::InvalidData => FileError::Encoding {
            after_row: row.saturating_sub(1),
        },
        csv::ErrorKind::Utf8 { .. } => FileError::Encoding {
            after_row: row.saturating_sub(1),
        },
        _ => FileError::Csv {
            row,
            detail: e.to_string(),
        },
    }
}

/// A CSV field as a cell; undoes the `'` that [`crate::write::csv`] puts before values
/// starting with `=`, `+`, `-` or `@` (formula-injection defence).
fn csv_cell(field: &str) -> Cell {
    if field.is_empty() {
        return Cell::Empty;
    }
    let mut chars = field.chars();
    if chars.next() == Some('\'')
        && matches!(chars.next(), Some('=' | '+' | '-' | '@' | '\t' | '\r'))
    {
        return Cell::Text(field[1..].to_string());
    }
    Cell::Text(field.to_string())
}

pub(super) struct CsvRows<'s> {
    pub(super) reader: csv::Reader<Box<dyn Read + 's>>,
    pub(super) record: csv::StringRecord,
    /// Spreadsheet row of the last record read.
    pub(super) row: usize,
    /// Physical line on which the last record read ended.
    pub(super) prev_end_line: u64,
    pub(super) crlf: bool,
    pub(super) total_bytes: u64,
    pub(super) limits: Limits,
}

/// Line breaks inside the (quoted) fields of a record.
fn newlines(record: &csv::StringRecord) -> u64 {
    record
        .iter()
        .map(|f| memchr::memchr_iter(b'\n', f.as_bytes()).count() as u64)
        .sum()
}

/// The physical line on which the record just read ended, from csv's line counter
/// after reading it (which has consumed the LF of an LF line end but not yet the LF of
/// a CRLF line end).
fn end_line(after: u64, crlf: bool) -> u64 {
    if crlf {
        after
    } else {
        after.saturating_sub(1).max(1)
    }
}

impl CsvRows<'_> {
    fn row(&mut self) -> Result<Option<Row>, FileError> {
        loop {
            let got = self
                .reader
                .read_record(&mut self.record)
                .map_err(|e| csv_error(e, self.row + 1))?;
            if !got {
                return Ok(None);
            }
            // csv skips blank lines: count them so that row numbers match what Excel
            // shows when it opens the file (a blank line is an empty row there).
            let end = end_line(self.reader.position().line(), self.crlf);
            let start = end.saturating_sub(newlines(&self.record));
            let blank_lines = start.saturating_sub(self.prev_end_line + 1) as usize;
            self.prev_end_line = end;
            self.row += 1 + blank_lines;
            if self.row - 1 > self.limits.max_rows {
                return Err(FileError::TooManyRows {
                    limit: self.limits.max_rows,
                });
            }
            let mut cells: Vec<Cell> = Vec::with_capacity(self.record.len());
            for (i, field) in self.record.iter().enumerate() {
                let cell = csv_cell(field);
                if i >= self.limits.max_columns {
                    if !cell.is_blank() {
                        return Err(FileError::TooManyColumns {
                            row: self.row,
                            limit: self.limits.max_columns,
                        });
                    }
                    continue;
                }
                cells.push(cell);
            }
            if cells.iter().all(Cell::is_blank) {
                continue;
            }
            return Ok(Some(Row {
                line: self.row,
                cells,
            }));
        }
    }
}

impl RowSource for CsvRows<'_> {
    fn next_row(&mut self) -> Result<Option<Row>, FileError> {
        self.row()
    }

    fn progress(&self) -> f64 {
        self.reader.position().byte() as f64 / self.total_bytes as f64
    }
}
