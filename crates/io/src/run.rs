//! Imports and exports against the database: a file becomes typed rows (every cell
//! checked here), the service validates them against the rules, scope and database and
//! writes them in one transaction; exports write the same columns back, so a round trip
//! is lossless.
use crate::map::{map_headers, map_headers_except, Problem};
use crate::read::{open, FileError, Limits};
use crate::spec::Spec;
use gongjiang_domain::org::OrgInput;
use gongjiang_domain::Period;
use gongjiang_storage::import::{ImportRow, Options, Outcome, RowProblem};
use gongjiang_storage::registers::{DesignationInput, PilotInput};
use gongjiang_storage::service::Service;
use gongjiang_storage::worker_bulk::{Item, Preparer};
use gongjiang_storage::workers::WorkerInput;
use gongjiang_storage::{Actor, StoreError};
use std::collections::{BTreeMap, HashMap};

/// Why an import could not even start.
#[derive(Debug)]
pub enum ImportError {
    UnknownKind(String),
    /// Worker imports arrive with the worker registry.
    NotYet(String),
    File(FileError),
    /// Missing, unknown or duplicated headers.
    Headers(Vec<Problem>),
    /// An option that does not fit the import (a bad `--period`, or one given for a kind
    /// that has no period).
    BadOption(gongjiang_domain::FieldError),
    Store(StoreError),
}

impl ImportError {
    pub fn message(&self, english: bool) -> String {
        match self {
            ImportError::UnknownKind(k) => {
                if english {
                    format!(
                        "unknown import kind '{k}' (orgs, pilots, reports, designations, workers, classes)"
                    )
                } else {
                    format!("未知的导入类型“{k}”(orgs、pilots、reports、designations、workers、classes)")
                }
            }
            ImportError::NotYet(k) => {
                if english {
                    format!("'{k}' files are imported through the bulk path (import_file)")
                } else {
                    format!("“{k}”文件须走批量导入通道(import_file)")
                }
            }
            ImportError::File(e) => e.message(english).to_string(),
            ImportError::Headers(p) => p
                .iter()
                .map(|p| p.to_string_lang(english))
                .collect::<Vec<_>>()
                .join("\n"),
            ImportError::BadOption(e) => e.message(english).to_string(),
            ImportError::Store(e) => e.to_string(),
        }
    }
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Store(e)
    }
}

/// The result of an import, with everything needed for an error report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub kind: String,
    pub outcome: Outcome,
    /// Header row as written in the file, and the raw values of every rejected row, for
    /// the rejected-rows workbook.
    #[serde(skip)]
    pub headers: Vec<String>,
    #[serde(skip)]
    pub rejected_raw: Vec<(usize, Vec<String>)>,
}

impl Report {
    /// The rejected rows as a workbook with a reason column.
    pub fn rejected_workbook(
        &self,
        spec: &Spec,
        english: bool,
    ) -> Result<Vec<u8>, crate::write::WriteError> {
        let mut reasons: HashMap<usize, Vec<String>> = HashMap::new();
        for p in &self.outcome.problems {
            let col = p
                .field
                .as_deref()
                .and_then(|f| spec.column(f))
                .map(|c| c.header)
                .unwrap_or("");
            let msg = if english {
                &p.message_en
            } else {
                &p.message_zh
            };
            reasons.entry(p.row).or_default().push(if col.is_empty() {
                msg.clone()
            } else {
                format!("{col}:{msg}")
            });
        }
        let rows = self.rejected_raw.iter().map(|(line, vals)| {
            (
                vals.clone(),
                reasons.get(line).map(|r| r.join(";")).unwrap_or_default(),
            )
        });
        crate::write::rejected_workbook(spec, &self.headers, rows)
    }
}

fn cell_problem(p: &Problem) -> RowProblem {
    RowProblem {
        row: p.row,
        field: p.column.clone(),
        message_zh: p.message_zh.clone(),
        message_en: p.message_en.clone(),
    }
}

/// A file read and checked cell by cell, before the database is asked anything.
pub struct Parsed {
    kind: String,
    rows: Vec<(usize, ImportRow)>,
    cell_problems: Vec<RowProblem>,
    raw: BTreeMap<usize, Vec<String>>,
    headers: Vec<String>,
}

impl Parsed {
    /// Problems found while reading the cells (before any rule of the register).
    pub fn cell_problems(&self) -> &[RowProblem] {
        &self.cell_problems
    }

