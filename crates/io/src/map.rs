//! Matching a header row against a [`Spec`], per-cell problems, and [`RowReader`], the
//! accessor importers use to read a row's values while collecting every problem.

use crate::cell::{self, word_key, Cell, CellError, CellResult};
use crate::read::Row;
use crate::spec::{Column, Spec};
use chrono::NaiveDate;
use std::fmt;

/// The name of the column added to rejected-rows workbooks; ignored when importing, so
/// that a corrected rejects workbook can be imported as it is.
pub const REASON_HEADER: &str = "错误原因";

/// One problem with one cell (or one row, or the header), precise enough for a person
/// to find and fix it: spreadsheet row, column header as written, the value, the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based spreadsheet row (1 = the header row).
    pub row: usize,
    /// The column's header as written in the file (or its letter when it has none).
    pub column: Option<String>,
    /// The offending value as shown in the cell.
    pub value: Option<String>,
    /// What is wrong and how to fix it, in Chinese.
    pub message_zh: String,
    /// The same in English.
    pub message_en: String,
}

impl Problem {
    /// A problem with a row as a whole (no particular column).
    pub fn row(row: usize, zh: impl Into<String>, en: impl Into<String>) -> Problem {
        Problem {
            row,
            column: None,
            value: None,
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }

    /// The problem in English: `row 5, column 统一社会信用代码, value '9132…': …`.
    pub fn to_string_en(&self) -> String {
        let mut s = format!("row {}", self.row);
        if let Some(c) = &self.column {
            s.push_str(&format!(", column {c}"));
        }
        if let Some(v) = &self.value {
            s.push_str(&format!(", value '{v}'"));
        }
        s.push_str(": ");
        s.push_str(&self.message_en);
        s
    }

    /// Chinese or English.
    pub fn to_string_lang(&self, english: bool) -> String {
        if english {
            self.to_string_en()
        } else {
            self.to_string()
        }
    }
}

impl fmt::Display for Problem {
    /// `第5行「统一社会信用代码」值“9132…”:…`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第{}行", self.row)?;
        if let Some(c) = &self.column {
            write!(f, "「{c}」")?;
        }
        if let Some(v) = &self.value {
            write!(f, "值“{v}”")?;
        }
        write!(f, ":{}", self.message_zh)
    }
}

