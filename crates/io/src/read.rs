//! Opening an uploaded file: format detection by content, size and zip-bomb limits,
//! sheet selection, the header row, and a streaming iterator over the data rows.
//!
//! ```no_run
//! use gongjiang_io::{open, map_headers, Limits, WORKERS};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let bytes = std::fs::read("workers.xlsx")?;
//! let mut sheet = open(&bytes, "workers.xlsx", Some(WORKERS.sheet), &Limits::default())?;
//! let map = map_headers(&WORKERS, sheet.headers()).map_err(|p| format!("{p:?}"))?;
//! let mut problems = sheet.problems(); // merged cells
//! for row in sheet.rows()? {
//!     let row = row?;
//!     let mut r = map.reader(&row);
//!     let _name = r.text("name");
//!     problems.extend(r.finish());
//! }
//! # Ok(()) }
//! ```
//!
//! Memory: the rows are produced one at a time from the compressed worksheet (xlsx) or
//! the byte stream (CSV, transcoded on the fly from GB18030/UTF-16 when needed), so a
//! million-row file is never materialised as cells. What stays in memory is the input
//! (for [`open`]; [`open_path`] reads from the file), and for xlsx the workbook's
//! shared-string table, which the format requires.

use crate::cell::{is_space, word_key, Cell};
use crate::map::{column_name, Problem};
use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};
use std::fmt;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// Anything readable and seekable: an in-memory upload or a file.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

type Input<'a> = Box<dyn ReadSeek + 'a>;

/// Limits applied while opening and reading a file. The defaults fit the largest
/// legitimate import (a million workers, about 130 MB as CSV and 50 MB as xlsx).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted file, in bytes (default 256 MiB).
    pub max_file_bytes: u64,
    /// Largest total uncompressed size of all entries of an xlsx (default 2 GiB).
    pub max_uncompressed_bytes: u64,
    /// Largest compression ratio of one xlsx entry larger than 1 MiB (default 100; real
    /// worksheets stay well below, zip bombs are above 1000).
    pub max_compression_ratio: u64,
    /// Most entries in an xlsx container (default 10 000).
    pub max_zip_entries: usize,
    /// Most data rows, header excluded (default 1 048 575, Excel's maximum).
    pub max_rows: usize,
    /// Most columns (default 256).
    pub max_columns: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 << 20,
            max_uncompressed_bytes: 2 << 30,
            max_compression_ratio: 100,
            max_zip_entries: 10_000,
            max_rows: 1_048_575,
            max_columns: 256,
        }
    }
}

/// Entries up to this size are exempt from the ratio check (small XML parts compress
/// very well and cannot do harm).
const RATIO_GRACE_BYTES: u64 = 1 << 20;

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, with or without BOM.
    Utf8,
    /// GB18030 (a superset of GBK/GB2312): what Excel and WPS write on Chinese Windows.
    Gb18030,
    /// UTF-16 little-endian with BOM (Excel's "Unicode text").
    Utf16Le,
    /// UTF-16 big-endian with BOM.
    Utf16Be,
}

/// The detected format of an opened file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// Office Open XML workbook (Excel 2007+, WPS, LibreOffice "Excel 2007-365").
    Xlsx {
        /// The worksheet that is read.
        sheet: String,
    },
    /// Delimited text.
    Csv {
        /// Detected encoding.
        encoding: TextEncoding,
        /// `b','` or `b'\t'`.
        delimiter: u8,
    },
}

/// Why a file cannot be read at all. Problems with single cells are [`Problem`]s instead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileError {
    /// Zero bytes, or only white space.
    Empty,
    /// Larger than [`Limits::max_file_bytes`].
    TooLarge {
        /// Size of the file.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// Not a spreadsheet at all (PDF, image, archive, random bytes …).
    NotSpreadsheet {
        /// What it looks like, in Chinese.
        what_zh: String,
        /// What it looks like, in English.
        what_en: String,
    },
    /// An Excel 97-2003 `.xls`, or an encrypted (password-protected) workbook: both are
    /// OLE2 compound files.
    LegacyOrEncrypted,
    /// An OpenDocument spreadsheet (`.ods`).
    Ods,
    /// An Excel binary workbook (`.xlsb`).
    Xlsb,
    /// A damaged or truncated xlsx.
    Corrupt {
        /// Technical detail.
        detail: String,
    },
    /// An xlsx whose content would inflate beyond the limits (zip bomb).
    ZipBomb {
        /// The offending entry.
        entry: String,
        /// Why, in Chinese.
        reason_zh: String,
        /// Why, in English.
        reason_en: String,
    },
    /// The workbook has several worksheets and none is the expected one.
    SheetNotFound {
        /// The expected sheet name.
        expected: String,
        /// Worksheets found.
        found: Vec<String>,
    },
    /// The first row is empty: the header row is missing.
    NoHeader,
    /// More data rows than [`Limits::max_rows`].
    TooManyRows {
        /// The limit.
        limit: usize,
    },
    /// A value beyond [`Limits::max_columns`].
    TooManyColumns {
        /// Spreadsheet row (1-based).
        row: usize,
        /// The limit.
        limit: usize,
    },
    /// The text is not valid in its encoding (detected as GB18030/UTF-16).
    Encoding {
        /// Last row read without error.
        after_row: usize,
    },
    /// Malformed CSV.
    Csv {
        /// Spreadsheet row (1-based) near the error.
        row: usize,
        /// Technical detail.
        detail: String,
    },
    /// Reading the file failed.
    Io {
        /// Technical detail.
        detail: String,
    },
}

