//! Bulk import of the worker registry (职工名册): up to a million rows in one transaction.
//!
//! The general importer ([`crate::import`]) checks each row with a few queries, which is
//! right for organisations, pilots and reports (thousands of rows) and far too slow for a
//! registry of a million people. This path splits the work:
//!
//! - [`Preparer`] (no database, runs on the file-reading thread): checks every field,
//!   computes the keyed hashes and encrypts the personal numbers.
//! - [`WorkerLoader`] (one write transaction): resolves employers from a map loaded once,
//!   finds duplicates inside the file, looks up existing workers in batches, inserts new
//!   workers with multi-row statements, updates changed ones, counts what each row changes
//!   in its organisation's registry counts, and moves those deltas into the indicator
//!   aggregates at the end (a few statements, whatever the number of rows).
//!
//! The rules are the single-row path's ([`crate::workers::check_fields`]); only the way
//! they reach the database differs. Nothing is committed unless every row is valid (or
//! `skip_invalid`), so a failing file leaves the registry as it was. One audit entry
//! records the import (file, counts); each later full view is audited as usual.
//!
//! Large loads on SQLite: once a load is going to add many rows compared with the
//! registry's size, the loader drops the worker indexes inside its transaction and
//! re-creates them before it commits. Inserting a million rows into the unique index of
//! random keyed hashes cost a B-tree descent, a page rewrite and a statement-journal copy
//! of that page per row; `CREATE INDEX` sorts once. Everything the loader looks up while
//! the indexes are gone goes by primary key (existing workers are known by hash prefix
//! from the start), the registry counts move by the loader's own deltas, and re-creating
//! the unique index checks again that no 身份证号 is there twice. The indexes are
//! re-created with a small page cache and two sorter threads, so SQLite sorts runs in
//! parallel and merges them. Other connections keep
//! reading their snapshot (WAL); a failed or rolled back load leaves the indexes as they
//! were.
use crate::access::{self, Permission};
use crate::audit;
use crate::crypto::{mask_phone, DataKey};
use crate::error::{Result, StoreError};
use crate::import::{from_field, Options, Outcome, RowProblem};
use crate::indicators;
use crate::scope::Actor;
use crate::service::Service;
use crate::sql::Sql;
use crate::workers::{check_fields, merge_certificate, parse_certificates, Fields, WorkerInput};
use crate::{now_ms, Tx};
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Rows per multi-row INSERT (17 parameters each: 17,000, under SQLite's 32,766 and
/// PostgreSQL's 65,535).
const INSERT_BATCH: usize = 1000;
/// Keys per `IN (…)` lookup.
const LOOKUP_BATCH: usize = 500;
/// SQLite page cache while a bulk import runs with the indexes in place, in KiB.
const BULK_CACHE_KIB: i64 = 256 * 1024;
/// SQLite page cache while rows are appended with the indexes dropped, in KiB: new pages
/// go to the WAL as they fill instead of all at the commit.
const APPEND_CACHE_KIB: i64 = 16 * 1024;
/// SQLite page cache while the dropped indexes are re-created, in KiB (see
/// [`WorkerLoader::finish`]).
const INDEX_CACHE_KIB: i64 = 2 * 1024;
/// Existing workers read per query when an import begins.
const EXISTING_PAGE: i64 = 100_000;
/// SQLite: the indexes are rebuilt instead of maintained once a load adds at least this
/// many rows and (by the file's progress so far) at least a quarter of the registry's
/// size. Smaller loads keep the indexes.
pub const DEFER_INDEXES_MIN_ROWS: usize = 10_000;

/// Hashing for u64 keys that are already well spread (keyed-hash prefixes) or packed
/// numbers: one 128-bit multiply folded, instead of SipHash per lookup.
#[derive(Default, Clone, Copy)]
struct U64Hasher(u64);

impl Hasher for U64Hasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b) ^ self.0.rotate_left(8));
        }
    }
    fn write_u64(&mut self, n: u64) {
        let m = u128::from(n ^ self.0).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
        self.0 = (m as u64) ^ ((m >> 64) as u64);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<U64Hasher>>;

/// A row whose own fields are valid, with its personal numbers hashed and encrypted.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub line: usize,
    /// The employer's credit code, as normalised by the reader.
    pub org: String,
    f: Fields,
    dup_key: u64,
    /// The first 8 bytes of the keyed hash (its first 16 hex digits).
    hash_prefix: u64,
    id_hash: String,
    id_enc: String,
    phone_enc: Option<String>,
    phone_hash: Option<String>,
    /// Values a new worker's row stores, computed here (on the checking thread) so the
    /// writer only moves them into the statement.
    derived: Derived,
}

