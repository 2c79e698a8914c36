//! Cell values as read from a sheet, and the helpers importers use to turn a cell into
//! a typed value with a precise bilingual message when that is not possible.
//!
//! Every helper returns `Ok(None)` for an empty cell (or one holding only spaces), so
//! that "required" is checked in one place ([`crate::map::RowReader`]).
//! Normalisation is applied only where the meaning is certain: full-width digits and
//! letters are folded, spaces are removed from codes, `1,020` is read as 1020; a value
//! whose meaning is not certain (`1,02`, `12.5` people, a year given as a date) is
//! rejected with a message that says how to fix it.

use chrono::NaiveDate;
use std::fmt;

/// One cell.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    /// Nothing in the cell (or a CSV field of length zero).
    #[default]
    Empty,
    /// Text, as written (not trimmed).
    Text(String),
    /// A number (Excel stores every number as a double).
    Number(f64),
    /// TRUE/FALSE.
    Bool(bool),
    /// A cell formatted as a date (serial already resolved, time of day dropped).
    Date(NaiveDate),
    /// A formula (its text, without the leading `=`); always rejected by importers.
    Formula(String),
    /// An Excel error value such as `#N/A` or `#REF!`.
    Error(String),
}

impl Cell {
    /// Empty, or text made only of white space.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.chars().all(is_space),
            _ => false,
        }
    }
}

impl fmt::Display for Cell {
    /// The value as a person would see it (used in messages and rejected-rows workbooks).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Empty => Ok(()),
            Cell::Text(s) => f.write_str(s),
            Cell::Number(n) => f.write_str(&format_number(*n)),
            Cell::Bool(true) => f.write_str("TRUE"),
            Cell::Bool(false) => f.write_str("FALSE"),
            Cell::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Cell::Formula(s) => write!(f, "={s}"),
            Cell::Error(s) => f.write_str(s),
        }
    }
}

/// Why a cell could not be read as the wanted type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// Chinese message (the default for people).
    pub message_zh: String,
    /// English message.
    pub message_en: String,
}

impl CellError {
    /// A new message pair.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> CellError {
        CellError {
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_zh)
    }
}

impl std::error::Error for CellError {}

/// Result of a cell helper: `Ok(None)` means the cell is blank.
pub type CellResult<T> = Result<Option<T>, CellError>;

/// 2^53: above this a double no longer holds every integer exactly.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

/// White space including the ideographic space U+3000, NBSP and zero-width characters
/// that copy-and-paste from web pages and WPS leaves behind.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{3000}' | '\u{00A0}' | '\u{200B}' | '\u{FEFF}')
}