impl FileError {
    /// The message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            FileError::Empty => "文件为空".into(),
            FileError::TooLarge { bytes, limit } => format!(
                "文件过大({}),超过上限 {},请拆分后分批导入",
                human_bytes(*bytes),
                human_bytes(*limit)
            ),
            FileError::NotSpreadsheet { what_zh, .. } => format!(
                "文件不是电子表格({what_zh}),请上传 .xlsx 或 .csv 文件"
            ),
            FileError::LegacyOrEncrypted => "文件是旧版 Excel 97-2003 (.xls) 工作簿或设置了打开密码,\
                 请在 Excel/WPS 中取消密码并“另存为” Excel 工作簿 (.xlsx) 后再导入"
                .into(),
            FileError::Ods => "文件是 OpenDocument (.ods) 表格,请在 LibreOffice/WPS 中“另存为” \
                 Excel 2007-365 (.xlsx) 后再导入"
                .into(),
            FileError::Xlsb => {
                "文件是 Excel 二进制工作簿 (.xlsb),请“另存为” Excel 工作簿 (.xlsx) 后再导入".into()
            }
            FileError::Corrupt { .. } => {
                "文件已损坏或不完整(可能上传或下载中断),请用 Excel/WPS 打开确认后重新保存为 .xlsx".into()
            }
            FileError::ZipBomb {
                entry, reason_zh, ..
            } => format!("文件内容异常,已拒绝(部件 {entry}:{reason_zh})"),
            FileError::SheetNotFound { expected, found } => format!(
                "工作簿中没有名为“{expected}”的工作表(现有:{}),请把数据放在“{expected}”工作表中或删除多余的工作表",
                found.join("、")
            ),
            FileError::NoHeader => "第1行为空:第1行应为表头(列名),请使用导入模板".into(),
            FileError::TooManyRows { limit } => {
                format!("数据行数超过上限 {limit} 行,请拆分后分批导入")
            }
            FileError::TooManyColumns { row, limit } => {
                format!("第{row}行的数据超出第 {limit} 列,列数过多,请删除多余的列")
            }
            FileError::Encoding { after_row } => format!(
                "第{after_row}行之后的文字编码无法识别,请另存为“CSV UTF-8(逗号分隔)”后再导入"
            ),
            FileError::Csv { row, detail } => {
                format!("CSV 格式错误(第{row}行附近):{detail}")
            }
            FileError::Io { detail } => format!("读取文件失败:{detail}"),
        }
    }

    /// The message in English.
    pub fn message_en(&self) -> String {
        match self {
            FileError::Empty => "the file is empty".into(),
            FileError::TooLarge { bytes, limit } => format!(
                "the file is too large ({}, limit {}); split it and import the parts",
                human_bytes(*bytes),
                human_bytes(*limit)
            ),
            FileError::NotSpreadsheet { what_en, .. } => {
                format!("the file is not a spreadsheet ({what_en}); upload an .xlsx or .csv file")
            }
            FileError::LegacyOrEncrypted => "the file is a legacy Excel 97-2003 (.xls) workbook \
                 or is password-protected; remove the password and save it as an Excel workbook (.xlsx)"
                .into(),
            FileError::Ods => {
                "the file is an OpenDocument spreadsheet (.ods); save it as Excel 2007-365 (.xlsx)".into()
            }
            FileError::Xlsb => {
                "the file is an Excel binary workbook (.xlsb); save it as an Excel workbook (.xlsx)".into()
            }
            FileError::Corrupt { detail } => format!(
                "the file is damaged or incomplete (an interrupted upload?); open it in Excel/WPS and save it again as .xlsx ({detail})"
            ),
            FileError::ZipBomb {
                entry, reason_en, ..
            } => format!("the file was refused: part {entry} {reason_en}"),
            FileError::SheetNotFound { expected, found } => format!(
                "the workbook has no sheet named '{expected}' (sheets: {}); put the data on a sheet named '{expected}' or remove the other sheets",
                found.join(", ")
            ),
            FileError::NoHeader => {
                "row 1 is empty: the first row must hold the column headers; use the import template".into()
            }
            FileError::TooManyRows { limit } => {
                format!("more than {limit} data rows; split the file and import the parts")
            }
            FileError::TooManyColumns { row, limit } => {
                format!("row {row} has data beyond column {limit}; remove the extra columns")
            }
            FileError::Encoding { after_row } => format!(
                "the text after row {after_row} is not in a recognised encoding; save the file as 'CSV UTF-8 (comma delimited)'"
            ),
            FileError::Csv { row, detail } => format!("malformed CSV near row {row}: {detail}"),
            FileError::Io { detail } => format!("reading the file failed: {detail}"),
        }
    }

    /// The message in the requested language.
    pub fn message(&self, english: bool) -> String {
        if english {
            self.message_en()
        } else {
            self.message_zh()
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_zh())
    }
}