    /// Rows that read cleanly, by spreadsheet line.
    pub fn rows_read(&self) -> usize {
        self.rows.len()
    }
}

/// Reads and imports a file of `kind`.
pub async fn import_file(
    svc: &Service,
    actor: &Actor,
    kind: &str,
    bytes: &[u8],
    file_name: &str,
    opts: Options,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<Report, ImportError> {
    if kind == "workers" {
        return import_workers(svc, actor, bytes.to_vec(), file_name, opts, progress).await;
    }
    let parsed = parse_file(kind, bytes, file_name)?;
    import_parsed(svc, actor, parsed, opts, progress).await
}

/// [`import_file`] with `import KIND FILE --period P`: for reports, rows without a
/// period (no 报告期 column, or an empty cell) take `period`, and a row whose period
/// differs from it is rejected with a message on 报告期. Other kinds have no period and
/// refuse the option.
#[allow(clippy::too_many_arguments)]
pub async fn import_file_in_period(
    svc: &Service,
    actor: &Actor,
    kind: &str,
    bytes: &[u8],
    file_name: &str,
    period: Option<&str>,
    opts: Options,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<Report, ImportError> {
    let Some(period) = period else {
        return import_file(svc, actor, kind, bytes, file_name, opts, progress).await;
    };
    let parsed = parse_file_in_period(kind, bytes, file_name, Some(period))?;
    import_parsed(svc, actor, parsed, opts, progress).await
}

/// The period of `import reports --period P`, checked.
fn import_period(kind: &str, period: Option<&str>) -> Result<Option<Period>, ImportError> {
    let Some(p) = period else {
        return Ok(None);
    };
    if crate::spec::spec(kind).is_none() {
        return Err(ImportError::UnknownKind(kind.to_string()));
    }
    if kind != "reports" {
        return Err(ImportError::BadOption(gongjiang_domain::FieldError::new(
            "period",
            gongjiang_domain::Rule::Forbidden,
            format!("--period(报告期)只适用于产改统计表(reports)导入,“{kind}”没有报告期"),
            format!("--period (report period) applies to reports imports only, not '{kind}'"),
        )));
    }
    Period::parse(p).map(Some).map_err(|e| {
        ImportError::BadOption(gongjiang_domain::FieldError::new(
            "period",
            e.rule,
            format!("--period 参数有误:{}", e.detail_zh),
            format!("--period: {}", e.detail_en),
        ))
    })
}

/// Rows per chunk handed from the reading thread to the writer.
const WORKER_CHUNK: usize = 2000;

enum WorkerMsg {
    /// The header row was understood: rows follow.
    Started,
    Chunk(Vec<Item>, f64),
    Failed(ImportError),
}

/// The worker registry's import. Two threads of its own read the file: one parses it, the
/// other checks each row, hashes and encrypts its numbers; meanwhile the database writes
/// the previous chunk. Memory stays bounded by a few chunks whatever the file's size.
pub async fn import_workers(
    svc: &Service,
    actor: &Actor,
    bytes: Vec<u8>,
    file_name: &str,
    opts: Options,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<Report, ImportError> {
    let spec = &crate::spec::WORKERS;
    let preparer = svc.worker_preparer();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<WorkerMsg>(4);
    let name = file_name.to_string();
    let reader = std::thread::spawn(move || read_workers(&bytes, &name, &preparer, &tx));
    let first = rx.recv().await;
    match first {
        Some(WorkerMsg::Started) => {}
        Some(WorkerMsg::Failed(e)) => return Err(e),
        _ => {
            return Err(ImportError::Store(StoreError::Other(
                "the file reader stopped unexpectedly".into(),
            )))
        }
    }
    let mut loader = svc.worker_loader(actor, opts).await?;
    let mut rejected_raw = Vec::new();
    while let Some(msg) = rx.recv().await {
        match msg {
            WorkerMsg::Chunk(items, p) => {
                loader.set_progress(p);
                rejected_raw.extend(loader.feed(items).await?);
                progress((p * 1000.0) as usize, 1000);
            }
            WorkerMsg::Failed(e) => return Err(e),
            WorkerMsg::Started => {}
        }
    }
    let _ = reader.join();
    let outcome = loader.finish(file_name).await?;
    rejected_raw.sort_by_key(|(l, _)| *l);
    Ok(Report {
        kind: "workers".into(),
        outcome,
        headers: spec.display_headers(),
        rejected_raw,
    })
}

/// Parsed rows on their way from the parsing thread to the checking thread.
enum RowsMsg {
    Rows(Vec<crate::read::Row>, f64),
    Failed(FileError),
}

/// The parsing thread of [`import_workers`]; rows are checked on a second thread
/// ([`check_workers`]), so that parsing (the larger share for xlsx) and checking with
/// encryption run side by side.
fn read_workers(
    bytes: &[u8],
    file_name: &str,
    preparer: &Preparer,
    tx: &tokio::sync::mpsc::Sender<WorkerMsg>,
) {
    let spec = &crate::spec::WORKERS;
    let fail = |e: ImportError| {
        let _ = tx.blocking_send(WorkerMsg::Failed(e));
    };
    let mut sheet = match open(bytes, file_name, Some(spec.sheet), &Limits::default()) {
        Ok(s) => s,
        Err(e) => return fail(ImportError::File(e)),
    };
    let map = match map_headers(spec, sheet.headers()) {
        Ok(m) => m,
        Err(p) => return fail(ImportError::Headers(p)),
    };
    let mut sheet_problems: HashMap<usize, Vec<RowProblem>> = HashMap::new();
    for p in sheet.problems() {
        sheet_problems
            .entry(p.row)
            .or_default()
            .push(cell_problem(&p));
    }
    if tx.blocking_send(WorkerMsg::Started).is_err() {
        return;
    }
    let mut rows = match sheet.rows() {
        Ok(r) => r,
        Err(e) => return fail(ImportError::File(e)),
    };
    let (row_tx, row_rx) = std::sync::mpsc::sync_channel::<RowsMsg>(4);
    let checker = {
        let (preparer, tx) = (preparer.clone(), tx.clone());
        std::thread::spawn(move || check_workers(map, sheet_problems, &preparer, row_rx, &tx))
    };
    let mut batch = Vec::with_capacity(WORKER_CHUNK);
    while let Some(row) = rows.next() {
        match row {
            Ok(r) => batch.push(r),
            Err(e) => {
                batch.clear();
                let _ = row_tx.send(RowsMsg::Failed(e));
                break;
            }
        }
        if batch.len() == WORKER_CHUNK {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(WORKER_CHUNK));
            if row_tx.send(RowsMsg::Rows(full, rows.progress())).is_err() {
                break;
            }
        }
    }
    if !batch.is_empty() {
        let _ = row_tx.send(RowsMsg::Rows(batch, 1.0));
    }
    drop(row_tx);
    let _ = checker.join();
}

/// The checking thread of [`import_workers`]: maps, checks, hashes and encrypts the rows
/// parsed by [`read_workers`], in file order.
fn check_workers(
    map: crate::map::HeaderMap,
    mut sheet_problems: HashMap<usize, Vec<RowProblem>>,
    preparer: &Preparer,
    rows: std::sync::mpsc::Receiver<RowsMsg>,
    tx: &tokio::sync::mpsc::Sender<WorkerMsg>,
) {
    for msg in rows {
        let (batch, progress) = match msg {
            RowsMsg::Rows(b, p) => (b, p),
            RowsMsg::Failed(e) => {
                let _ = tx.blocking_send(WorkerMsg::Failed(ImportError::File(e)));
                return;
            }
        };
        let mut chunk = Vec::with_capacity(batch.len());
        for row in batch {
            // The reader starts with the row's cell problems (formulas, error
            // values, data without a header): each is reported once.
            let mut problems: Vec<RowProblem> = Vec::new();
            let mut r = map.reader(&row);
            let input = WorkerInput {
                name: r.text("name"),
                id_number: r.code("id_number"),
                org: r.code("org_uscc"),
                phone: r.code("phone"),
                occupation: r.text("occupation"),
                skill_level: r.choice("skill_level").map(str::to_string),
                certificate_no: r.code("certificate_no"),
                certified_on: r.date("certified_on").map(|d| d.to_string()),
                frontline: r.yes_no("frontline"),
                political_status: r.choice("political_status").map(str::to_string),
                certificates: None,
            };
            problems.extend(r.finish().iter().map(cell_problem));
            if let Some(p) = sheet_problems.remove(&row.line) {
                problems.extend(p);
            }
            let item = if problems.is_empty() {
                preparer.prepare(row.line, &input, || map.values(&row))
            } else {
                Item::Rejected {
                    line: row.line,
                    problems,
                    values: map.values(&row),
                }
            };
            chunk.push(item);
        }
        if tx.blocking_send(WorkerMsg::Chunk(chunk, progress)).is_err() {
            return;
        }
    }
    // Problems on lines that are not data rows (a merged range in the header, …).
    let rest: Vec<Item> = sheet_problems
        .into_iter()
        .map(|(line, problems)| Item::Rejected {
            line,
            problems,
            values: Vec::new(),
        })
        .collect();
    if !rest.is_empty() {
        let _ = tx.blocking_send(WorkerMsg::Chunk(rest, 1.0));
    }
}

/// Reads a file of `kind` into typed rows and per-cell problems (no database access).
pub fn parse_file(kind: &str, bytes: &[u8], file_name: &str) -> Result<Parsed, ImportError> {
    parse_file_in_period(kind, bytes, file_name, None)
}

/// [`parse_file`] with the period of `import reports --period P` (see
/// [`import_file_in_period`]).
pub fn parse_file_in_period(
    kind: &str,
    bytes: &[u8],
    file_name: &str,
    period: Option<&str>,
) -> Result<Parsed, ImportError> {
    let fixed = import_period(kind, period)?;
    let spec = crate::spec::spec(kind).ok_or_else(|| ImportError::UnknownKind(kind.to_string()))?;
    if kind == "workers" {
        return Err(ImportError::NotYet(kind.into()));
    }
    let mut sheet =
        open(bytes, file_name, Some(spec.sheet), &Limits::default()).map_err(ImportError::File)?;
    let headers = sheet.headers().to_vec();
    let given: &[&str] = if fixed.is_some() { &["period"] } else { &[] };
    let map = map_headers_except(spec, &headers, given).map_err(ImportError::Headers)?;
    let mut cell_problems: Vec<RowProblem> = sheet.problems().iter().map(cell_problem).collect();
    let mut rows: Vec<(usize, ImportRow)> = Vec::new();
    let mut raw: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for row in sheet.rows().map_err(ImportError::File)? {
        let row = row.map_err(ImportError::File)?;
        raw.insert(row.line, map.raw_values(&row));
        // The reader starts with the row's cell problems: each is reported once.
        let mut problems = Vec::new();
        let mut r = map.reader(&row);
        let parsed = match kind {
            "orgs" => {
                let input = OrgInput {
                    name: r.text("name"),
                    kind: r.choice("kind").map(str::to_string),
                    uscc: r.code("uscc"),
                    region_code: r.code("region_code"),
                    parent_id: None,
                    industry: r.code("industry"),
                    ownership: r.choice("ownership").map(str::to_string),
                    chain_leader: r.yes_no("chain_leader"),
                    size: None,
                    address: None,
                    contact: None,
                    college_type: r.choice("college_type").map(str::to_string),
                };
                Some(ImportRow::Org {
                    input,
                    parent_uscc: r.code("parent_uscc"),
                })
            }
            "pilots" => Some(ImportRow::Pilot(PilotInput {
                org: r.code("uscc"),
                level: r.choice("level").map(str::to_string),
                ptype: r.choice("type").map(str::to_string),
                year: r.year("year").map(|y| y.to_string()),
                feature: r.text("feature"),
                benchmark: r.yes_no("benchmark"),
                version: None,
            })),
            "designations" => {
                let worker = r.code("id_number");
                Some(ImportRow::Designation(DesignationInput {
                    worker,
                    dtype: r.choice("type").map(str::to_string),
                    level: r.choice("level").map(str::to_string),
                    year: r.year("year").map(|y| y.to_string()),
                    org: r.code("uscc"),
                    holder_name: None,
                    document_no: r.text("document_no"),
                    version: None,
                }))
            }
            "reports" => {
                let org = r.code("uscc").unwrap_or_default();
                let period = match fixed {
                    None => r.code("period").unwrap_or_default(),
                    Some(p) if r.cell("period").is_blank() => p.to_string(),
                    Some(p) => {
                        let v = r.code("period").unwrap_or_default();
                        // A value that is not a period at all is reported by the
                        // domain's own check, with the expected format.
                        if Period::parse(&v).is_ok_and(|x| x != p) {
                            r.problem(
                                "period",
                                format!("报告期“{v}”与导入指定的报告期 {p}(--period)不一致"),
                                format!("period '{v}' differs from the period of the import, {p} (--period)"),
                            );
                        }
                        v
                    }
                };
                let mut values = BTreeMap::new();
                for e in gongjiang_domain::report::ELEMENTS {
                    if map.has(e.code) {
                        if let Some(t) = r.text(e.code) {
                            values.insert(e.code.to_string(), serde_json::Value::String(t));
                        }
                    }
                }
                Some(ImportRow::Report {
                    org,
                    period,
                    values,
                })
            }
            other => {
                gongjiang_storage::engines::templates::template(other).map(|t| ImportRow::Part {
                    kind: t.kind,
                    fields: part_fields(spec, &mut r),
                })
            }
        };
        problems.extend(r.finish());
        if problems.is_empty() {
            if let Some(p) = parsed {
                rows.push((row.line, p));
            }
        } else {
            cell_problems.extend(problems.iter().map(cell_problem));
        }
    }
    Ok(Parsed {
        kind: kind.to_string(),
        rows,
        cell_problems,
        raw,
        headers,
    })
}

/// A row of a part's template as text by column key, each cell read by its kind.
fn part_fields(
    spec: &crate::spec::Spec,
    r: &mut crate::map::RowReader<'_, '_>,
) -> gongjiang_storage::engines::templates::Fields {
    use crate::spec::Kind;
    let mut out = gongjiang_storage::engines::templates::Fields::new();
    for c in spec.columns {
        let v = match c.kind {
            Kind::Text => r.text(c.key),
            Kind::Code | Kind::Period => r.code(c.key),
            Kind::Integer => r.int(c.key).map(|n| n.to_string()),
            Kind::Decimal => r.decimal(c.key).map(|n| n.to_string()),
            Kind::Date => r.date(c.key).map(|d| d.format("%Y-%m-%d").to_string()),
            Kind::Year => r.year(c.key).map(|y| y.to_string()),
            Kind::YesNo => r
                .yes_no(c.key)
                .map(|b| if b { "是" } else { "否" }.to_string()),
            Kind::Choice => r.choice(c.key).map(str::to_string),
        };
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            out.insert(c.key.to_string(), v);
        }
    }
    out
}

/// Validates and writes parsed rows.
pub async fn import_parsed(
    svc: &Service,
    actor: &Actor,
    parsed: Parsed,
    opts: Options,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<Report, ImportError> {
    let Parsed {
        kind,
        rows,
        cell_problems,
        raw,
        headers,
    } = parsed;
    let total_rows = raw.len();
    // All-or-nothing: with cell errors, still validate the rest (to report everything at
    // once) but write nothing.
    let effective = if !cell_problems.is_empty() && !opts.skip_invalid {
        Options {
            dry_run: true,
            ..opts
        }
    } else {
        opts
    };
    let mut outcome = svc.import(actor, rows, effective, progress).await?;
    outcome.problems.extend(cell_problems);
    outcome.problems.sort_by_key(|p| p.row);
    outcome.total = total_rows;
    let rejected = outcome.rejected_rows();
    outcome.valid = total_rows - rejected.len();
    let rejected_raw = raw
        .into_iter()
        .filter(|(l, _)| rejected.contains(l))
        .collect();
    Ok(Report {
        kind,
        outcome,
        headers,
        rejected_raw,
    })
}

fn yn(b: bool) -> String {
    if b {
        "是".into()
    } else {
        "否".into()
    }
}

fn fmt_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').to_string()
    }
}