/// Folds full-width ASCII (`０-９`, `Ａ-Ｚ`, `ａ-ｚ`, `－`, `（`…) to half-width and the
/// ideographic space to a space.
pub fn fold_width(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Whether [`tidy`] would change `s` (a byte scan; characters are decoded only when a
/// byte could start a non-ASCII space).
fn needs_tidy(s: &str) -> bool {
    let b = s.as_bytes();
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return true;
    }
    let mut prev_space = false;
    let mut maybe_unicode_space = false;
    for &c in b {
        match c {
            b' ' => {
                if prev_space {
                    return true;
                }
                prev_space = true;
                continue;
            }
            b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => return true,
            // Lead bytes of U+0085, U+00A0, U+1680, U+2000-U+205F, U+3000, U+FEFF.
            0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF => maybe_unicode_space = true,
            _ => {}
        }
        prev_space = false;
    }
    maybe_unicode_space && s.chars().any(|c| c != ' ' && is_space(c))
}

/// Trims (including full-width and zero-width spaces) and collapses inner runs of white
/// space to one space.
pub fn tidy(s: &str) -> String {
    if !needs_tidy(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for part in s.split(is_space).filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

/// A number as people write it: integral values without `.0`, others in the shortest
/// form that reads back to the same double.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < MAX_EXACT {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn long_number_error() -> CellError {
    CellError::new(
        "数字过长被 Excel 转为科学计数法,已丢失末尾数字,请将该列设为文本后重新填写",
        "the number is too long: Excel turned it into scientific notation and lost its last digits; format the column as text and enter it again",
    )
}

fn formula_error(f: &str) -> CellError {
    CellError::new(
        format!("单元格含公式“={f}”,请复制后“选择性粘贴为数值”"),
        format!("the cell holds a formula (={f}); paste it as values"),
    )
}

/// Text like `3.20402E+17` that Excel or a CSV export produced from a long number.
fn looks_scientific(s: &str) -> bool {
    if !s.contains(['E', 'e', 'Ｅ', 'ｅ']) {
        return false;
    }
    let s = fold_width(s);
    let s = s.trim();
    let Some((mantissa, exp)) = s.split_once(['E', 'e']) else {
        return false;
    };
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    !mantissa.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && mantissa.chars().filter(|c| *c == '.').count() <= 1
        && !exp.is_empty()
        && exp.chars().all(|c| c.is_ascii_digit())
}

/// The cell as trimmed text: numbers print without `.0`, dates as `YYYY-MM-DD`, booleans
/// as `TRUE`/`FALSE`. Inner runs of white space collapse to one space.
///
/// Errors: formulas, Excel error values, and numbers that Excel can no longer hold
/// exactly (above 2^53, or text in scientific notation such as `3.20402E+17`), since a
/// long ID or certificate number stored as a number has lost digits.
pub fn text(cell: &Cell) -> CellResult<String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(s) => {
            let t = tidy(s);
            if t.is_empty() {
                Ok(None)
            } else if looks_scientific(&t) {
                Err(long_number_error())
            } else {
                Ok(Some(t))
            }
        }
        Cell::Number(n) => {
            if !n.is_finite() {
                Err(CellError::new("数值无效", "invalid number"))
            } else if n.abs() >= MAX_EXACT {
                Err(long_number_error())
            } else {
                Ok(Some(format_number(*n)))
            }
        }
        Cell::Bool(b) => Ok(Some(if *b { "TRUE" } else { "FALSE" }.to_string())),
        Cell::Date(d) => Ok(Some(d.format("%Y-%m-%d").to_string())),
        Cell::Formula(f) => Err(formula_error(f)),
        Cell::Error(e) => Err(CellError::new(
            format!("单元格为错误值 {e},请改为有效数据"),
            format!("the cell holds the error value {e}"),
        )),
    }
}

/// A code (统一社会信用代码, 身份证号, 区划代码, 手机号 …): [`text`], then full-width
/// letters and digits folded to half-width and every space removed. Letters keep their
/// case; the domain's parsers decide about case.
pub fn code(cell: &Cell) -> CellResult<String> {
    let Some(t) = text(cell)? else {
        return Ok(None);
    };
    if t.bytes().all(|b| b.is_ascii_graphic()) {
        return Ok(Some(t));
    }
    let out: String = t.chars().map(fold_char).filter(|c| !is_space(*c)).collect();
    if out.is_empty() {
        Ok(None)
    } else {
        Ok(Some(out))
    }
}