impl std::error::Error for FileError {}

impl From<io::Error> for FileError {
    fn from(e: io::Error) -> Self {
        FileError::Io {
            detail: e.to_string(),
        }
    }
}

fn human_bytes(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MB", n as f64 / (1u64 << 20) as f64)
    } else if n >= 1 << 10 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

fn not_spreadsheet(zh: &str, en: &str) -> FileError {
    FileError::NotSpreadsheet {
        what_zh: zh.into(),
        what_en: en.into(),
    }
}

fn corrupt(detail: impl fmt::Display) -> FileError {
    FileError::Corrupt {
        detail: detail.to_string(),
    }
}

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

enum Source<'a> {
    Xlsx(Box<Xlsx<Input<'a>>>),
    Csv(Input<'a>, CsvSetup),
}

/// How to read a CSV stream again from its start.
#[derive(Debug, Clone, Copy)]
struct CsvSetup {
    encoding: TextEncoding,
    /// Bytes of BOM to skip.
    skip: u64,
    delimiter: u8,
    /// Lines end with CRLF (decides how csv's line counter is read).
    crlf: bool,
    /// Physical line on which the header record ends.
    header_end_line: u64,
}

impl CsvSetup {
    /// A csv reader positioned at the start of the stream (BOM skipped, transcoding to
    /// UTF-8 when needed).
    fn reader<'r>(&self, input: &'r mut Input<'_>) -> io::Result<csv::Reader<Box<dyn Read + 'r>>> {
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
    format: Format,
    headers: Vec<String>,
    merged: Vec<MergedRange>,
    limits: Limits,
    total_bytes: u64,
    source: Source<'a>,
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
                    done: false,
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
                    done: false,
                })
            }
        };
        Ok(Rows { inner })
    }
}

/// Streaming iterator over the data rows of a [`Sheet`].
pub struct Rows<'s> {
    inner: Box<dyn RowSource + 's>,
}

impl Rows<'_> {
    /// Rough progress between 0 and 1 (by rows for xlsx, by bytes for CSV), for
    /// progress bars.
    pub fn progress(&self) -> f64 {
        self.inner.progress().clamp(0.0, 1.0)
    }
}

impl Iterator for Rows<'_> {
    type Item = Result<Row, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next_row()
    }
}

trait RowSource {
    fn next_row(&mut self) -> Option<Result<Row, FileError>>;
    fn progress(&self) -> f64;
}

/// Opens an uploaded file held in memory. The format is detected from the content (the
/// file name is only used in messages): a zip container is read as xlsx, text as CSV;
/// legacy `.xls`, `.ods`, `.xlsb`, PDFs, images, archives and binary data are refused
/// with a message saying what to do.
///
/// `expected_sheet` is the spec's sheet name: in a workbook with several worksheets that
/// one is read; if it is missing, the only non-empty worksheet is read (a `说明` sheet
/// does not count), otherwise the file is refused naming the expected sheet. Without
/// `expected_sheet` the first visible worksheet is read.
pub fn open<'a>(
    bytes: &'a [u8],
    file_name: &str,
    expected_sheet: Option<&str>,
    limits: &Limits,
) -> Result<Sheet<'a>, FileError> {
    let len = bytes.len() as u64;
    open_input(
        Box::new(Cursor::new(bytes)),
        len,
        file_name,
        expected_sheet,
        limits,
    )
}

/// Like [`open`], reading from a file on disk instead of memory (the file is not
/// loaded whole; memory stays bounded for CSV and, apart from the shared-string table,
/// for xlsx).
pub fn open_path(
    path: &Path,
    expected_sheet: Option<&str>,
    limits: &Limits,
) -> Result<Sheet<'static>, FileError> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    open_input(
        Box::new(BufReader::with_capacity(1 << 16, file)),
        len,
        &name,
        expected_sheet,
        limits,
    )
}

