//! The plain text of an uploaded document, for the policy library's full-text search.
//!
//! [`extract_text`] takes the bytes and the file name of an upload and returns its text:
//!
//! - **PDF** (by content, `%PDF`): the text of every page, read through each font's
//!   `ToUnicode` map (how LibreOffice, Word and WPS embed Chinese fonts), or through a
//!   predefined Chinese/Japanese/Korean CMap (`GBK-EUC-H`, `UniGB-UCS2-H`, `B5pc-H` …,
//!   used by older PDFs with fonts that are not embedded). Glyph positions decide line
//!   breaks and spaces; lines that run to the right margin are joined into their
//!   paragraph, so a phrase broken across two lines is still found. Kangxi radicals and
//!   CJK compatibility ideographs that some fonts map to are folded to the ordinary
//!   characters (⼯ → 工). A scanned (image-only) PDF has no text: `Ok(None)`.
//! - **DOCX** (a zip with `word/document.xml`): the `w:t` runs of the main document,
//!   a line per paragraph, tabs and line breaks kept, deleted (tracked) text left out.
//! - **.txt / .md**: the UTF-8 text.
//! - Anything else (images, spreadsheets …): `Ok(None)`.
//!
//! Pure (no I/O) and bounded: a zip entry or PDF stream may inflate to at most
//! [`MAX_UNPACKED_BYTES`], and the text stops growing at [`MAX_TEXT_CHARS`]. No input
//! panics: a malformed file is an `Err` with a message for the user.
use std::fmt;

mod docx;
mod pdf;

use docx::docx_text;
use pdf::pdf_text;

/// The most a single zip entry or PDF stream may inflate to (50 MiB); all the PDF's
/// page contents together may be four times that.
pub const MAX_UNPACKED_BYTES: usize = 50 * 1024 * 1024;

/// Extraction stops once the text is this long (characters); callers cut it further
/// to what they store.
pub const MAX_TEXT_CHARS: usize = 2_000_000;

const MAX_ZIP_ENTRIES: usize = 10_000;

const MAX_PDF_PAGES: usize = 20_000;

const MAX_FORM_DEPTH: usize = 6;

const MAX_PDF_OPERATIONS: usize = 20_000_000;

/// The kinds of file whose text [`extract_text`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// A PDF.
    Pdf,
    /// A Word 2007+ document.
    Docx,
    /// A .txt or .md file.
    Plain,
}

impl DocKind {
    /// How the kind is named in messages: "PDF", "Word", "文本".
    pub fn label(self) -> &'static str {
        match self {
            DocKind::Pdf => "PDF",
            DocKind::Docx => "Word (.docx)",
            DocKind::Plain => "TXT",
        }
    }
}

/// Why the text of a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextError {
    /// A Word 97-2003 `.doc` or WPS `.wps` file (an OLE2 compound file).
    Legacy,
    /// The file is password-protected.
    Encrypted,
    /// Damaged, truncated, or not what its name says.
    Corrupt {
        /// What kind of file it claimed to be.
        kind: DocKind,
        /// Technical detail.
        detail: String,
    },
    /// A part would inflate beyond [`MAX_UNPACKED_BYTES`] (a zip or flate bomb).
    TooLarge {
        /// The part.
        part: String,
    },
}

impl TextError {
    /// The message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            TextError::Legacy => "无法读取旧版 Word 97-2003 (.doc) 或 WPS (.wps) 文档的文字:\
                请另存为 .docx 或 PDF 后上传,或把正文粘贴到“正文”栏"
                .into(),
            TextError::Encrypted => {
                "文件设置了打开密码,无法读取文字:请取消密码后上传,或把正文粘贴到“正文”栏".into()
            }
            TextError::Corrupt { kind, .. } => format!(
                "文件已损坏或不是有效的 {} 文件,无法读取文字:请重新导出后上传,或把正文粘贴到“正文”栏",
                kind.label()
            ),
            TextError::TooLarge { part } => format!(
                "文件内容异常(部件 {part} 解压后超过 {} MB),已拒绝",
                MAX_UNPACKED_BYTES / (1024 * 1024)
            ),
        }
    }

    /// The message in English.
    pub fn message_en(&self) -> String {
        match self {
            TextError::Legacy => {
                "the text of a Word 97-2003 (.doc) or WPS (.wps) file cannot be read: \
                save it as .docx or PDF and upload that, or paste the text into the Text field"
                    .into()
            }
            TextError::Encrypted => "the file is password-protected, so its text cannot be read: \
                remove the password, or paste the text into the Text field"
                .into(),
            TextError::Corrupt { kind, detail } => format!(
                "the file is damaged or not a valid {} file ({detail}): export it again, or paste \
                 the text into the Text field",
                kind.label()
            ),
            TextError::TooLarge { part } => format!(
                "refused: part {part} inflates to more than {} MB",
                MAX_UNPACKED_BYTES / (1024 * 1024)
            ),
        }
    }
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_zh())
    }
}