#[derive(Debug, Clone)]
struct Derived {
    id_masked: String,
    phone_masked: Option<String>,
    birth_year: Option<i64>,
    gender: &'static str,
    /// The certificate list of a new worker (the row's certificate, if any), as JSON.
    certificates: String,
}

impl Prepared {
    /// The row in the template's column order, for a rejected-rows workbook.
    pub fn values(&self) -> Vec<String> {
        let f = &self.f;
        vec![
            f.name.clone(),
            f.id.expose().to_string(),
            self.org.clone(),
            f.phone.clone().unwrap_or_default(),
            f.occupation.clone().unwrap_or_default(),
            f.skill
                .map(|s| s.label(false).to_string())
                .unwrap_or_default(),
            f.certificate_no.clone().unwrap_or_default(),
            f.certified_on.clone().unwrap_or_default(),
            if f.frontline { "是" } else { "否" }.to_string(),
            f.political_status.clone().unwrap_or_default(),
        ]
    }
}

/// One row as read: ready, or rejected with its problems and its values as written.
/// (Nearly every row is `Ready`, so it is not boxed.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Item {
    Ready(Prepared),
    Rejected {
        line: usize,
        problems: Vec<RowProblem>,
        values: Vec<String>,
    },
}

/// Checks rows without the database; cheap to clone into a reader thread.
#[derive(Clone)]
pub struct Preparer {
    key: DataKey,
    today: chrono::NaiveDate,
}

/// 17 digits and the check character, packed exactly into a u64.
fn dup_key(id: &str) -> u64 {
    let b = id.as_bytes();
    let mut n: u64 = 0;
    for d in &b[..b.len().min(17)] {
        n = n
            .wrapping_mul(10)
            .wrapping_add(u64::from(d.wrapping_sub(b'0')));
    }
    let check = match b.get(17) {
        Some(b'X') | Some(b'x') => 10,
        Some(d) => u64::from(d.wrapping_sub(b'0')),
        None => 11,
    };
    n.wrapping_mul(12).wrapping_add(check)
}

/// The first 16 hex digits of a keyed hash.
fn prefix(hash: &str) -> u64 {
    u64::from_str_radix(hash.get(..16).unwrap_or(""), 16).unwrap_or(0)
}

/// The keyed hash as stored (hex) and its prefix.
fn keyed_hash(key: &DataKey, value: &str) -> (String, u64) {
    match key.blind_index_raw(value) {
        Some(raw) => {
            let mut hex = String::with_capacity(2 * raw.len());
            crate::crypto::push_hex(&mut hex, &raw);
            let mut p = [0u8; 8];
            p.copy_from_slice(&raw[..8]);
            (hex, u64::from_be_bytes(p))
        }
        None => (String::new(), 0),
    }
}

impl Preparer {
    pub fn prepare(
        &self,
        line: usize,
        input: &WorkerInput,
        values: impl FnOnce() -> Vec<String>,
    ) -> Item {
        let mut f = match check_fields(input, self.today) {
            Ok(f) => f,
            Err(errs) => {
                return Item::Rejected {
                    line,
                    problems: errs.iter().map(|e| from_field(line, e)).collect(),
                    values: values(),
                }
            }
        };
        let org = input
            .org
            .as_deref()
            .map(str::trim)
            .unwrap_or("")
            .to_string();
        if org.is_empty() {
            return Item::Rejected {
                line,
                problems: vec![from_field(
                    line,
                    &gongjiang_domain::FieldError::required("org_uscc", "单位信用代码", "Employer"),
                )],
                values: values(),
            };
        }
        // An import row carries one certificate; the list is merged, never replaced.
        f.certificates = None;
        let id = f.id.expose();
        let (id_hash, hash_prefix) = keyed_hash(&self.key, id);
        let certificates = match new_certificates(&f) {
            Ok(c) => c,
            Err(e) => {
                return Item::Rejected {
                    line,
                    problems: vec![problem(
                        line,
                        "certificate_no",
                        format!("证书信息无法保存：{e}"),
                        format!("the certificate cannot be stored: {e}"),
                    )],
                    values: values(),
                }
            }
        };
        let derived = Derived {
            id_masked: f.id.masked(),
            phone_masked: f.phone.as_deref().map(mask_phone),
            birth_year: f
                .id
                .birth_date()
                .map(|d| i64::from(chrono::Datelike::year(&d))),
            gender: if f.id.is_male() { "男" } else { "女" },
            certificates,
        };
        Item::Ready(Prepared {
            derived,
            line,
            dup_key: dup_key(id),
            hash_prefix,
            id_hash,
            id_enc: self.key.encrypt(id),
            phone_enc: f.phone.as_deref().map(|p| self.key.encrypt(p)),
            phone_hash: f.phone.as_deref().map(|p| self.key.blind_index(p)),
            org,
            f,
        })
    }
}