/// Opens any seekable reader of `len` bytes (see [`open`]).
pub fn open_reader<'a, R: Read + Seek + 'a>(
    reader: R,
    len: u64,
    file_name: &str,
    expected_sheet: Option<&str>,
    limits: &Limits,
) -> Result<Sheet<'a>, FileError> {
    open_input(Box::new(reader), len, file_name, expected_sheet, limits)
}

fn open_input<'a>(
    mut input: Input<'a>,
    len: u64,
    file_name: &str,
    expected_sheet: Option<&str>,
    limits: &Limits,
) -> Result<Sheet<'a>, FileError> {
    if len == 0 {
        return Err(FileError::Empty);
    }
    if len > limits.max_file_bytes {
        return Err(FileError::TooLarge {
            bytes: len,
            limit: limits.max_file_bytes,
        });
    }
    let mut head = vec![0u8; 8192];
    let n = read_full(&mut input, &mut head)?;
    head.truncate(n);
    input.seek(SeekFrom::Start(0))?;
    match sniff(&head, file_name)? {
        Sniffed::Zip => open_xlsx(input, expected_sheet, limits),
        Sniffed::Text => open_csv(input, len, &head, limits),
    }
}

fn read_full(input: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match input.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

enum Sniffed {
    Zip,
    Text,
}

fn sniff(head: &[u8], file_name: &str) -> Result<Sniffed, FileError> {
    let starts = |m: &[u8]| head.starts_with(m);
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") || starts(b"PK\x07\x08") {
        return Ok(Sniffed::Zip);
    }
    if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Err(FileError::LegacyOrEncrypted);
    }
    let known: [(&[u8], &str, &str); 10] = [
        (b"%PDF", "PDF 文档", "a PDF document"),
        (b"\x89PNG", "PNG 图片", "a PNG image"),
        (b"\xFF\xD8\xFF", "JPEG 图片", "a JPEG image"),
        (b"GIF8", "GIF 图片", "a GIF image"),
        (b"Rar!", "RAR 压缩包", "a RAR archive"),
        (b"7z\xBC\xAF\x27\x1C", "7z 压缩包", "a 7z archive"),
        (b"\x1F\x8B", "gzip 压缩文件", "a gzip file"),
        (b"BZh", "bzip2 压缩文件", "a bzip2 file"),
        (b"{\\rtf", "RTF 文档", "an RTF document"),
        (b"\x7FELF", "程序文件", "an executable"),
    ];
    for (magic, zh, en) in known {
        if starts(magic) {
            return Err(not_spreadsheet(zh, en));
        }
    }
    let utf16 = starts(b"\xFF\xFE") || starts(b"\xFE\xFF");
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let trimmed: Vec<u8> = body
        .iter()
        .copied()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(16)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    if trimmed.starts_with(b"<") {
        let _ = file_name;
        return Err(not_spreadsheet(
            "HTML 或 XML 文件,可能是系统导出的伪 .xls,请用 Excel/WPS 打开后另存为 .xlsx",
            "an HTML or XML file, perhaps a system export named .xls; open it in Excel/WPS and save it as .xlsx",
        ));
    }
    if !utf16 && head.contains(&0) {
        return Err(not_spreadsheet("二进制文件", "binary data"));
    }
    if body.iter().all(|b| b.is_ascii_whitespace()) && head.len() < 8192 {
        return Err(FileError::Empty);
    }
    Ok(Sniffed::Text)
}

// ---------------------------------------------------------------------------------
// xlsx

/// Facts gathered while checking the zip container.
struct ZipScan {
    /// Some worksheet mentions `mergeCell`: ask calamine for the merged ranges.
    merge_hint: bool,
}

fn zip_err(e: zip::result::ZipError) -> FileError {
    use zip::result::ZipError;
    match e {
        ZipError::UnsupportedArchive(m) if m.contains("assword") || m.contains("ncrypt") => {
            FileError::LegacyOrEncrypted
        }
        other => corrupt(other),
    }
}

