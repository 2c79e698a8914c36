//! Writing templates, exports (xlsx and CSV) and rejected-rows workbooks.
//!
//! Exports use the template's header row, so that an export can be edited and imported
//! again without loss: codes are written as text (leading zeros and long digit strings
//! survive), counts and amounts as numbers when that reads back to the same text, dates
//! as date cells.

use crate::cell::format_number;
use crate::map::REASON_HEADER;
use crate::spec::{Column, Kind, Spec};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, ExcelDateTime, Format, FormatAlign,
    FormatBorder, Note, Workbook, Worksheet, XlsxError,
};
use std::fmt;
use std::io::{self, Write};

/// Last row (0-based) that gets the drop-down lists in a template: rows 2..=100000.
pub const TEMPLATE_LAST_ROW: u32 = 99_999;

/// Why a workbook could not be written.
#[derive(Debug)]
#[non_exhaustive]
pub enum WriteError {
    /// The xlsx writer failed.
    Xlsx(XlsxError),
    /// A row has more values than the template has columns.
    RowTooWide {
        /// 1-based index of the data row.
        row: usize,
        /// Values given.
        got: usize,
        /// Columns in the template.
        expected: usize,
    },
    /// Writing to the output failed.
    Io(io::Error),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Xlsx(e) => write!(f, "生成 Excel 文件失败 / writing the workbook failed: {e}"),
            WriteError::RowTooWide { row, got, expected } => write!(
                f,
                "第{row}条数据有 {got} 个值,模板只有 {expected} 列 / row {row} has {got} values but the template has {expected} columns"
            ),
            WriteError::Io(e) => write!(f, "写入失败 / writing failed: {e}"),
        }
    }
}

impl std::error::Error for WriteError {}

impl From<XlsxError> for WriteError {
    fn from(e: XlsxError) -> Self {
        WriteError::Xlsx(e)
    }
}

impl From<io::Error> for WriteError {
    fn from(e: io::Error) -> Self {
        WriteError::Io(e)
    }
}

/// Display width of a string in Excel column units (CJK characters count double).
fn display_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if (c as u32) < 0x1100 { 1.0 } else { 2.0 })
        .sum()
}

fn column_width(c: &Column) -> f64 {
    let header = display_width(&c.display_header()) + 4.0;
    let choices = c
        .choices
        .iter()
        .map(|x| display_width(x) + 4.0)
        .fold(0.0, f64::max);
    let by_kind: f64 = match c.kind {
        Kind::Code => 22.0,
        Kind::Text => 18.0,
        Kind::Date => 12.0,
        _ => 10.0,
    };
    header.max(choices).max(by_kind).min(40.0)
}

/// The cell format of a column's data cells: text for codes and free text (so Excel
/// keeps leading zeros and does not turn ID numbers into 3.20402E+17).
fn data_format(c: &Column) -> Format {
    match c.kind {
        Kind::Integer | Kind::Year => Format::new().set_num_format("0"),
        Kind::Decimal => Format::new().set_num_format("0.00"),
        Kind::Date => Format::new().set_num_format("yyyy-mm-dd"),
        Kind::Text | Kind::Code | Kind::Period | Kind::Choice | Kind::YesNo => {
            Format::new().set_num_format("@")
        }
    }
}

fn header_format(required: bool) -> Format {
    let f = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    if required {
        f.set_background_color(Color::RGB(0xF8CBAD))
            .set_font_color(Color::RGB(0x9C0006))
    } else {
        f.set_background_color(Color::RGB(0xDDEBF7))
    }
}

fn note_text(c: &Column) -> String {
    let mut s = String::new();
    s.push_str(if c.required {
        "【必填】"
    } else {
        "【选填】"
    });
    s.push_str(c.note);
    s.push_str(&format!("\n英文列名: {}", c.key));
    s
}