/// The rows of an export, in the template's column order. `org` limits to a region's or
/// organisation's subtree; `period` limits reports.
pub async fn export_rows(
    svc: &Service,
    actor: &Actor,
    kind: &str,
    org: Option<&str>,
    period: Option<&str>,
) -> Result<Vec<Vec<String>>, ImportError> {
    use gongjiang_domain::{
        DesignationLevel, DesignationType, OrgKind, Ownership, PilotLevel, PilotType,
    };
    let spec = crate::spec::spec(kind).ok_or_else(|| ImportError::UnknownKind(kind.to_string()))?;
    let _ = spec;
    // The subtree filter: a region code, or an organisation (its region is used).
    let region = match org {
        None => None,
        Some(k) => match svc.region(actor, k).await {
            Ok(r) => Some(r.code),
            Err(_) => Some(svc.find_org(actor, k).await?.region_code),
        },
    };
    let mut out = Vec::new();
    let mut page = 1;
    match kind {
        "orgs" => {
            let mut all = Vec::new();
            loop {
                let f = gongjiang_storage::orgs::Filter {
                    region: region.clone(),
                    per_page: 500,
                    page,
                    ..Default::default()
                };
                let p = svc.list_orgs(actor, &f).await?;
                let pages = p.pages();
                all.extend(p.items);
                if page >= pages {
                    break;
                }
                page += 1;
            }
            let usccs: HashMap<i64, Option<String>> =
                all.iter().map(|o| (o.id, o.uscc.clone())).collect();
            // Parents before children, so that the file re-imports in order.
            all.sort_by_key(|o| (o.parent_id.is_some(), o.id));
            for o in all {
                let parent = match o.parent_id {
                    Some(pid) => match usccs.get(&pid) {
                        Some(u) => u.clone().unwrap_or_default(),
                        None => svc
                            .get_org(actor, pid)
                            .await
                            .ok()
                            .and_then(|p| p.uscc)
                            .unwrap_or_default(),
                    },
                    None => String::new(),
                };
                out.push(vec![
                    o.name.clone(),
                    o.uscc.clone().unwrap_or_default(),
                    OrgKind::from_any(&o.kind)
                        .map(|k| k.label_zh().to_string())
                        .unwrap_or(o.kind.clone()),
                    o.region_code.clone(),
                    parent,
                    o.industry.clone().unwrap_or_default(),
                    o.ownership
                        .as_deref()
                        .and_then(Ownership::from_any)
                        .map(|x| x.label_zh().to_string())
                        .unwrap_or_default(),
                    yn(o.chain_leader),
                    o.college_type
                        .as_deref()
                        .and_then(gongjiang_domain::training::CollegeType::from_any)
                        .map(|c| c.label_zh().to_string())
                        .unwrap_or_default(),
                ]);
            }
        }
        "pilots" => loop {
            let f = gongjiang_storage::pilots::Filter {
                region: region.clone(),
                per_page: 500,
                page,
                ..Default::default()
            };
            let p = svc.list_pilots(actor, &f).await?;
            let pages = p.pages();
            for x in p.items {
                out.push(vec![
                    x.uscc.clone().unwrap_or_else(|| x.org_id.to_string()),
                    PilotLevel::from_any(&x.level)
                        .map(|l| l.label_zh().to_string())
                        .unwrap_or(x.level.clone()),
                    PilotType::from_any(&x.ptype)
                        .map(|l| l.label_zh().to_string())
                        .unwrap_or(x.ptype.clone()),
                    x.year.to_string(),
                    x.feature.clone().unwrap_or_default(),
                    yn(x.benchmark),
                ]);
            }
            if page >= pages {
                break;
            }
            page += 1;
        },
        "designations" => loop {
            let f = gongjiang_storage::designations::Filter {
                region: region.clone(),
                per_page: 500,
                page,
                ..Default::default()
            };
            let p = svc.list_designations(actor, &f).await?;
            let pages = p.pages();
            for d in p.items {
                out.push(vec![
                    DesignationType::from_any(&d.dtype)
                        .map(|t| t.label_zh().to_string())
                        .unwrap_or(d.dtype.clone()),
                    DesignationLevel::from_any(&d.level)
                        .map(|t| t.label_zh().to_string())
                        .unwrap_or(d.level.clone()),
                    d.year.to_string(),
                    d.uscc
                        .clone()
                        .unwrap_or_else(|| d.holder_org_id.to_string()),
                    match d.holder_worker_id {
                        // The full number only for roles that may see it (each view audited).
                        Some(wid)
                            if gongjiang_storage::access::may(
                                actor,
                                gongjiang_storage::access::Permission::Coordinate,
                            ) =>
                        {
                            svc.reveal_worker(actor, wid)
                                .await
                                .map(|(n, _)| n)
                                .unwrap_or_default()
                        }
                        Some(_) => d.worker_id_masked.clone().unwrap_or_default(),
                        None => String::new(),
                    },
                    d.document_no.clone().unwrap_or_default(),
                ]);
            }
            if page >= pages {
                break;
            }
            page += 1;
        },
        "reports" => loop {
            let period = match period {
                Some(p) => Some(
                    gongjiang_domain::Period::parse(p)
                        .map_err(|e| ImportError::Store(StoreError::invalid(e)))?
                        .to_string(),
                ),
                None => None,
            };
            let f = gongjiang_storage::reports::Filter {
                region: region.clone(),
                period,
                per_page: 1000,
                page,
                ..Default::default()
            };
            let p = svc.list_reports(actor, &f).await?;
            let pages = p.pages();
            for r in p
                .items
                .into_iter()
                .filter(|r| ReportCounts::counts(&r.status))
            {
                let mut row = vec![
                    r.uscc.clone().unwrap_or_else(|| r.org_id.to_string()),
                    r.period.clone(),
                ];
                for e in gongjiang_domain::report::ELEMENTS {
                    row.push(
                        r.values
                            .get(e.code)
                            .map(|v| fmt_number(*v))
                            .unwrap_or_default(),
                    );
                }
                out.push(row);
            }
            if page >= pages {
                break;
            }
            page += 1;
        },
        "workers" => {
            let mut after = 0;
            loop {
                let (page, _) = svc.export_workers_page(actor, org, after, 5000).await?;
                let Some(last) = page.last() else { break };
                after = last.id;
                out.extend(page.into_iter().map(worker_row));
            }
        }
        other => match gongjiang_storage::engines::templates::template(other) {
            Some(t) => out = (t.export)(svc, actor, region.as_deref()).await?,
            None => return Err(ImportError::UnknownKind(other.into())),
        },
    }
    Ok(out)
}