impl std::error::Error for TextError {}

fn corrupt(kind: DocKind, detail: impl fmt::Display) -> TextError {
    TextError::Corrupt {
        kind,
        detail: detail.to_string(),
    }
}

const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn lower_ext(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

fn is_pdf(bytes: &[u8]) -> bool {
    // The header may follow some junk; readers accept it within the first KiB.
    bytes[..bytes.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
}

/// Which kind of document the upload is, by content (the name decides only between
/// a zip that is a .docx and other zips, and for plain text). `None`: a kind whose text
/// is not read (an image, a spreadsheet, …).
pub fn doc_kind(name: &str, bytes: &[u8]) -> Option<DocKind> {
    let ext = lower_ext(name);
    if is_pdf(bytes) || ext == "pdf" {
        return Some(DocKind::Pdf);
    }
    if ext == "docx" || ext == "docm" {
        return Some(DocKind::Docx);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return None;
    }
    if ext == "txt" || ext == "md" {
        return Some(DocKind::Plain);
    }
    None
}

/// The text of an upload: `Ok(Some(text))` with the text (never blank), `Ok(None)`
/// when the file has no text to read (a scanned PDF, an image, a spreadsheet …), or an
/// error saying why a PDF or Word file cannot be read. See the module documentation.
pub fn extract_text(name: &str, bytes: &[u8]) -> Result<Option<String>, TextError> {
    let ext = lower_ext(name);
    if bytes.starts_with(OLE2) {
        // A password-protected .docx is an OLE2 container too.
        return match ext.as_str() {
            "docx" | "docm" => Err(TextError::Encrypted),
            "doc" | "wps" | "dot" | "wpt" => Err(TextError::Legacy),
            _ => Ok(None),
        };
    }
    let Some(kind) = doc_kind(name, bytes) else {
        return Ok(None);
    };
    // The parsers below are written not to panic; this is the backstop for the PDF
    // library on inputs nobody foresaw.
    let run = std::panic::catch_unwind(|| match kind {
        DocKind::Pdf => pdf_text(bytes),
        DocKind::Docx => docx_text(bytes),
        DocKind::Plain => Ok(plain_text(bytes)),
    });
    let text = match run {
        Ok(r) => r?,
        Err(_) => return Err(corrupt(kind, "the reader stopped on malformed content")),
    };
    Ok(text.map(|t| tidy(&t)).filter(|t| !t.trim().is_empty()))
}

fn plain_text(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).ok().map(str::to_string)
}

/// Drops control characters (but tabs and line breaks), replacement and private-use
/// characters and trailing spaces, folds radicals to ideographs, and keeps at most one
/// blank line.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = 0;
    let mut blank_run = 0;
    for line in text.split('\n') {
        let mut l = String::with_capacity(line.len());
        for c in line.chars() {
            match c {
                '\t' => l.push(c),
                // Replacement characters, byte order marks, and private-use code points
                // (what some fonts map symbols or unmapped glyphs to).
                '\u{FFFD}' | '\u{FEFF}' | '\u{E000}'..='\u{F8FF}' => {}
                c if c.is_control() => {}
                c => push_folded(&mut l, c),
            }
        }
        let l = l.trim_end();
        if l.trim().is_empty() {
            blank_run += 1;
            if blank_run > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(l);
        out.push('\n');
        chars += l.chars().count() + 1;
        if chars > MAX_TEXT_CHARS {
            break;
        }
    }
    out.trim_end().to_string()
}

/// Kangxi radicals (⼯ U+2F2F), CJK radicals and compatibility ideographs, which some
/// fonts' ToUnicode maps give, become the unified ideographs (工) one searches for.
fn push_folded(out: &mut String, c: char) {
    use unicode_normalization::char::decompose_compatible;
    if matches!(c as u32, 0x2E80..=0x2FDF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F) {
        decompose_compatible(c, |d| out.push(d));
    } else {
        out.push(c);
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFF60
        | 0x20000..=0x2FA1F)
}