/// Writes the header row, column widths and formats, and freezes it.
fn header_row(ws: &mut Worksheet, spec: &Spec, notes: bool) -> Result<(), WriteError> {
    ws.set_name(spec.sheet)?;
    for (i, c) in spec.columns.iter().enumerate() {
        let col = i as u16;
        ws.set_column_width(col, column_width(c))?;
        ws.set_column_format(col, &data_format(c))?;
        ws.write_string_with_format(0, col, c.display_header(), &header_format(c.required))?;
        if notes {
            let note = Note::new(note_text(c))
                .set_author("gongjiang")
                .add_author_prefix(false)
                .set_width(280)
                .set_height(110);
            ws.insert_note(0, col, &note)?;
        }
    }
    ws.set_row_height(0, 22)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The empty import template of `spec`: a sheet named [`Spec::sheet`] with the header
/// row (bold; required columns marked `*` and filled orange, optional ones blue), a note
/// on every header cell explaining the column, drop-down lists on rows 2–100000 for
/// columns with choices, text format on code columns, a frozen header row, and a second
/// sheet `说明` with the rules.
pub fn template(spec: &Spec) -> Result<Vec<u8>, WriteError> {
    let mut wb = Workbook::new();
    {
        let ws = wb.add_worksheet();
        header_row(ws, spec, true)?;
        for (i, c) in spec.columns.iter().enumerate() {
            if c.choices.is_empty() {
                continue;
            }
            let dv = DataValidation::new()
                .allow_list_strings(c.choices)?
                .set_error_style(DataValidationErrorStyle::Stop)
                .set_error_title("输入有误")?
                .set_error_message(format!("“{}”请从下拉列表中选择", c.header))?
                .set_input_title(c.header)?
                .set_input_message(truncate_chars(c.note, 250))?;
            ws.add_data_validation(1, i as u16, TEMPLATE_LAST_ROW, i as u16, &dv)?;
        }
        ws.set_active(true);
    }
    instructions(wb.add_worksheet(), spec)?;
    Ok(wb.save_to_buffer()?)
}

fn truncate_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn instructions(ws: &mut Worksheet, spec: &Spec) -> Result<(), WriteError> {
    ws.set_name("说明")?;
    let title = Format::new().set_bold().set_font_size(14);
    let bold = Format::new().set_bold().set_border(FormatBorder::Thin);
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let plain = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    ws.set_column_width(0, 20)?;
    ws.set_column_width(1, 24)?;
    ws.set_column_width(2, 8)?;
    ws.set_column_width(3, 60)?;
    ws.set_column_width(4, 40)?;
    ws.write_string_with_format(
        0,
        0,
        format!("{} / {}", spec.title_zh, spec.title_en),
        &title,
    )?;
    let rules = [
        format!(
            "1. 数据填写在“{}”工作表中。第一行为表头,请勿修改、删除或调换列名;列名带 * 的为必填列(橙色表头)。列名也可使用下表中的英文别名。",
            spec.sheet
        ),
        "2. 从第二行起每行填写一条记录,空行会被跳过。请勿合并单元格,请勿使用公式(如有公式请“选择性粘贴为数值”)。".to_string(),
        "3. 有下拉列表的列请从列表中选择;“是/否”列填写“是”或“否”(也接受 Y/N、1/0)。".to_string(),
        "4. 日期填写为 2023-05-01,也接受 2023/5/1、2023年5月1日、20230501 或 Excel 日期格式。年份填写四位数字,如 2023。".to_string(),
        "5. 统一社会信用代码、身份证号等代码列已设为文本格式,全角字符和空格会自动去除。若 Excel 把长数字显示为 3.20402E+17 这样的科学计数法,末尾数字已经丢失,须先把单元格设为文本再重新填写。".to_string(),
        "6. 人数、次数填写非负整数(可带千位分隔符,如 1,020);金额以万元为单位,可带小数。".to_string(),
        "7. 导入时先完整校验全部数据:任何一行有错误时不写入任何数据,并列出每个错误单元格(行、列、值、规则)。重复导入同一文件不会产生重复记录。".to_string(),
        "8. 支持 Excel 工作簿 (.xlsx) 和 CSV 文件(UTF-8 或 GBK 编码);旧版 .xls 请先另存为 .xlsx。".to_string(),
        "English: fill in the first sheet; row 1 holds the headers (Chinese or the English aliases below, * = required); one record per row; no merged cells, no formulas; yes/no columns take 是/否; dates like 2023-05-01; codes as text.".to_string(),
    ];
    let mut row = 2u32;
    for r in &rules {
        ws.merge_range(row, 0, row, 4, r, &plain)?;
        ws.set_row_height(row, 32)?;
        row += 1;
    }
    row += 1;
    for (i, h) in ["列名", "英文别名", "必填", "说明", "可选值"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(row, i as u16, *h, &bold)?;
    }
    row += 1;
    for c in spec.columns {
        ws.write_string_with_format(row, 0, c.header, &wrap)?;
        ws.write_string_with_format(row, 1, c.key, &wrap)?;
        ws.write_string_with_format(row, 2, if c.required { "是" } else { "否" }, &wrap)?;
        ws.write_string_with_format(row, 3, c.note, &wrap)?;
        ws.write_string_with_format(row, 4, c.choices.join("、"), &wrap)?;
        row += 1;
    }
    Ok(())
}

fn parse_iso_date(v: &str) -> Option<ExcelDateTime> {
    let b = v.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let d = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()?;
    use chrono::Datelike;
    ExcelDateTime::from_ymd(
        u16::try_from(d.year()).ok()?,
        d.month() as u8,
        d.day() as u8,
    )
    .ok()
}

/// Writes one exported value so that reading it back gives the same text.
fn write_value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    c: &Column,
    v: &str,
    date_format: &Format,
) -> Result<(), WriteError> {
    if v.is_empty() {
        return Ok(());
    }
    match c.kind {
        Kind::Integer | Kind::Decimal | Kind::Year => {
            if let Ok(n) = v.parse::<f64>() {
                if n.is_finite() && format_number(n) == v {
                    ws.write_number(row, col, n)?;
                    return Ok(());
                }
            }
        }
        Kind::Date => {
            if let Some(d) = parse_iso_date(v) {
                ws.write_datetime_with_format(row, col, d, date_format)?;
                return Ok(());
            }
        }
        _ => {}
    }
    ws.write_string(row, col, v)?;
    Ok(())
}