/// Checks the central directory (declared sizes, ratios, entry count), then inflates
/// every entry into a counting sink, stopping as soon as an entry produces more than it
/// declared or the total exceeds the limit: calamine is handed only a container whose
/// real content is known to be within the limits.
fn inspect_zip(input: &mut Input<'_>, limits: &Limits) -> Result<ZipScan, FileError> {
    let mut zip = zip::ZipArchive::new(&mut *input).map_err(zip_err)?;
    if zip.len() > limits.max_zip_entries {
        return Err(FileError::ZipBomb {
            entry: format!("({} 个部件)", zip.len()),
            reason_zh: format!("部件数量超过 {}", limits.max_zip_entries),
            reason_en: format!("has more than {} entries", limits.max_zip_entries),
        });
    }
    let mut has_content_types = false;
    let mut declared_total: u64 = 0;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(zip_err)?;
        let name = f.name().map_err(zip_err)?.into_owned();
        let size = f.size();
        let packed = f.compressed_size().max(1);
        drop(f);
        match name.as_str() {
            "[Content_Types].xml" => has_content_types = true,
            "mimetype" => return Err(FileError::Ods),
            "xl/workbook.bin" => return Err(FileError::Xlsb),
            _ => {}
        }
        declared_total = declared_total.saturating_add(size);
        if declared_total > limits.max_uncompressed_bytes {
            return Err(too_big(&name, limits));
        }
        if size > RATIO_GRACE_BYTES && size / packed > limits.max_compression_ratio {
            return Err(ratio(&name, size / packed, limits));
        }
    }
    if !has_content_types {
        return Err(not_spreadsheet(
            "ZIP 压缩包,不是 Excel 工作簿",
            "a ZIP archive, not an Excel workbook",
        ));
    }
    let mut buf = vec![0u8; 1 << 16];
    let mut total: u64 = 0;
    let mut merge_hint = false;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(zip_err)?;
        let name = f.name().map_err(zip_err)?.into_owned();
        let declared = f.size();
        let is_sheet = name.starts_with("xl/worksheets/") && name.ends_with(".xml");
        let mut produced: u64 = 0;
        let mut tail: Vec<u8> = Vec::new();
        loop {
            let n = match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // The zip reader itself stops an entry that inflates beyond its
                // declared size.
                Err(e) if e.to_string().contains("larger than its declared") => {
                    return Err(FileError::ZipBomb {
                        entry: name,
                        reason_zh: "实际解压大小超过声明的大小".into(),
                        reason_en: "inflates to more than its declared size".into(),
                    })
                }
                Err(e) => return Err(corrupt(format!("{name}: {e}"))),
            };
            produced += n as u64;
            total += n as u64;
            if produced > declared {
                return Err(FileError::ZipBomb {
                    entry: name,
                    reason_zh: "实际解压大小超过声明的大小".into(),
                    reason_en: "inflates to more than its declared size".into(),
                });
            }
            if total > limits.max_uncompressed_bytes {
                return Err(too_big(&name, limits));
            }
            if is_sheet && !merge_hint {
                tail.extend_from_slice(&buf[..n]);
                if memchr::memmem::find(&tail, b"mergeCell").is_some() {
                    merge_hint = true;
                }
                let keep = tail.len().saturating_sub(16);
                tail.drain(..keep);
            }
        }
        if produced != declared {
            return Err(corrupt(format!(
                "{name}: {produced} bytes, {declared} declared"
            )));
        }
    }
    Ok(ZipScan { merge_hint })
}

fn too_big(entry: &str, limits: &Limits) -> FileError {
    FileError::ZipBomb {
        entry: entry.to_string(),
        reason_zh: format!(
            "解压后总大小超过上限 {}",
            human_bytes(limits.max_uncompressed_bytes)
        ),
        reason_en: format!(
            "would inflate beyond the limit of {}",
            human_bytes(limits.max_uncompressed_bytes)
        ),
    }
}

fn ratio(entry: &str, r: u64, limits: &Limits) -> FileError {
    FileError::ZipBomb {
        entry: entry.to_string(),
        reason_zh: format!(
            "压缩比 {r}:1 超过上限 {}:1,疑似压缩炸弹",
            limits.max_compression_ratio
        ),
        reason_en: format!(
            "has a compression ratio of {r}:1, above the limit of {}:1 (zip bomb?)",
            limits.max_compression_ratio
        ),
    }
}

/// Runs a calamine call, turning its errors and any panic on malformed input into
/// [`FileError::Corrupt`].
fn guarded<T, E: fmt::Display>(f: impl FnOnce() -> Result<T, E>) -> Result<T, FileError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(corrupt(e)),
        Err(_) => Err(corrupt("the workbook could not be parsed")),
    }
}

type CellsReader<'s, 'a> = calamine::XlsxCellReader<'s, Input<'a>>;

fn cells_reader<'s, 'a>(
    book: &'s mut Xlsx<Input<'a>>,
    sheet: &str,
) -> Result<CellsReader<'s, 'a>, FileError> {
    guarded(|| book.worksheet_cells_reader(sheet))
}