/// `A`, `B`, … `Z`, `AA` … for a 0-based column index.
pub fn column_name(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Where each spec column is in the file.
#[derive(Debug, Clone)]
pub struct HeaderMap {
    spec: &'static Spec,
    /// For each spec column, its 0-based index in the row.
    index: Vec<Option<usize>>,
    /// Headers as written.
    headers: Vec<String>,
    /// Columns of the file that are ignored on purpose (the 错误原因 column).
    ignored: Vec<usize>,
}

/// Header comparison key: width folded, spaces removed, a leading or trailing `*`
/// dropped, brackets dropped (`培训投入(万元)` = `培训投入万元`), ASCII lower-cased.
fn header_key(h: &str) -> String {
    let k = word_key(h);
    let k = k.trim_matches('*');
    k.chars()
        .filter(|c| !matches!(c, '(' | ')' | '（' | '）' | '【' | '】' | '[' | ']'))
        .collect()
}

/// [`header_key`] with bracketed remarks removed: `职工总数(人)` = `职工总数`,
/// `姓名(必填)` = `姓名`.
fn header_key_without_remarks(h: &str) -> String {
    let k = word_key(h);
    let mut out = String::with_capacity(k.len());
    let mut depth = 0usize;
    for c in k.chars() {
        match c {
            '(' | '【' | '[' => depth += 1,
            ')' | '】' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.trim_matches('*').to_string()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn suggestion(spec: &Spec, key: &str) -> Option<&'static Column> {
    spec.columns
        .iter()
        .filter_map(|c| {
            let d = levenshtein(key, &header_key(c.header)).min(levenshtein(key, c.key));
            let limit = if key.chars().count() <= 3 { 1 } else { 2 };
            (d <= limit).then_some((d, c))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Matches a header row against `spec`: each header by its Chinese name or its English
/// alias (spaces and width ignored, a trailing `*` ignored, aliases case-insensitive,
/// brackets ignored). Empty header cells are skipped (data under them is reported by
/// [`HeaderMap::check_row`]); a column named [`REASON_HEADER`] is ignored.
///
/// Errors, all reported at once on row 1: an unknown header (with a suggestion when a
/// known header is close: a typo must not silently drop data), a header given twice,
/// a required column missing.
pub fn map_headers(spec: &'static Spec, headers: &[String]) -> Result<HeaderMap, Vec<Problem>> {
    map_headers_except(spec, headers, &[])
}

/// [`map_headers`], except that the required columns whose keys are in `given` may be
/// missing: their value comes another way (`import reports --period P`). A cell of such a
/// column that is present but empty is still reported when read as required; read it
/// with [`RowReader::cell`] first.
pub fn map_headers_except(
    spec: &'static Spec,
    headers: &[String],
    given: &[&str],
) -> Result<HeaderMap, Vec<Problem>> {
    let mut index: Vec<Option<usize>> = vec![None; spec.columns.len()];
    let mut problems = Vec::new();
    let mut ignored = Vec::new();
    let reason_key = header_key(REASON_HEADER);
    for (i, h) in headers.iter().enumerate() {
        let key = header_key(h);
        if key.is_empty() {
            continue;
        }
        if key == reason_key {
            ignored.push(i);
            continue;
        }
        let matches = |key: &str| {
            spec.columns
                .iter()
                .position(|c| header_key(c.header) == key || c.key.eq_ignore_ascii_case(key))
        };
        let found = matches(&key).or_else(|| {
            let bare = header_key_without_remarks(h);
            (!bare.is_empty()).then(|| matches(&bare)).flatten()
        });
        let letter = column_name(i);
        match found {
            Some(ci) => {
                if let Some(first) = index[ci] {
                    let col = &spec.columns[ci];
                    problems.push(Problem {
                        row: 1,
                        column: Some(h.clone()),
                        value: None,
                        message_zh: format!(
                            "列“{}”重复(第{}列和第{}列),请删除其中一列",
                            col.header,
                            column_name(first),
                            letter
                        ),
                        message_en: format!(
                            "column '{}' ({}) appears twice (columns {} and {}); remove one",
                            col.header,
                            col.key,
                            column_name(first),
                            letter
                        ),
                    });
                } else {
                    index[ci] = Some(i);
                }
            }
            None => {
                let (hint_zh, hint_en) = match suggestion(spec, &key) {
                    Some(c) => (
                        format!(",是否应为“{}”?", c.header),
                        format!("; did you mean '{}' ({})?", c.header, c.key),
                    ),
                    None => (String::new(), String::new()),
                };
                let known_zh = spec
                    .columns
                    .iter()
                    .map(|c| c.header)
                    .collect::<Vec<_>>()
                    .join("、");
                let known_en = spec
                    .columns
                    .iter()
                    .map(|c| c.key)
                    .collect::<Vec<_>>()
                    .join(", ");
                problems.push(Problem {
                    row: 1,
                    column: Some(h.clone()),
                    value: None,
                    message_zh: format!(
                        "第{letter}列的列名“{h}”不是本模板的列{hint_zh}(可用的列:{known_zh})"
                    ),
                    message_en: format!(
                        "column {letter} header '{h}' is not a column of this template{hint_en} (columns: {known_en})"
                    ),
                });
            }
        }
    }
    for (ci, col) in spec.columns.iter().enumerate() {
        if col.required && index[ci].is_none() && !given.contains(&col.key) {
            problems.push(Problem {
                row: 1,
                column: Some(col.header.to_string()),
                value: None,
                message_zh: format!("缺少必填列“{}”", col.header),
                message_en: format!("required column '{}' ({}) is missing", col.header, col.key),
            });
        }
    }
    if problems.is_empty() {
        Ok(HeaderMap {
            spec,
            index,
            headers: headers.to_vec(),
            ignored,
        })
    } else {
        Err(problems)
    }
}

static EMPTY: Cell = Cell::Empty;

impl HeaderMap {
    /// The spec the headers were matched against.
    pub fn spec(&self) -> &'static Spec {
        self.spec
    }

    /// The 0-based index in the row of the column with this English key, if present.
    pub fn index(&self, key: &str) -> Option<usize> {
        let ci = self.spec.columns.iter().position(|c| c.key == key)?;
        self.index[ci]
    }

    /// Whether the file has this column.
    pub fn has(&self, key: &str) -> bool {
        self.index(key).is_some()
    }

    /// The header as written in the file for this key (the spec's Chinese header if the
    /// file lacks the column).
    pub fn header(&self, key: &str) -> String {
        match self.index(key) {
            Some(i) => self.headers.get(i).cloned().unwrap_or_default(),
            None => self
                .spec
                .column(key)
                .map(|c| c.header.to_string())
                .unwrap_or_else(|| key.to_string()),
        }
    }

    /// The headers as written.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The cell of `key` in `row` ([`Cell::Empty`] when the file lacks the column).
    pub fn cell<'r>(&self, row: &'r Row, key: &str) -> &'r Cell {
        match self.index(key) {
            Some(i) => row.get(i),
            None => &EMPTY,
        }
    }

    /// The row's values in spec order as display strings (for rejected-rows workbooks
    /// and exports).
    pub fn values(&self, row: &Row) -> Vec<String> {
        self.index
            .iter()
            .map(|i| i.map(|i| row.get(i).to_string()).unwrap_or_default())
            .collect()
    }

    /// The file's headers without an earlier [`REASON_HEADER`] column: the header row
    /// of a rejected-rows workbook for this file ([`crate::rejected_workbook`]).
    pub fn file_headers(&self) -> Vec<String> {
        (0..self.headers.len())
            .filter(|i| !self.ignored.contains(i))
            .map(|i| self.headers[i].clone())
            .collect()
    }

    /// The row's values as written, in the order of [`HeaderMap::file_headers`] (for
    /// rejected-rows workbooks that mirror the uploaded file).
    pub fn raw_values(&self, row: &Row) -> Vec<String> {
        (0..self.headers.len())
            .filter(|i| !self.ignored.contains(i))
            .map(|i| row.get(i).to_string())
            .collect()
    }

    fn column_label(&self, i: usize) -> String {
        match self.headers.get(i) {
            Some(h) if !h.is_empty() => h.clone(),
            _ => format!("{}列", column_name(i)),
        }
    }

    /// Problems that concern any cell of the row whatever the importer reads: formulas,
    /// Excel error values (`#N/A`), and data in a column without a header.
    pub fn check_row(&self, row: &Row) -> Vec<Problem> {
        let mut out = Vec::new();
        for (i, c) in row.cells.iter().enumerate() {
            let has_header = self.headers.get(i).is_some_and(|h| !h.is_empty());
            let problem = |zh: String, en: String| Problem {
                row: row.line,
                column: Some(self.column_label(i)),
                value: Some(c.to_string()),
                message_zh: zh,
                message_en: en,
            };
            match c {
                Cell::Formula(f) => out.push(problem(
                    format!(
                        "第{}行第{}列含公式“={f}”,请粘贴为数值",
                        row.line,
                        column_name(i)
                    ),
                    format!(
                        "row {} column {} holds a formula (={f}); paste it as values",
                        row.line,
                        column_name(i)
                    ),
                )),
                Cell::Error(e) => out.push(problem(
                    format!("单元格为错误值 {e},请改为有效数据"),
                    format!("the cell holds the error value {e}"),
                )),
                _ if !has_header && !c.is_blank() => out.push(problem(
                    format!("第{}列有数据但没有列名,请补上列名或删除该列数据", column_name(i)),
                    format!(
                        "column {} holds data but has no header; add the header or clear the column",
                        column_name(i)
                    ),
                )),
                _ => {}
            }
        }
        out
    }

    /// A [`RowReader`] for `row`; it starts with [`HeaderMap::check_row`]'s problems.
    pub fn reader<'m, 'r>(&'m self, row: &'r Row) -> RowReader<'m, 'r> {
        RowReader {
            map: self,
            row,
            problems: self.check_row(row),
        }
    }
}

/// Reads the values of one row by English key, converting each with the matching
/// [`crate::cell`] helper and collecting a [`Problem`] for every cell that is invalid
/// or required but empty. Formula and error cells were already reported when the
/// reader was made and read as `None`.
pub struct RowReader<'m, 'r> {
    map: &'m HeaderMap,
    row: &'r Row,
    problems: Vec<Problem>,
}

impl<'m, 'r> RowReader<'m, 'r> {
    /// The row being read.
    pub fn row(&self) -> &'r Row {
        self.row
    }

    /// The raw cell of `key`.
    pub fn cell(&self, key: &str) -> &'r Cell {
        self.map.cell(self.row, key)
    }

    /// Records a problem on the cell of `key` (for rules the importer checks itself,
    /// such as a 统一社会信用代码 check character).
    pub fn problem(&mut self, key: &str, zh: impl Into<String>, en: impl Into<String>) {
        let cell = self.cell(key);
        let value = (!cell.is_blank()).then(|| cell.to_string());
        self.problems.push(Problem {
            row: self.row.line,
            column: Some(self.map.header(key)),
            value,
            message_zh: zh.into(),
            message_en: en.into(),
        });
    }

    /// Records a problem about the row as a whole.
    pub fn row_problem(&mut self, zh: impl Into<String>, en: impl Into<String>) {
        self.problems.push(Problem::row(self.row.line, zh, en));
    }

    /// Whether problems were recorded so far.
    pub fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }

    /// The problems recorded (empty when the row is valid).
    pub fn finish(self) -> Vec<Problem> {
        self.problems
    }

    fn get<T>(&mut self, key: &str, f: impl FnOnce(&Cell) -> CellResult<T>) -> Option<T> {
        let cell = self.cell(key);
        if matches!(cell, Cell::Formula(_) | Cell::Error(_)) {
            return None;
        }
        match f(cell) {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                if self.map.spec.column(key).is_some_and(|c| c.required) {
                    let header = self.map.header(key);
                    self.problem(
                        key,
                        format!("“{header}”为必填项,不能为空"),
                        format!("'{header}' is required"),
                    );
                }
                None
            }
            Err(CellError {
                message_zh,
                message_en,
            }) => {
                self.problem(key, message_zh, message_en);
                None
            }
        }
    }

    /// [`cell::text`].
    pub fn text(&mut self, key: &str) -> Option<String> {
        self.get(key, cell::text)
    }

    /// [`cell::code`].
    pub fn code(&mut self, key: &str) -> Option<String> {
        self.get(key, cell::code)
    }

    /// [`cell::yes_no`].
    pub fn yes_no(&mut self, key: &str) -> Option<bool> {
        self.get(key, cell::yes_no)
    }

    /// [`cell::int`].
    pub fn int(&mut self, key: &str) -> Option<u64> {
        self.get(key, cell::int)
    }

    /// [`cell::decimal`].
    pub fn decimal(&mut self, key: &str) -> Option<f64> {
        self.get(key, cell::decimal)
    }

    /// [`cell::date`].
    pub fn date(&mut self, key: &str) -> Option<NaiveDate> {
        self.get(key, cell::date)
    }

    /// [`cell::year`].
    pub fn year(&mut self, key: &str) -> Option<i32> {
        self.get(key, cell::year)
    }

    /// [`cell::choice`] against the column's drop-down list.
    pub fn choice(&mut self, key: &str) -> Option<&'static str> {
        let choices: &'static [&'static str] =
            self.map.spec.column(key).map(|c| c.choices).unwrap_or(&[]);
        self.get(key, |c| cell::choice(c, choices))
    }

    /// Applies a custom parser (for instance the domain's `Uscc::parse`) to the [`code`]
    /// of a cell; the parser's `Err((zh, en))` becomes a problem on that cell.
    ///
    /// [`code`]: cell::code
    pub fn parse_code<T>(
        &mut self,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, (String, String)>,
    ) -> Option<T> {
        let s = self.code(key)?;
        match parse(&s) {
            Ok(v) => Some(v),
            Err((zh, en)) => {
                self.problem(key, zh, en);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{ORGS, REPORTS, WORKERS};

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_by_chinese_or_alias() {
        let m = map_headers(
            &ORGS,
            &h(&[
                "单位名称*",
                " 单位 类型 ",
                "REGION_CODE",
                "",
                "统一社会信用代码＊",
                "错误原因",
            ]),
        )
        .unwrap();
        assert_eq!(m.index("name"), Some(0));
        assert_eq!(m.index("kind"), Some(1));
        assert_eq!(m.index("region_code"), Some(2));
        assert_eq!(m.index("uscc"), Some(4));
        assert_eq!(m.index("industry"), None);
        let m = map_headers(
            &REPORTS,
            &h(&[
                "uscc",
                "period",
                "培训投入(万元)",
                "职工总数（人）",
                "报告期【必填】",
            ]),
        );
        let p = m.unwrap_err();
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].message_zh.contains("重复"));
        let m = map_headers(
            &REPORTS,
            &h(&["uscc", "报告期(必填)", "培训投入(万元)", "职工总数（人）"]),
        )
        .unwrap();
        assert_eq!(m.index("period"), Some(1));
        assert_eq!(m.index("training_spend_wan"), Some(2));
        assert_eq!(m.index("workers"), Some(3));
    }

    #[test]
    fn unknown_duplicate_missing() {
        let p = map_headers(&WORKERS, &h(&["姓名", "身份证", "姓名", "name", "备注"])).unwrap_err();
        let all = p
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            all.contains("“身份证”不是本模板的列,是否应为“身份证号”"),
            "{all}"
        );
        assert!(all.contains("重复(第A列和第C列)"), "{all}");
        assert!(all.contains("重复(第A列和第D列)"), "{all}");
        assert!(all.contains("“备注”不是本模板的列(可用的列"), "{all}");
        assert!(all.contains("缺少必填列“身份证号”"), "{all}");
        assert!(all.contains("缺少必填列“单位信用代码”"), "{all}");
        assert!(p.iter().all(|p| p.row == 1));
        assert!(p[0].to_string_en().starts_with("row 1, column 身份证"));
    }

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn row_reader_collects_problems() {
        let m = map_headers(
            &WORKERS,
            &h(&[
                "姓名",
                "身份证号",
                "单位信用代码",
                "取证日期",
                "是否一线职工",
                "技能等级",
            ]),
        )
        .unwrap();
        let row = Row {
            line: 7,
            cells: vec![
                Cell::Empty,
                Cell::Number(3.204021990010112e17),
                Cell::Formula("B2".into()),
                Cell::Text("2023/5/1".into()),
                Cell::Text("也许".into()),
                Cell::Text("高级 工".into()),
                Cell::Text("多余".into()),
            ],
        };
        let mut r = m.reader(&row);
        assert_eq!(r.text("name"), None);
        assert_eq!(r.code("id_number"), None);
        assert_eq!(r.code("org_uscc"), None);
        assert_eq!(r.date("certified_on"), NaiveDate::from_ymd_opt(2023, 5, 1));
        assert_eq!(r.yes_no("frontline"), None);
        assert_eq!(r.choice("skill_level"), Some("高级工"));
        assert_eq!(r.text("phone"), None);
        let p = r.finish();
        let all = p
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(p.len(), 5, "{all}");
        assert!(
            all.contains("第7行「单位信用代码」值“=B2”:第7行第C列含公式“=B2”,请粘贴为数值"),
            "{all}"
        );
        assert!(
            all.contains("第7行「G列」值“多余”:第G列有数据但没有列名"),
            "{all}"
        );
        assert!(all.contains("第7行「姓名」:“姓名”为必填项"), "{all}");
        assert!(all.contains("科学计数法"), "{all}");
        assert!(all.contains("“也许”不是“是”或“否”"), "{all}");
    }
}