struct ReportCounts;
impl ReportCounts {
    /// Exports carry approved figures only (what the indicators count).
    fn counts(status: &str) -> bool {
        gongjiang_domain::report::ReportStatus::from_any(status).is_some_and(|s| s.counts())
    }
}

/// An export as file bytes, .xlsx or .csv by the file name's extension.
pub async fn export_file(
    svc: &Service,
    actor: &Actor,
    kind: &str,
    org: Option<&str>,
    period: Option<&str>,
    file_name: &str,
) -> Result<Vec<u8>, ImportError> {
    let spec = crate::spec::spec(kind).ok_or_else(|| ImportError::UnknownKind(kind.to_string()))?;
    if kind == "workers" {
        return export_workers(svc, actor, org, file_name).await;
    }
    let rows = export_rows(svc, actor, kind, org, period).await?;
    if file_name.to_ascii_lowercase().ends_with(".csv") {
        Ok(crate::write::csv(spec, rows.into_iter()))
    } else {
        crate::write::xlsx(spec, rows.into_iter())
            .map_err(|e| ImportError::Store(StoreError::Other(e.to_string())))
    }
}

/// A registry worker in the template's column order.
fn worker_row(w: gongjiang_storage::workers::ExportWorker) -> Vec<String> {
    vec![
        w.name,
        w.id_number,
        w.uscc.unwrap_or_default(),
        w.phone.unwrap_or_default(),
        w.occupation.unwrap_or_default(),
        w.skill_level
            .map(|l| l.label(false).to_string())
            .unwrap_or_default(),
        w.certificate_no.unwrap_or_default(),
        w.certified_on.unwrap_or_default(),
        yn(w.frontline),
        w.political_status.unwrap_or_default(),
    ]
}

