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
use std::fmt;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;

mod delimited;
mod sheet;
#[cfg(test)]
mod tests;
mod workbook;

use delimited::open_csv;
pub use sheet::{MergedRange, Row, Rows, Sheet};
use workbook::open_xlsx;

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