/// A case- and width-insensitive key for comparing words (headers, choices, 是/否).
pub(crate) fn word_key(s: &str) -> String {
    s.chars()
        .map(fold_char)
        .filter(|c| !is_space(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// 是/否. Also accepts `Y`/`N`, `yes`/`no`, `true`/`false`, `1`/`0`, `对`/`错`, `√`/`×`
/// (any case, any width) and TRUE/FALSE cells.
pub fn yes_no(cell: &Cell) -> CellResult<bool> {
    match cell {
        Cell::Bool(b) => return Ok(Some(*b)),
        Cell::Number(n) if *n == 1.0 => return Ok(Some(true)),
        Cell::Number(n) if *n == 0.0 => return Ok(Some(false)),
        _ => {}
    }
    let Some(t) = text(cell)? else {
        return Ok(None);
    };
    match t.as_str() {
        "是" => return Ok(Some(true)),
        "否" => return Ok(Some(false)),
        _ => {}
    }
    match word_key(&t).as_str() {
        "是" | "y" | "yes" | "true" | "1" | "对" | "√" | "✓" => Ok(Some(true)),
        "否" | "n" | "no" | "false" | "0" | "错" | "×" | "✗" => Ok(Some(false)),
        _ => Err(CellError::new(
            format!("“{t}”不是“是”或“否”"),
            format!("'{t}' is not 是 (yes) or 否 (no)"),
        )),
    }
}

/// One of `choices`, compared ignoring spaces, width and ASCII case; returns the
/// canonical spelling from `choices`.
pub fn choice(cell: &Cell, choices: &'static [&'static str]) -> CellResult<&'static str> {
    let Some(t) = text(cell)? else {
        return Ok(None);
    };
    if let Some(c) = choices.iter().find(|c| **c == t) {
        return Ok(Some(c));
    }
    let k = word_key(&t);
    if let Some(c) = choices.iter().find(|c| word_key(c) == k) {
        return Ok(Some(c));
    }
    Err(CellError::new(
        format!("“{t}”不在可选值中,应为:{}", choices.join("、")),
        format!("'{t}' is not one of: {}", choices.join(", ")),
    ))
}

/// Digits with optional thousands separators (`1,020`, `1，020`) and an optional
/// fractional part; returns the plain ASCII number text, or `None` when the text is not a
/// plain decimal number (or the grouping is not certain, as in `1,02`).
fn plain_number(t: &str) -> Option<String> {
    let s: String = t.chars().map(fold_char).filter(|c| !is_space(*c)).collect();
    let s = s.replace('，', ",");
    let (sign, body) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s.strip_prefix('+').unwrap_or(&s)),
    };
    let (int_part, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if let Some(f) = frac {
        if f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    let digits = if int_part.contains(',') {
        let groups: Vec<&str> = int_part.split(',').collect();
        let first_ok = groups
            .first()
            .is_some_and(|g| (1..=3).contains(&g.len()) && g.chars().all(|c| c.is_ascii_digit()));
        let rest_ok = groups[1..]
            .iter()
            .all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()));
        if !(first_ok && rest_ok) {
            return None;
        }
        groups.concat()
    } else {
        if int_part.is_empty() || !int_part.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        int_part.to_string()
    };
    Some(match frac {
        Some(f) => format!("{sign}{digits}.{f}"),
        None => format!("{sign}{digits}"),
    })
}

fn not_a_number(t: &str) -> CellError {
    CellError::new(format!("“{t}”不是数字"), format!("'{t}' is not a number"))
}

fn negative(t: &str) -> CellError {
    CellError::new(
        format!("“{t}”为负数,该项不能为负"),
        format!("'{t}' is negative; this value cannot be negative"),
    )
}

/// A non-negative whole number (counts of people, times, items).
///
/// Accepts number cells holding whole numbers and text such as `1020`, `１０２０`,
/// `1,020` or `12.0`; rejects decimals (`12.5`), negatives, ambiguous grouping (`1,02`)
/// and numbers above 2^53.
pub fn int(cell: &Cell) -> CellResult<u64> {
    let n = match cell {
        Cell::Number(n) => *n,
        Cell::Bool(_) | Cell::Date(_) => {
            return Err(CellError::new(
                format!("“{cell}”不是整数"),
                format!("'{cell}' is not a whole number"),
            ))
        }
        _ => {
            let Some(t) = text(cell)? else {
                return Ok(None);
            };
            let Some(p) = plain_number(&t) else {
                return Err(not_a_number(&t));
            };
            p.parse::<f64>().map_err(|_| not_a_number(&t))?
        }
    };
    let shown = cell.to_string();
    let shown = shown.trim();
    if !n.is_finite() {
        return Err(not_a_number(shown));
    }
    if n < 0.0 {
        return Err(negative(shown));
    }
    if n.fract() != 0.0 {
        return Err(CellError::new(
            format!("“{shown}”不是整数,该项应填整数"),
            format!("'{shown}' is not a whole number"),
        ));
    }
    if n >= MAX_EXACT {
        return Err(long_number_error());
    }
    Ok(Some(n as u64))
}