/// What is stored for an existing worker, to decide created / updated / unchanged.
struct Stored {
    id: i64,
    org_id: i64,
    name: String,
    phone_hash: Option<String>,
    occupation: Option<String>,
    skill_level: Option<String>,
    certificate_no: Option<String>,
    certified_on: Option<String>,
    frontline: bool,
    political_status: Option<String>,
    certificates: String,
}

/// The write side of a bulk worker import. Feed it chunks in file order, then finish.
pub struct WorkerLoader {
    tx: Option<Tx>,
    backend: crate::Backend,
    actor: Actor,
    opts: Options,
    /// Credit code → id, for the organisations the actor may write to.
    orgs: HashMap<String, i64>,
    /// Ids of those organisations (None: every organisation).
    in_scope: Option<HashSet<i64>>,
    /// Worker key → first line seen.
    seen: FastMap<u64, usize>,
    /// Keyed-hash prefix → id of the workers present when the import began.
    existing: FastMap<u64, i64>,
    /// Further ids for a prefix that two existing workers share (practically never).
    shared_prefix: FastMap<u64, Vec<i64>>,
    /// Change in registry counts (workers, high-skilled) per organisation, row by row.
    changes: HashMap<i64, (i64, i64)>,
    /// SQLite: the statements that re-create the dropped worker indexes.
    deferred: Option<Vec<String>>,
    /// How far through the file the last chunk was (0–1, 0 when unknown).
    progress: f64,
    outcome: Outcome,
    rejected: HashSet<usize>,
    now: i64,
    /// The multi-row INSERT for a full batch, built once.
    insert_sql: String,
}

/// glibc: no "fast bins" for small blocks, process-wide, from the first worker import on.
/// A million-row import allocates and frees tens of millions of small strings across
/// threads (parsed cells, prepared rows, bound parameters, SQLite's copies of them), and
/// glibc spent about a quarter of the import's CPU consolidating its fast bins
/// (`malloc_consolidate`): 1M rows took 14.9 s of CPU with them and 10.9 s without. Small
/// blocks still come from each thread's cache; nothing else changes.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: mallopt only sets an allocator parameter (M_MXFAST 0: no fast bins);
            // glibc allows it at any time and from any thread.
            unsafe {
                libc::mallopt(libc::M_MXFAST, 0);
            }
        });
    }
}

impl Service {
    pub fn worker_preparer(&self) -> Preparer {
        tune_allocator();
        Preparer {
            key: self.key.clone(),
            today: chrono::Utc::now().date_naive(),
        }
    }