/// An export in the template's layout: same sheet name and header row as
/// [`template`], one row per item of `rows` (values in [`Spec::columns`] order; missing
/// trailing values are empty). Codes and text are text cells (leading zeros kept),
/// whole numbers and amounts are number cells when that reads back to the same text,
/// `YYYY-MM-DD` dates are date cells. Memory stays small whatever the number of rows
/// (apart from the resulting bytes): rows are streamed through a temporary file.
pub fn xlsx(spec: &Spec, rows: impl Iterator<Item = Vec<String>>) -> Result<Vec<u8>, WriteError> {
    let mut wb = Workbook::new();
    // Rows are flushed to a temporary file as they are written (inline strings), so
    // a million-row export does not hold every cell in memory.
    let ws = wb.add_worksheet_with_constant_memory()?;
    header_row(ws, spec, false)?;
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for (i, values) in rows.enumerate() {
        if values.len() > spec.columns.len() {
            return Err(WriteError::RowTooWide {
                row: i + 1,
                got: values.len(),
                expected: spec.columns.len(),
            });
        }
        let r = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (j, (v, c)) in values.iter().zip(spec.columns).enumerate() {
            write_value(ws, r, j as u16, c, v, &date_format)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// Defuses formula injection: a value starting with `=`, `+`, `-`, `@`, tab or CR gets
/// a leading `'` (undone by [`crate::open`] when reading CSV).
fn defuse(v: &str) -> std::borrow::Cow<'_, str> {
    match v.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{v}").into(),
        _ => v.into(),
    }
}

fn write_field(out: &mut impl Write, v: &str) -> io::Result<()> {
    let v = defuse(v);
    if v.contains([',', '"', '\r', '\n']) {
        out.write_all(b"\"")?;
        out.write_all(v.replace('"', "\"\"").as_bytes())?;
        out.write_all(b"\"")
    } else {
        out.write_all(v.as_bytes())
    }
}

fn write_record<'v>(out: &mut impl Write, values: impl Iterator<Item = &'v str>) -> io::Result<()> {
    for (i, v) in values.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_field(out, v)?;
    }
    out.write_all(b"\r\n")
}