fn convert(value: DataRef<'_>, formula: Option<String>) -> Cell {
    if let Some(f) = formula {
        if !f.is_empty() {
            return Cell::Formula(f);
        }
    }
    match value {
        DataRef::Empty => Cell::Empty,
        DataRef::Int(i) => Cell::Number(i as f64),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(dt) => {
            if dt.is_datetime() && dt.as_f64() >= 1.0 {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                match chrono::NaiveDate::from_ymd_opt(y.into(), m.into(), d.into()) {
                    Some(date) => Cell::Date(date),
                    None => Cell::Number(dt.as_f64()),
                }
            } else {
                Cell::Number(dt.as_f64())
            }
        }
        DataRef::DateTimeIso(s) => {
            let day = s.get(..10).unwrap_or("");
            match chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") {
                Ok(d) => Cell::Date(d),
                Err(_) => Cell::Text(s),
            }
        }
        DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

fn next_cell(reader: &mut CellsReader<'_, '_>) -> Result<Option<(u32, u32, Cell)>, FileError> {
    loop {
        let rec = guarded(|| reader.next_cell_with_formula())?;
        let Some(rec) = rec else {
            return Ok(None);
        };
        let cell = convert(rec.value, rec.formula);
        if cell != Cell::Empty {
            return Ok(Some((rec.pos.0, rec.pos.1, cell)));
        }
    }
}

fn place(
    cells: &mut Vec<Cell>,
    col: u32,
    cell: Cell,
    row: u32,
    limits: &Limits,
) -> Result<(), FileError> {
    let col = col as usize;
    if col >= limits.max_columns {
        if cell.is_blank() {
            return Ok(());
        }
        return Err(FileError::TooManyColumns {
            row: row as usize + 1,
            limit: limits.max_columns,
        });
    }
    if col >= cells.len() {
        cells.resize(col + 1, Cell::Empty);
    }
    cells[col] = cell;
    Ok(())
}

fn open_xlsx<'a>(
    mut input: Input<'a>,
    expected_sheet: Option<&str>,
    limits: &Limits,
) -> Result<Sheet<'a>, FileError> {
    let scan = inspect_zip(&mut input, limits)?;
    input.seek(SeekFrom::Start(0))?;
    let mut book: Box<Xlsx<Input<'a>>> = Box::new(guarded(|| Xlsx::new(input))?);
    let sheets: Vec<calamine::Sheet> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .cloned()
        .collect();
    if sheets.is_empty() {
        return Err(corrupt("the workbook has no worksheet"));
    }
    let name = choose_sheet(&mut book, &sheets, expected_sheet)?;

    // Header row: the cells of row 1.
    let mut header_cells: Vec<Cell> = Vec::new();
    {
        let mut reader = cells_reader(&mut book, &name)?;
        while let Some((r, c, cell)) = next_cell(&mut reader)? {
            if r != 0 {
                break;
            }
            place(&mut header_cells, c, cell, r, limits)?;
        }
    }
    let headers = header_strings(&header_cells)?;
    let merged = if scan.merge_hint {
        guarded(|| book.merge_cells_by_sheet_name(&name))?
            .into_iter()
            .map(|d| MergedRange {
                first_row: d.start.0,
                first_col: d.start.1,
                last_row: d.end.0,
                last_col: d.end.1,
            })
            .filter(|m| m.first_row != m.last_row || m.first_col != m.last_col)
            .collect()
    } else {
        Vec::new()
    };
    Ok(Sheet {
        format: Format::Xlsx { sheet: name },
        headers,
        merged,
        limits: limits.clone(),
        total_bytes: 0,
        source: Source::Xlsx(book),
    })
}

fn header_strings(cells: &[Cell]) -> Result<Vec<String>, FileError> {
    if cells.iter().all(Cell::is_blank) {
        return Err(FileError::NoHeader);
    }
    let mut headers: Vec<String> = cells
        .iter()
        .map(|c| crate::cell::tidy(&c.to_string()))
        .collect();
    while headers.last().is_some_and(|h| h.is_empty()) {
        headers.pop();
    }
    Ok(headers)
}

fn sheet_has_data(book: &mut Xlsx<Input<'_>>, name: &str) -> Result<bool, FileError> {
    let mut reader = cells_reader(book, name)?;
    while let Some((_, _, cell)) = next_cell(&mut reader)? {
        if !cell.is_blank() {
            return Ok(true);
        }
    }
    Ok(false)
}

fn choose_sheet(
    book: &mut Xlsx<Input<'_>>,
    sheets: &[calamine::Sheet],
    expected: Option<&str>,
) -> Result<String, FileError> {
    let Some(expected) = expected else {
        let first = sheets
            .iter()
            .find(|s| s.visible == SheetVisible::Visible)
            .or_else(|| sheets.first());
        return first
            .map(|s| s.name.clone())
            .ok_or_else(|| corrupt("the workbook has no worksheet"));
    };
    let key = word_key(expected);
    if let Some(s) = sheets.iter().find(|s| word_key(&s.name) == key) {
        return Ok(s.name.clone());
    }
    if sheets.len() == 1 {
        return Ok(sheets[0].name.clone());
    }
    let mut with_data = Vec::new();
    for s in sheets {
        if s.name.trim() == "说明" {
            continue;
        }
        if sheet_has_data(book, &s.name)? {
            with_data.push(s.name.clone());
        }
    }
    if with_data.len() == 1 {
        return Ok(with_data.remove(0));
    }
    Err(FileError::SheetNotFound {
        expected: expected.to_string(),
        found: sheets.iter().map(|s| s.name.clone()).collect(),
    })
}

