//! xlsx: the zip bomb and ratio checks, cell conversion, choosing the sheet and
//! streaming its rows.
use super::sheet::{MergedRange, Row, RowSource, Sheet, Source};
use super::{
    corrupt, human_bytes, not_spreadsheet, FileError, Format, Input, Limits, RATIO_GRACE_BYTES,
};
use crate::cell::{word_key, Cell};
use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx};
use std::fmt;
use std::io::{self, Read, Seek, SeekFrom};
use std::panic::{catch_unwind, AssertUnwindSafe};

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

pub(super) fn cells_reader<'s, 'a>(
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

pub(super) fn open_xlsx<'a>(
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

pub(super) fn header_strings(cells: &[Cell]) -> Result<Vec<String>, FileError> {
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

pub(super) struct XlsxRows<'s, 'a> {
    pub(super) reader: CellsReader<'s, 'a>,
    pub(super) pending: Option<(u32, u32, Cell)>,
    pub(super) exhausted: bool,
    pub(super) limits: Limits,
    pub(super) last_row: u32,
    pub(super) dim_rows: u32,
}

impl XlsxRows<'_, '_> {
    pub(super) fn skip_header(&mut self) -> Result<(), FileError> {
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
    fn next_row(&mut self) -> Result<Option<Row>, FileError> {
        self.row()
    }

    fn progress(&self) -> f64 {
        if self.dim_rows > 0 {
            f64::from(self.last_row) / f64::from(self.dim_rows)
        } else {
            0.0
        }
    }
}