    /// Opens the write transaction of a bulk worker import.
    pub async fn worker_loader(&self, actor: &Actor, opts: Options) -> Result<WorkerLoader> {
        access::check(actor, Permission::RegisterWorkers)?;
        let mut tx = self.db.begin().await?;
        if self.db.backend == crate::Backend::Sqlite {
            // A million random keys go into four indexes: with SQLite's default 2 MB page
            // cache the transaction spills and rereads pages constantly. A bounded 256 MB
            // cache for this connection while the import runs (reset in `finish`).
            sqlx::query(&format!("PRAGMA cache_size = -{}", BULK_CACHE_KIB))
                .execute(tx.conn())
                .await?;
        }
        let resolved = actor.write_scope().resolve(tx.conn()).await?;
        let mut sql = Sql::new("SELECT o.id, o.uscc FROM orgs o WHERE 1 = 1");
        resolved.org_filter(&mut sql, "o");
        let mut orgs = HashMap::new();
        let mut ids = HashSet::new();
        for r in sql.query().fetch_all(tx.conn()).await? {
            let id: i64 = r.try_get(0)?;
            if let Some(u) = r.try_get::<Option<String>, _>(1)? {
                orgs.insert(u, id);
            }
            ids.insert(id);
        }
        let in_scope = (resolved != crate::scope::Resolved::All).then_some(ids);
        let now = now_ms();
        // The workers already registered, by keyed-hash prefix, a page at a time: rows of
        // the file whose prefix is not here are new without asking the database.
        let mut existing = FastMap::default();
        let mut shared_prefix: FastMap<u64, Vec<i64>> = FastMap::default();
        let mut after = 0i64;
        loop {
            let page = sqlx::query(
                "SELECT id, substr(id_hash, 1, 16) FROM workers WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after)
            .bind(EXISTING_PAGE)
            .fetch_all(tx.conn())
            .await?;
            for r in &page {
                let id: i64 = r.try_get(0)?;
                let p = prefix(&r.try_get::<String, _>(1)?);
                match existing.entry(p) {
                    std::collections::hash_map::Entry::Occupied(_) => {
                        shared_prefix.entry(p).or_default().push(id)
                    }
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(id);
                    }
                }
                after = id;
            }
            if (page.len() as i64) < EXISTING_PAGE {
                break;
            }
        }
        Ok(WorkerLoader {
            tx: Some(tx),
            backend: self.db.backend,
            actor: actor.clone(),
            opts,
            orgs,
            in_scope,
            seen: FastMap::default(),
            existing,
            shared_prefix,
            changes: HashMap::new(),
            deferred: None,
            progress: 0.0,
            outcome: Outcome::default(),
            rejected: HashSet::new(),
            now,
            insert_sql: insert_sql(INSERT_BATCH, self.db.backend, now),
        })
    }
}

/// Columns of an inserted worker: [`INSERT_ARITY`] bound in [`WorkerLoader::insert`]'s
/// order, then the two timestamps (the import's time, written into the statement).
const INSERT_COLUMNS: &str = "org_id, name, id_enc, id_hash, id_masked, phone_enc, phone_hash, phone_masked, gender, birth_year, \
     occupation, skill_level, certificate_no, certified_on, frontline, political_status, certificates, created_at, updated_at";
const INSERT_ARITY: usize = 17;

/// `INSERT INTO workers (…) VALUES (…), …` for `rows` rows: `?` on SQLite (see
/// [`Sql::for_backend`]), `$N` on PostgreSQL.
fn insert_sql(rows: usize, backend: crate::Backend, now: i64) -> String {
    let mut s = String::with_capacity(200 + rows * (INSERT_ARITY * 6 + 40));
    // SQLite: OR FAIL instead of the default ABORT. Nothing in these statements can
    // conflict while the indexes are dropped, but a NOT NULL or UNIQUE violation with
    // ABORT obliges SQLite to keep a statement journal (a copy of every existing page the
    // statement touches, so that it can undo the statement's earlier rows); FAIL stops at
    // the failing row without undoing, and the loader then rolls back the whole
    // transaction anyway.
    s.push_str(if backend == crate::Backend::Sqlite {
        "INSERT OR FAIL INTO workers ("
    } else {
        "INSERT INTO workers ("
    });
    s.push_str(INSERT_COLUMNS);
    s.push_str(") VALUES ");
    let mut n = 0;
    for r in 0..rows {
        s.push_str(if r == 0 { "(" } else { ", (" });
        for _ in 0..INSERT_ARITY {
            n += 1;
            if backend == crate::Backend::Sqlite {
                s.push('?');
            } else {
                s.push('$');
                s.push_str(&n.to_string());
            }
            s.push_str(", ");
        }
        s.push_str(&format!("{now}, {now})"));
    }
    s
}

/// Moves a text value into the arguments. `Arguments::add` with a `String` (or an
/// `Option<String>`) encodes by reference and clones it: a million rows of 14 text
/// values each were 14 million extra allocations and copies. The buffer's variants are
/// sqlx 0.8's public (if undocumented) representation of `Any` arguments; the SQLite and
/// PostgreSQL drivers map them to their own as they are.
fn push_text(args: &mut sqlx::any::AnyArguments<'_>, value: Option<String>) {
    use sqlx_core::any::{AnyTypeInfoKind, AnyValueKind};
    args.values.0.push(match value {
        Some(s) => AnyValueKind::Text(std::borrow::Cow::Owned(s)),
        None => AnyValueKind::Null(AnyTypeInfoKind::Text),
    });
}

/// A certificate list of one, serialised exactly as `serde_json` writes
/// `vec![Certificate { … }]` (same fields, same order), without copying the fields.
#[derive(serde::Serialize)]
struct CertificateRef<'a> {
    no: &'a str,
    skill_level: Option<&'a str>,
    occupation: Option<&'a str>,
    certified_on: Option<&'a str>,
    issuer: Option<&'a str>,
}