/// The registry streamed page by page into the writer (which runs on a blocking thread),
/// so a million workers never sit in memory as rows. One audit entry records the export
/// and how many full personal numbers it carried.
async fn export_workers(
    svc: &Service,
    actor: &Actor,
    org: Option<&str>,
    file_name: &str,
) -> Result<Vec<u8>, ImportError> {
    let spec = &crate::spec::WORKERS;
    let csv = file_name.to_ascii_lowercase().ends_with(".csv");
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<String>>(20_000);
    let writer = tokio::task::spawn_blocking(move || {
        let rows = std::iter::from_fn(|| rx.blocking_recv());
        if csv {
            Ok(crate::write::csv(spec, rows))
        } else {
            crate::write::xlsx(spec, rows).map_err(|e| e.to_string())
        }
    });
    let (mut after, mut n, mut revealed) = (0, 0, 0);
    loop {
        let (page, rev) = svc.export_workers_page(actor, org, after, 5000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        n += page.len();
        revealed += rev;
        for w in page {
            if tx.send(worker_row(w)).await.is_err() {
                break;
            }
        }
    }
    drop(tx);
    let bytes = writer
        .await
        .map_err(|e| ImportError::Store(StoreError::Other(e.to_string())))?
        .map_err(|e| ImportError::Store(StoreError::Other(e)))?;
    svc.audit_worker_export(actor, n, revealed).await?;
    Ok(bytes)
}