/// Streams a CSV export to `out`: UTF-8 with BOM (so Excel opens it correctly), CRLF
/// line ends, quoting where needed, the template's header row, formula injection
/// defused (see [`csv()`]).
pub fn write_csv(
    out: &mut impl Write,
    spec: &Spec,
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<(), WriteError> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let headers = spec.display_headers();
    write_record(out, headers.iter().map(String::as_str))?;
    let n = spec.columns.len();
    for (i, values) in rows.enumerate() {
        if values.len() > n {
            return Err(WriteError::RowTooWide {
                row: i + 1,
                got: values.len(),
                expected: n,
            });
        }
        write_record(
            out,
            (0..n).map(|j| values.get(j).map(String::as_str).unwrap_or("")),
        )?;
    }
    Ok(())
}

/// A CSV export in memory (see [`write_csv`]). A row with more values than the template
/// has columns is cut to the template's width.
pub fn csv(spec: &Spec, rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = Vec::new();
    let n = spec.columns.len();
    // Writing to a Vec cannot fail, and rows are cut to width, so no error can occur.
    let _ = write_csv(
        &mut out,
        spec,
        rows.map(|mut r| {
            r.truncate(n);
            r
        }),
    );
    out
}

/// The rows rejected by an import (`--skip-invalid`), as a workbook the user can fix and
/// import again: the uploaded file's headers plus a `错误原因` column (ignored when
/// importing), one row per rejected row with its values as written and the reasons.
pub fn rejected_workbook(
    spec: &Spec,
    headers: &[String],
    rows: impl IntoIterator<Item = (Vec<String>, String)>,
) -> Result<Vec<u8>, WriteError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(spec.sheet)?;
    let text = Format::new().set_num_format("@");
    let reason_format = Format::new()
        .set_text_wrap()
        .set_font_color(Color::RGB(0x9C0006));
    for (i, h) in headers.iter().enumerate() {
        let col = i as u16;
        let required = spec
            .columns
            .iter()
            .find(|c| c.header == h.trim_end_matches('*'))
            .is_some_and(|c| c.required);
        ws.write_string_with_format(0, col, h, &header_format(required))?;
        ws.set_column_width(col, (display_width(h) + 4.0).clamp(12.0, 40.0))?;
        ws.set_column_format(col, &text)?;
    }
    let reason_col = u16::try_from(headers.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    ws.write_string_with_format(
        0,
        reason_col,
        REASON_HEADER,
        &header_format(true).set_background_color(Color::RGB(0xFFC7CE)),
    )?;
    ws.set_column_width(reason_col, 60)?;
    ws.set_freeze_panes(1, 0)?;
    for (i, (values, reason)) in rows.into_iter().enumerate() {
        let r = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (j, v) in values.iter().take(headers.len()).enumerate() {
            if !v.is_empty() {
                ws.write_string(r, j as u16, v)?;
            }
        }
        ws.write_string_with_format(r, reason_col, &reason, &reason_format)?;
    }
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ORGS;

    #[test]
    fn csv_quotes_and_defuses() {
        let out = csv(
            &ORGS,
            vec![vec![
                "A,\"B\"".to_string(),
                "=cmd|' /C calc'!A0".to_string(),
                "企业".to_string(),
            ]]
            .into_iter(),
        );
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("\u{FEFF}单位名称*,统一社会信用代码,单位类型*,"));
        assert!(
            s.contains("\r\n\"A,\"\"B\"\"\",'=cmd|' /C calc'!A0,企业,,,,,,\r\n"),
            "{s}"
        );
    }

    #[test]
    fn widths() {
        assert_eq!(display_width("ab"), 2.0);
        assert_eq!(display_width("单位"), 4.0);
    }
}