struct XlsxRows<'s, 'a> {
    reader: CellsReader<'s, 'a>,
    pending: Option<(u32, u32, Cell)>,
    exhausted: bool,
    done: bool,
    limits: Limits,
    last_row: u32,
    dim_rows: u32,
}

impl XlsxRows<'_, '_> {
    fn skip_header(&mut self) -> Result<(), FileError> {
        while let Some(c) = next_cell(&mut self.reader)? {
            if c.0 != 0 {
                self.pending = Some(c);
                return Ok(());
            }
        }
        self.exhausted = true;
        Ok(())
    }

    fn pull(&mut self) -> Result<Option<(u32, u32, Cell)>, FileError> {
        if let Some(c) = self.pending.take() {
            return Ok(Some(c));
        }
        if self.exhausted {
            return Ok(None);
        }
        let c = next_cell(&mut self.reader)?;
        if c.is_none() {
            self.exhausted = true;
        }
        Ok(c)
    }

    fn row(&mut self) -> Result<Option<Row>, FileError> {
        loop {
            let Some((r, c, cell)) = self.pull()? else {
                return Ok(None);
            };
            if r as usize > self.limits.max_rows {
                return Err(FileError::TooManyRows {
                    limit: self.limits.max_rows,
                });
            }
            let mut cells = Vec::with_capacity(16);
            place(&mut cells, c, cell, r, &self.limits)?;
            loop {
                match self.pull()? {
                    Some((r2, c2, cell2)) if r2 == r => {
                        place(&mut cells, c2, cell2, r, &self.limits)?
                    }
                    Some(other) => {
                        self.pending = Some(other);
                        break;
                    }
                    None => break,
                }
            }
            self.last_row = r;
            if cells.iter().all(Cell::is_blank) {
                continue;
            }
            return Ok(Some(Row {
                line: r as usize + 1,
                cells,
            }));
        }
    }
}