/// The certificate list of a new worker: the row's certificate, if it has one.
fn new_certificates(f: &Fields) -> Result<String> {
    let Some(no) = f.certificate_no.as_deref() else {
        return Ok("[]".to_string());
    };
    serde_json::to_string(&[CertificateRef {
        no,
        skill_level: f.skill.map(|s| s.code()),
        occupation: f.occupation.as_deref(),
        certified_on: f.certified_on.as_deref(),
        issuer: None,
    }])
    .map_err(|e| StoreError::Other(e.to_string()))
}

fn problem(line: usize, field: &str, zh: String, en: String) -> RowProblem {
    RowProblem {
        row: line,
        field: Some(field.to_string()),
        message_zh: zh,
        message_en: en,
    }
}

impl WorkerLoader {
    fn conn(&mut self) -> Result<&mut sqlx::AnyConnection> {
        self.tx
            .as_mut()
            .map(Tx::conn)
            .ok_or_else(|| StoreError::Other("worker import already finished".into()))
    }

    /// Writing stops at the first invalid row unless `skip_invalid`; checking goes on.
    fn writing(&self) -> bool {
        !self.opts.dry_run && (self.opts.skip_invalid || self.rejected.is_empty())
    }

    /// How far through the file the next chunk reaches (0–1; 0 when unknown). Used only
    /// to judge how many rows the load will add in all.
    pub fn set_progress(&mut self, fraction: f64) {
        if fraction.is_finite() {
            self.progress = fraction.clamp(0.0, 1.0);
        }
    }

    /// Checks and (while the file is still valid) writes one chunk. Returns the values
    /// of the rows rejected in it, by line, for the rejected-rows workbook.
    pub async fn feed(&mut self, items: Vec<Item>) -> Result<Vec<(usize, Vec<String>)>> {
        let mut rejected_values = Vec::new();
        let mut ready: Vec<(Prepared, i64)> = Vec::with_capacity(items.len());
        for item in items {
            self.outcome.total += 1;
            match item {
                Item::Rejected {
                    line,
                    problems,
                    values,
                } => {
                    self.reject(line, problems);
                    rejected_values.push((line, values));
                }
                Item::Ready(p) => {
                    let Some(&org_id) = self.orgs.get(&p.org) else {
                        let (zh, en) = (
                            format!("单位“{}”不存在或不在您的管辖范围内", p.org),
                            format!(
                                "organisation '{}' does not exist or is outside your area",
                                p.org
                            ),
                        );
                        self.reject(p.line, vec![problem(p.line, "org_uscc", zh, en)]);
                        rejected_values.push((p.line, p.values()));
                        continue;
                    };
                    if let Some(first) = self.seen.get(&p.dup_key) {
                        let (zh, en) = (
                            format!("身份证号与第 {first} 行重复"),
                            format!("the same ID number as row {first}"),
                        );
                        self.reject(p.line, vec![problem(p.line, "id_number", zh, en)]);
                        rejected_values.push((p.line, p.values()));
                        continue;
                    }
                    self.seen.insert(p.dup_key, p.line);
                    ready.push((p, org_id));
                }
            }
        }
        // Existing workers among the ready rows: those whose hash prefix was registered
        // when the import began, fetched by id.
        let mut candidates: Vec<i64> = Vec::new();
        for (p, _) in &ready {
            if let Some(id) = self.existing.get(&p.hash_prefix) {
                candidates.push(*id);
                if let Some(more) = self.shared_prefix.get(&p.hash_prefix) {
                    candidates.extend(more);
                }
            }
        }
        let stored = self.lookup(&candidates).await?;
        let mut inserts: Vec<(Prepared, i64)> = Vec::new();
        // (row, organisation, worker id, organisation before, high-skilled before, certificates)
        let mut updates: Vec<(Prepared, i64, i64, i64, bool, String)> = Vec::new();
        for (p, org_id) in ready {
            match stored.get(&p.id_hash) {
                None => inserts.push((p, org_id)),
                Some(s) => {
                    if self
                        .in_scope
                        .as_ref()
                        .is_some_and(|ids| !ids.contains(&s.org_id))
                    {
                        let line = p.line;
                        self.reject(
                            line,
                            vec![problem(
                                line,
                                "id_number",
                                "该身份证号已登记在您管辖范围以外的单位".into(),
                                "this ID number is registered with an organisation outside your area".into(),
                            )],
                        );
                        rejected_values.push((line, p.values()));
                        continue;
                    }
                    let mut certs = parse_certificates(&s.certificates);
                    let certs_changed = merge_certificate(&mut certs, &p.f);
                    let f = &p.f;
                    let same = s.org_id == org_id
                        && s.name == f.name
                        && s.phone_hash == p.phone_hash
                        && s.occupation == f.occupation
                        && s.skill_level.as_deref() == f.skill.map(|l| l.code())
                        && s.certificate_no == f.certificate_no
                        && s.certified_on == f.certified_on
                        && s.frontline == f.frontline
                        && s.political_status == f.political_status
                        && !certs_changed;
                    if same {
                        self.outcome.unchanged += 1;
                    } else {
                        let json = serde_json::to_string(&certs)
                            .map_err(|e| StoreError::Other(e.to_string()))?;
                        let old_high = s
                            .skill_level
                            .as_deref()
                            .and_then(gongjiang_domain::SkillLevel::parse)
                            .is_some_and(|l| l.is_high_skilled());
                        updates.push((p, org_id, s.id, s.org_id, old_high, json));
                    }
                }
            }
        }
        self.outcome.created += inserts.len();
        self.outcome.updated += updates.len();
        if !self.writing() {
            return Ok(rejected_values);
        }
        if self.deferred.is_none() && self.large_load() {
            self.drop_indexes().await?;
        }
        // What this chunk changes in the registry counts.
        for (p, org_id) in &inserts {
            let c = self.changes.entry(*org_id).or_default();
            c.0 += 1;
            c.1 += i64::from(p.f.skill.is_some_and(|s| s.is_high_skilled()));
        }
        for (p, org_id, _, old_org, old_high, _) in &updates {
            let old = self.changes.entry(*old_org).or_default();
            old.0 -= 1;
            old.1 -= i64::from(*old_high);
            let new = self.changes.entry(*org_id).or_default();
            new.0 += 1;
            new.1 += i64::from(p.f.skill.is_some_and(|s| s.is_high_skilled()));
        }
        let mut rest = inserts.into_iter();
        loop {
            let batch: Vec<(Prepared, i64)> = rest.by_ref().take(INSERT_BATCH).collect();
            if batch.is_empty() {
                break;
            }
            self.insert(batch).await?;
        }
        for (p, org_id, id, _, _, json) in &updates {
            self.update(p, *org_id, *id, json).await?;
        }
        Ok(rejected_values)
    }