/// A non-negative decimal number (amounts in 万元). Accepts number cells and text such as
/// `12.5`, `１２.５` or `1,020.50`; rejects negatives, text that is not a plain number
/// (`12万`, `约10`) and non-finite values.
pub fn decimal(cell: &Cell) -> CellResult<f64> {
    let n = match cell {
        Cell::Number(n) => *n,
        Cell::Bool(_) | Cell::Date(_) => {
            return Err(CellError::new(
                format!("“{cell}”不是数字"),
                format!("'{cell}' is not a number"),
            ))
        }
        _ => {
            let Some(t) = text(cell)? else {
                return Ok(None);
            };
            let Some(p) = plain_number(&t) else {
                return Err(not_a_number(&t));
            };
            p.parse::<f64>().map_err(|_| not_a_number(&t))?
        }
    };
    let shown = cell.to_string();
    if !n.is_finite() {
        return Err(not_a_number(shown.trim()));
    }
    if n < 0.0 {
        return Err(negative(shown.trim()));
    }
    Ok(Some(n))
}

/// Converts an Excel serial day number (1900 date system, as in every workbook written
/// on Windows, by WPS and by LibreOffice) to a date. Serial 60 is Excel's fictitious
/// 1900-02-29 and is rejected; the time of day (fraction) is dropped.
pub fn excel_serial_to_date(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    if days == 60 {
        return None;
    }
    let base = if days < 60 {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    base.checked_add_signed(chrono::TimeDelta::try_days(days)?)
}

fn bad_date(t: &str) -> CellError {
    CellError::new(
        format!("“{t}”不是有效日期,请填写如 2023-05-01、2023/5/1 或 2023年5月1日"),
        format!("'{t}' is not a valid date; write it like 2023-05-01, 2023/5/1 or 2023年5月1日"),
    )
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn parse_date_text(t: &str) -> Option<NaiveDate> {
    let s: String = fold_width(t).trim().to_string();
    // Drop a time of day: "2023-05-01 00:00:00", "2023-05-01T08:00".
    let s = s
        .split(|c: char| c == 'T' || is_space(c))
        .next()
        .unwrap_or("")
        .to_string();
    if s.len() == 8 && s.chars().all(|c| c.is_ascii_digit()) {
        return ymd(&s[0..4], &s[4..6], &s[6..8]);
    }
    if let Some(rest) = s.strip_suffix('日').or_else(|| s.strip_suffix('号')) {
        let (y, rest) = rest.split_once('年')?;
        let (m, d) = rest.split_once('月')?;
        return ymd(y, m, d);
    }
    for sep in ['-', '/', '.'] {
        let parts: Vec<&str> = s.split(sep).collect();
        if parts.len() == 3 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) {
            return ymd(parts[0], parts[1], parts[2]);
        }
    }
    None
}

/// A calendar date: a date cell, an Excel serial number (a date cell whose format was
/// lost, e.g. `45047` = 2023-05-01), a number `20230501`, or text `2023-05-01`,
/// `2023/5/1`, `2023.5.1`, `2023年5月1日`, `20230501` (full-width digits folded, a time
/// of day ignored). Day-first or month-first text like `05/01/2023` is rejected because
/// its meaning is not certain.
pub fn date(cell: &Cell) -> CellResult<NaiveDate> {
    match cell {
        Cell::Date(d) => Ok(Some(*d)),
        Cell::Number(n) => {
            if n.fract() == 0.0 && (19_000_101.0..=21_001_231.0).contains(n) {
                let s = format_number(*n);
                if let Some(d) = ymd(&s[0..4], &s[4..6], &s[6..8]) {
                    return Ok(Some(d));
                }
            }
            excel_serial_to_date(*n)
                .map(Some)
                .ok_or_else(|| bad_date(&format_number(*n)))
        }
        _ => {
            let Some(t) = text(cell)? else {
                return Ok(None);
            };
            parse_date_text(&t).map(Some).ok_or_else(|| bad_date(&t))
        }
    }
}

/// A four-digit year between 1949 and 2100: a number cell or text `2023`, `２０２３`,
/// `2023年`. A date is rejected (the wanted year is not certain).
pub fn year(cell: &Cell) -> CellResult<i32> {
    let bad = |t: &str| {
        CellError::new(
            format!("“{t}”不是有效年份,请填写四位数字年份,如 2023"),
            format!("'{t}' is not a valid year; write four digits, e.g. 2023"),
        )
    };
    match cell {
        Cell::Number(n) => {
            if n.fract() == 0.0 && (1949.0..=2100.0).contains(n) {
                Ok(Some(*n as i32))
            } else {
                Err(bad(&format_number(*n)))
            }
        }
        Cell::Date(d) => Err(bad(&format!("{d}"))),
        _ => {
            let Some(t) = text(cell)? else {
                return Ok(None);
            };
            let s: String = fold_width(&t).chars().filter(|c| !is_space(*c)).collect();
            let s = s.strip_suffix('年').unwrap_or(&s);
            let s = s.strip_suffix(".0").unwrap_or(s);
            match s.parse::<i32>() {
                Ok(y) if s.len() == 4 && (1949..=2100).contains(&y) => Ok(Some(y)),
                _ => Err(bad(&t)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    #[test]
    fn text_prints_numbers_plainly() {
        assert_eq!(text(&Cell::Number(320402.0)), Ok(Some("320402".into())));
        assert_eq!(text(&Cell::Number(1.5)), Ok(Some("1.5".into())));
        assert_eq!(
            text(&Cell::Number(13812345678.0)),
            Ok(Some("13812345678".into()))
        );
        assert_eq!(text(&t("  张　三  ")), Ok(Some("张 三".into())));
        assert_eq!(text(&t(" \u{3000} ")), Ok(None));
        assert_eq!(text(&Cell::Empty), Ok(None));
        assert!(text(&Cell::Number(320402199001011234.0)).is_err());
        let e = text(&t("3.20402E+17")).unwrap_err();
        assert!(e.message_zh.contains("科学计数法"), "{e}");
        assert!(text(&t("3.2E+17")).is_err());
        assert_eq!(text(&t("E+17")), Ok(Some("E+17".into())));
        assert!(text(&Cell::Formula("A1+1".into()))
            .unwrap_err()
            .message_zh
            .contains("公式"));
    }

    #[test]
    fn codes_fold_width_and_spaces() {
        assert_eq!(
            code(&t(" ９１３２ ０４００　MA1X ")),
            Ok(Some("91320400MA1X".into()))
        );
        assert_eq!(code(&t("３２０４０２")), Ok(Some("320402".into())));
        assert_eq!(code(&Cell::Number(320402.0)), Ok(Some("320402".into())));
        assert!(code(&Cell::Number(3.20402199001011e17)).is_err());
    }

    #[test]
    fn yes_no_words() {
        for y in ["是", "Y", "yes", "TRUE", "1", "ｙｅｓ", " 是 "] {
            assert_eq!(yes_no(&t(y)), Ok(Some(true)), "{y}");
        }
        for n in ["否", "n", "No", "false", "0"] {
            assert_eq!(yes_no(&t(n)), Ok(Some(false)), "{n}");
        }
        assert_eq!(yes_no(&Cell::Bool(true)), Ok(Some(true)));
        assert_eq!(yes_no(&Cell::Number(0.0)), Ok(Some(false)));
        assert_eq!(yes_no(&t("")), Ok(None));
        assert!(yes_no(&t("可能")).is_err());
    }

    #[test]
    fn choices_are_canonical() {
        let c: &'static [&'static str] = &["企业", "园区"];
        assert_eq!(choice(&t(" 企 业 "), c), Ok(Some("企业")));
        assert!(choice(&t("公司"), c)
            .unwrap_err()
            .message_zh
            .contains("企业、园区"));
    }

    #[test]
    fn integers() {
        assert_eq!(int(&Cell::Number(12.0)), Ok(Some(12)));
        assert_eq!(int(&t("1,020")), Ok(Some(1020)));
        assert_eq!(int(&t("1，020")), Ok(Some(1020)));
        assert_eq!(int(&t("１０２０")), Ok(Some(1020)));
        assert_eq!(int(&t("1 020")), Ok(Some(1020)));
        assert_eq!(int(&t("12.0")), Ok(Some(12)));
        assert_eq!(int(&t("1,234,567")), Ok(Some(1_234_567)));
        assert!(int(&t("1,02")).is_err());
        assert!(int(&t("12.5")).unwrap_err().message_zh.contains("整数"));
        assert!(int(&Cell::Number(12.5)).is_err());
        assert!(int(&t("-3")).unwrap_err().message_zh.contains("负"));
        assert!(int(&Cell::Number(-3.0)).is_err());
        assert!(int(&t("十二")).is_err());
        assert!(int(&t("12人")).is_err());
        assert_eq!(int(&t("")), Ok(None));
    }

    #[test]
    fn decimals() {
        assert_eq!(decimal(&t("12.50")), Ok(Some(12.5)));
        assert_eq!(decimal(&t("1,020.5")), Ok(Some(1020.5)));
        assert_eq!(decimal(&Cell::Number(0.1)), Ok(Some(0.1)));
        assert!(decimal(&t("12万")).is_err());
        assert!(decimal(&t("-1")).is_err());
        assert!(decimal(&t("NaN")).is_err());
        assert!(decimal(&t("inf")).is_err());
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2023, 5, 1);
        for s in [
            "2023-05-01",
            "2023/5/1",
            "2023.5.1",
            "2023年5月1日",
            "20230501",
            "２０２３－０５－０１",
            "2023-05-01 00:00:00",
            "2023-05-01T08:30",
        ] {
            assert_eq!(date(&t(s)), Ok(d), "{s}");
        }
        assert_eq!(date(&Cell::Number(45047.0)), Ok(d));
        assert_eq!(date(&Cell::Number(45047.75)), Ok(d));
        assert_eq!(date(&Cell::Number(20230501.0)), Ok(d));
        assert_eq!(date(&Cell::Date(d.unwrap())), Ok(d));
        assert_eq!(
            excel_serial_to_date(1.0),
            NaiveDate::from_ymd_opt(1900, 1, 1)
        );
        assert_eq!(
            excel_serial_to_date(61.0),
            NaiveDate::from_ymd_opt(1900, 3, 1)
        );
        assert_eq!(excel_serial_to_date(60.0), None);
        for bad in ["2023-02-30", "05/01/2023", "明年", "2023-5", "0", "-1"] {
            assert!(date(&t(bad)).is_err(), "{bad}");
        }
        assert!(date(&Cell::Number(-5.0)).is_err());
        assert!(date(&Cell::Number(f64::NAN)).is_err());
    }

    #[test]
    fn years() {
        assert_eq!(year(&Cell::Number(2023.0)), Ok(Some(2023)));
        assert_eq!(year(&t("２０２３年")), Ok(Some(2023)));
        assert_eq!(year(&t("2023")), Ok(Some(2023)));
        assert!(year(&t("23")).is_err());
        assert!(year(&Cell::Number(2023.5)).is_err());
        assert!(year(&Cell::Date(NaiveDate::from_ymd_opt(2023, 1, 1).unwrap())).is_err());
    }
}