impl RowSource for XlsxRows<'_, '_> {
    fn next_row(&mut self) -> Option<Result<Row, FileError>> {
        if self.done {
            return None;
        }
        match self.row() {
            Ok(Some(row)) => Some(Ok(row)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }

    fn progress(&self) -> f64 {
        if self.done {
            1.0
        } else if self.dim_rows > 0 {
            f64::from(self.last_row) / f64::from(self.dim_rows)
        } else {
            0.0
        }
    }
}

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
struct Decoding<R> {
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
    fn new(inner: R, encoding: &'static encoding_rs::Encoding) -> Self {
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

fn open_csv<'a>(
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

fn csv_error(e: csv::Error, row: usize) -> FileError {
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

struct CsvRows<'s> {
    reader: csv::Reader<Box<dyn Read + 's>>,
    record: csv::StringRecord,
    /// Spreadsheet row of the last record read.
    row: usize,
    /// Physical line on which the last record read ended.
    prev_end_line: u64,
    crlf: bool,
    total_bytes: u64,
    limits: Limits,
    done: bool,
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
    fn next_row(&mut self) -> Option<Result<Row, FileError>> {
        if self.done {
            return None;
        }
        match self.row() {
            Ok(Some(row)) => Some(Ok(row)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }

    fn progress(&self) -> f64 {
        if self.done {
            1.0
        } else {
            self.reader.position().byte() as f64 / self.total_bytes as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits::default()
    }

    fn rows(sheet: &mut Sheet<'_>) -> Vec<Row> {
        sheet.rows().unwrap().map(|r| r.unwrap()).collect()
    }

    #[test]
    fn csv_utf8_with_bom_and_blank_lines() {
        let data = "\u{FEFF}姓名,身份证号\r\n张三,'=1+2\r\n\r\n,\r\n李四,x\r\n";
        let mut s = open(data.as_bytes(), "a.csv", None, &limits()).unwrap();
        assert_eq!(s.headers(), ["姓名", "身份证号"]);
        assert_eq!(
            s.format(),
            &Format::Csv {
                encoding: TextEncoding::Utf8,
                delimiter: b','
            }
        );
        let r = rows(&mut s);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].line, 2);
        assert_eq!(r[0].cells[1], Cell::Text("=1+2".into()));
        assert_eq!(r[1].line, 5);
        assert_eq!(r[1].cells[0], Cell::Text("李四".into()));
    }

    #[test]
    fn csv_gb18030_and_tabs() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("姓名\t工种\n张三\t车工\n");
        let mut s = open(&bytes, "a.csv", None, &limits()).unwrap();
        assert_eq!(
            s.format(),
            &Format::Csv {
                encoding: TextEncoding::Gb18030,
                delimiter: b'\t'
            }
        );
        assert_eq!(s.headers(), ["姓名", "工种"]);
        assert_eq!(rows(&mut s)[0].cells[1], Cell::Text("车工".into()));
    }

    #[test]
    fn csv_utf16() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "姓名\t工种\r\n张三\t车工\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let mut s = open(&bytes, "a.txt", None, &limits()).unwrap();
        assert_eq!(s.headers(), ["姓名", "工种"]);
        assert_eq!(rows(&mut s)[0].cells[0], Cell::Text("张三".into()));
    }

    #[test]
    fn csv_row_numbers_match_excel() {
        for (data, want) in [
            ("a,b\n\"x\ny\",1\nz,2\n", vec![2, 3]),
            ("a,b\r\n\"x\r\ny\",1\r\nz,2\r\n", vec![2, 3]),
            ("a,b\n1,2\n\n\n3,4\n\"p\nq\",5\n\n6,7\n", vec![2, 5, 6, 8]),
            // A last line without line end, after blank lines, is counted one short:
            // csv's line counter cannot tell; harmless and rare.
            ("a,b\n1,2\n3,4", vec![2, 3]),
            ("a,b\r\n\r\n1,2\r\n", vec![3]),
            ("a,b\n\n1,2\n", vec![3]),
            ("a,b\r\n\r\n1,2", vec![3]),
            (
                "a,b\r\n1,2\r\n\r\n\r\n3,4\r\n\"p\r\nq\",5\r\n\r\n6,7\r\n",
                vec![2, 5, 6, 8],
            ),
        ] {
            let mut s = open(data.as_bytes(), "a.csv", None, &limits()).unwrap();
            let got: Vec<usize> = rows(&mut s).iter().map(|r| r.line).collect();
            assert_eq!(got, want, "{data:?}");
        }
        let e = open(b"\n\na,b\n", "a.csv", None, &limits()).unwrap_err();
        assert_eq!(e, FileError::NoHeader);
    }

    #[test]
    fn sniffing() {
        assert_eq!(
            open(b"", "a.csv", None, &limits()).unwrap_err(),
            FileError::Empty
        );
        assert_eq!(
            open(b" \r\n ", "a.csv", None, &limits()).unwrap_err(),
            FileError::Empty
        );
        assert!(matches!(
            open(b"%PDF-1.7\n...", "a.xlsx", None, &limits()).unwrap_err(),
            FileError::NotSpreadsheet { .. }
        ));
        assert_eq!(
            open(
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0],
                "a.xls",
                None,
                &limits()
            )
            .unwrap_err(),
            FileError::LegacyOrEncrypted
        );
        assert!(matches!(
            open(b"<html><table>", "a.xls", None, &limits()).unwrap_err(),
            FileError::NotSpreadsheet { .. }
        ));
        let small = Limits {
            max_file_bytes: 4,
            ..Limits::default()
        };
        assert_eq!(
            open(b"a,b\n1,2\n", "a.csv", None, &small).unwrap_err(),
            FileError::TooLarge { bytes: 8, limit: 4 }
        );
    }

    #[test]
    fn too_many_rows_and_columns() {
        let l = Limits {
            max_rows: 2,
            max_columns: 3,
            ..Limits::default()
        };
        let mut s = open(b"a,b\n1,2\n3,4\n5,6\n", "a.csv", None, &l).unwrap();
        let r: Vec<_> = s.rows().unwrap().collect();
        assert_eq!(r.len(), 3);
        assert_eq!(r[2], Err(FileError::TooManyRows { limit: 2 }));
        let mut s = open(b"a,b\n1,2,,,,\n1,2,3,4\n", "a.csv", None, &l).unwrap();
        let r: Vec<_> = s.rows().unwrap().collect();
        assert!(r[0].is_ok());
        assert_eq!(r[1], Err(FileError::TooManyColumns { row: 3, limit: 3 }));
    }

    #[test]
    fn messages_are_bilingual() {
        let e = FileError::SheetNotFound {
            expected: "职工".into(),
            found: vec!["Sheet1".into(), "Sheet2".into()],
        };
        assert!(e.to_string().contains("“职工”"));
        assert!(e.message_en().contains("'职工'"));
        assert!(e.message(true).contains("Sheet1, Sheet2"));
    }
}