    /// SQLite: whether this load adds enough rows, compared with the registry, that
    /// sorting the indexes once beats maintaining them row by row.
    fn large_load(&self) -> bool {
        if self.backend != crate::Backend::Sqlite {
            return false;
        }
        let created = self.outcome.created;
        if created < DEFER_INDEXES_MIN_ROWS {
            return false;
        }
        // Rows the whole file will add, judged by how far through it this chunk is.
        let expected = if self.progress > 0.0 {
            created as f64 / self.progress
        } else {
            created as f64
        };
        expected * 4.0 >= self.existing.len() as f64
    }

    /// SQLite: drops the worker indexes (they are re-created by [`WorkerLoader::finish`]
    /// before the commit).
    async fn drop_indexes(&mut self) -> Result<()> {
        let conn = self.conn()?;
        let indexes = sqlx::query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'workers' AND sql IS NOT NULL ORDER BY name",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut recreate = Vec::new();
        for r in &indexes {
            let name: String = r.try_get(0)?;
            let sql: String = r.try_get(1)?;
            sqlx::query(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))
                .execute(&mut *conn)
                .await?;
            recreate.push(sql);
        }
        sqlx::query(&format!("PRAGMA cache_size = -{APPEND_CACHE_KIB}"))
            .execute(&mut *conn)
            .await?;
        tracing::debug!(
            indexes = recreate.len(),
            "worker import: indexes dropped until the commit"
        );
        self.deferred = Some(recreate);
        Ok(())
    }

    fn reject(&mut self, line: usize, problems: Vec<RowProblem>) {
        self.rejected.insert(line);
        self.outcome.problems.extend(problems);
    }

    /// The stored workers with these ids, by keyed hash.
    async fn lookup(&mut self, ids: &[i64]) -> Result<HashMap<String, Stored>> {
        let mut out = HashMap::new();
        for batch in ids.chunks(LOOKUP_BATCH) {
            let mut sql = Sql::for_backend(
                "SELECT id, org_id, name, phone_hash, occupation, skill_level, certificate_no, certified_on, frontline, \
                 political_status, certificates, id_hash FROM workers WHERE id IN (",
                self.backend,
            );
            for (i, id) in batch.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind_int(*id);
            }
            sql.push(")");
            for r in sql.query().fetch_all(self.conn()?).await? {
                out.insert(
                    r.try_get::<String, _>(11)?,
                    Stored {
                        id: r.try_get(0)?,
                        org_id: r.try_get(1)?,
                        name: r.try_get(2)?,
                        phone_hash: r.try_get(3)?,
                        occupation: r.try_get(4)?,
                        skill_level: r.try_get(5)?,
                        certificate_no: r.try_get(6)?,
                        certified_on: r.try_get(7)?,
                        frontline: r.try_get::<i64, _>(8)? != 0,
                        political_status: r.try_get(9)?,
                        certificates: r.try_get(10)?,
                    },
                );
            }
        }
        Ok(out)
    }

    /// Inserts new workers with one multi-row statement; the rows' values are moved into
    /// the statement's arguments, not copied.
    async fn insert(&mut self, batch: Vec<(Prepared, i64)>) -> Result<()> {
        use sqlx::Arguments;
        let partial;
        let text = if batch.len() == INSERT_BATCH {
            self.insert_sql.as_str()
        } else {
            partial = insert_sql(batch.len(), self.backend, self.now);
            partial.as_str()
        };
        let mut args = sqlx::any::AnyArguments::default();
        args.reserve(batch.len() * INSERT_ARITY, 0);
        let bad = |e: sqlx::error::BoxDynError| StoreError::Other(e.to_string());
        for (p, org_id) in batch {
            let Prepared {
                f,
                id_hash,
                id_enc,
                phone_enc,
                phone_hash,
                derived: d,
                ..
            } = p;
            args.add(org_id).map_err(bad)?;
            push_text(&mut args, Some(f.name));
            push_text(&mut args, Some(id_enc));
            push_text(&mut args, Some(id_hash));
            push_text(&mut args, Some(d.id_masked));
            push_text(&mut args, phone_enc);
            push_text(&mut args, phone_hash);
            push_text(&mut args, d.phone_masked);
            args.add(d.gender).map_err(bad)?;
            args.add(d.birth_year).map_err(bad)?;
            push_text(&mut args, f.occupation);
            args.add(f.skill.map(|s| s.code())).map_err(bad)?;
            push_text(&mut args, f.certificate_no);
            push_text(&mut args, f.certified_on);
            args.add(i64::from(f.frontline)).map_err(bad)?;
            push_text(&mut args, f.political_status);
            push_text(&mut args, Some(d.certificates));
        }
        let conn = self
            .tx
            .as_mut()
            .map(Tx::conn)
            .ok_or_else(|| StoreError::Other("worker import already finished".into()))?;
        sqlx::query_with(text, args).execute(conn).await?;
        Ok(())
    }

    async fn update(&mut self, p: &Prepared, org_id: i64, id: i64, certs: &str) -> Result<()> {
        let f = &p.f;
        let now = self.now;
        sqlx::query(
            "UPDATE workers SET org_id = $1, name = $2, phone_enc = $3, phone_hash = $4, phone_masked = $5, occupation = $6, skill_level = $7, \
             certificate_no = $8, certified_on = $9, frontline = $10, political_status = $11, certificates = $12, version = version + 1, \
             updated_at = $13 WHERE id = $14",
        )
        .bind(org_id)
        .bind(&f.name)
        .bind(p.phone_enc.as_deref())
        .bind(p.phone_hash.as_deref())
        .bind(f.phone.as_deref().map(mask_phone))
        .bind(f.occupation.as_deref())
        .bind(f.skill.map(|s| s.code()))
        .bind(f.certificate_no.as_deref())
        .bind(f.certified_on.as_deref())
        .bind(i64::from(f.frontline))
        .bind(f.political_status.as_deref())
        .bind(certs)
        .bind(now)
        .bind(id)
        .execute(self.conn()?)
        .await?;
        Ok(())
    }

    /// Commits (every row valid, or `skip_invalid`) or rolls back, and reports.
    /// `label` names the file in the audit log.
    pub async fn finish(mut self, label: &str) -> Result<Outcome> {
        let mut outcome = std::mem::take(&mut self.outcome);
        outcome.problems.sort_by_key(|p| p.row);
        outcome.valid = outcome.total - self.rejected.len();
        let ok = self.writing();
        let mut tx = self
            .tx
            .take()
            .ok_or_else(|| StoreError::Other("worker import already finished".into()))?;
        let started = std::time::Instant::now();
        tracing::debug!("worker import: rows streamed, finishing");
        if ok && outcome.created + outcome.updated > 0 {
            if let Some(indexes) = self.deferred.take() {
                // A small page cache and two sorter threads: SQLite's sorter keeps runs of
                // about the cache's size, so a small cache makes several runs that helper
                // threads sort in parallel and merge (one in-memory sort of everything with
                // the large cache took 3.6 s for the two indexes of 1M rows, 1.9–2.2 s this
                // way; docs/performance.md).
                sqlx::query(&format!("PRAGMA cache_size = -{INDEX_CACHE_KIB}"))
                    .execute(tx.conn())
                    .await?;
                sqlx::query("PRAGMA threads = 2").execute(tx.conn()).await?;
                let mut created = Ok(());
                for sql in &indexes {
                    // The unique index on id_hash fails here, and the import with it, if a
                    // 身份证号 were stored twice.
                    if let Err(e) = sqlx::query(sql).execute(tx.conn()).await {
                        created = Err(e);
                        break;
                    }
                }
                // Back to no sorter threads and the default cache before the connection
                // returns to the pool, whether or not the indexes were made.
                sqlx::query("PRAGMA threads = 0").execute(tx.conn()).await?;
                sqlx::query("PRAGMA cache_size = -2000")
                    .execute(tx.conn())
                    .await?;
                created?;
                tracing::debug!(elapsed = ?started.elapsed(), "worker import: indexes re-created");
            }
            indicators::settle_worker_deltas(tx.conn(), &self.changes).await?;
            tracing::debug!(elapsed = ?started.elapsed(), "worker import: indicators settled");
            let zh = format!(
                "导入职工 {label}：共 {} 行，新增 {}，更新 {}，未变 {}，拒绝 {}",
                outcome.total,
                outcome.created,
                outcome.updated,
                outcome.unchanged,
                self.rejected.len()
            );
            audit::Note::new(audit::action::IMPORT, "workers", label)
                .summary(&zh)
                .write(tx.conn(), &self.actor, now_ms())
                .await?;
            if self.backend == crate::Backend::Sqlite {
                sqlx::query("PRAGMA cache_size = -2000")
                    .execute(tx.conn())
                    .await?;
            }
            crate::jobs::mark_written(tx.conn(), self.opts.job, &outcome).await?;
            tx.commit().await?;
            tracing::debug!(elapsed = ?started.elapsed(), "worker import: committed");
        } else {
            if self.backend == crate::Backend::Sqlite {
                sqlx::query("PRAGMA cache_size = -2000")
                    .execute(tx.conn())
                    .await?;
            }
            tx.tx.rollback().await?;
            if !ok {
                // Nothing was written: the counts are what the valid rows would have
                // done.
                outcome.would_create = std::mem::take(&mut outcome.created);
                outcome.would_update =
                    std::mem::take(&mut outcome.updated) + std::mem::take(&mut outcome.unchanged);
            }
        }
        outcome.written = ok;
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_certificates_serialise_like_the_list() {
        let today = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let mut f = Fields {
            name: "张三".into(),
            id: gongjiang_domain::IdNumber::parse("11010519491231002X", today).unwrap(),
            phone: None,
            occupation: Some("钳工 \"甲\"".into()),
            skill: Some(gongjiang_domain::SkillLevel::Senior),
            certificate_no: Some("S1\\2".into()),
            certified_on: Some("2020-01-02".into()),
            frontline: true,
            political_status: None,
            certificates: None,
        };
        let mut list = Vec::new();
        merge_certificate(&mut list, &f);
        assert_eq!(
            new_certificates(&f).unwrap(),
            serde_json::to_string(&list).unwrap()
        );
        f.certificate_no = None;
        assert_eq!(new_certificates(&f).unwrap(), "[]");
        let hex = hex::encode([0xABu8; 32]);
        assert_eq!(prefix(&hex), 0xABAB_ABAB_ABAB_ABAB);
    }

    #[test]
    fn worker_keys_are_exact() {
        assert_ne!(dup_key("32040219800101001X"), dup_key("320402198001010019"));
        assert_eq!(dup_key("32040219800101001X"), dup_key("32040219800101001x"));
        assert_ne!(dup_key("320402198001010011"), dup_key("320402198001010101"));
    }
}
