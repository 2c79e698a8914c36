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
//!   workers with multi-row statements, updates changed ones, and settles the indicator
//!   aggregates once per organisation at the end.
//!
//! The rules are the single-row path's ([`crate::workers::check_fields`]); only the way
//! they reach the database differs. Nothing is committed unless every row is valid (or
//! `skip_invalid`), so a failing file leaves the registry as it was. One audit entry
//! records the import (file, counts); each later full view is audited as usual.
use crate::audit;
use crate::crypto::{mask_phone, DataKey};
use crate::error::{Result, StoreError};
use crate::import::{from_field, Options, Outcome, RowProblem};
use crate::indicators;
use crate::scope::Actor;
use crate::service::Service;
use crate::sql::{Arg, Sql};
use crate::workers::{check_fields, merge_certificate, parse_certificates, Fields, WorkerInput};
use crate::{now_ms, Tx};
use gongjiang_domain::Role;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// Rows per multi-row INSERT (19 parameters each: well under SQLite's 32,766).
const INSERT_BATCH: usize = 500;
/// Keys per `IN (…)` lookup.
const LOOKUP_BATCH: usize = 500;
/// SQLite page cache while a bulk import runs, in KiB.
const BULK_CACHE_KIB: i64 = 256 * 1024;

/// A row whose own fields are valid, with its personal numbers hashed and encrypted.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub line: usize,
    /// The employer's credit code, as normalised by the reader.
    pub org: String,
    f: Fields,
    dup_key: u64,
    id_hash: String,
    id_enc: String,
    phone_enc: Option<String>,
    phone_hash: Option<String>,
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
        Item::Ready(Prepared {
            line,
            dup_key: dup_key(id),
            id_hash: self.key.blind_index(id),
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
    seen: HashMap<u64, usize>,
    /// Hash prefixes of the workers present when the import began.
    existing: HashSet<u64>,
    /// Registry counts (workers, high-skilled) of every touched organisation, before.
    before: HashMap<i64, (i64, i64)>,
    outcome: Outcome,
    rejected: HashSet<usize>,
    now: i64,
}

impl Service {
    pub fn worker_preparer(&self) -> Preparer {
        Preparer {
            key: self.key.clone(),
            today: chrono::Utc::now().date_naive(),
        }
    }

    /// Opens the write transaction of a bulk worker import.
    pub async fn worker_loader(&self, actor: &Actor, opts: Options) -> Result<WorkerLoader> {
        if !(actor.role.is_region_staff() || actor.role == Role::Unit) {
            return Err(StoreError::Forbidden);
        }
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
        let existing = sqlx::query("SELECT id_hash FROM workers")
            .fetch_all(tx.conn())
            .await?
            .iter()
            .map(|r| Ok(prefix(&r.try_get::<String, _>(0)?)))
            .collect::<Result<HashSet<u64>>>()?;
        Ok(WorkerLoader {
            tx: Some(tx),
            backend: self.db.backend,
            actor: actor.clone(),
            opts,
            orgs,
            in_scope,
            seen: HashMap::new(),
            existing,
            before: HashMap::new(),
            outcome: Outcome::default(),
            rejected: HashSet::new(),
            now: now_ms(),
        })
    }
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
        // Existing workers among the ready rows.
        let candidates: Vec<&str> = ready
            .iter()
            .filter(|(p, _)| self.existing.contains(&prefix(&p.id_hash)))
            .map(|(p, _)| p.id_hash.as_str())
            .collect();
        let stored = self.lookup(&candidates).await?;
        let mut inserts: Vec<(Prepared, i64)> = Vec::new();
        let mut updates: Vec<(Prepared, i64, i64, i64, String)> = Vec::new();
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
                        updates.push((p, org_id, s.id, s.org_id, json));
                    }
                }
            }
        }
        self.outcome.created += inserts.len();
        self.outcome.updated += updates.len();
        if !self.writing() {
            return Ok(rejected_values);
        }
        // Registry counts before this chunk touches them.
        let mut touched: Vec<i64> = inserts.iter().map(|(_, o)| *o).collect();
        for (_, o, _, old, _) in &updates {
            touched.push(*o);
            touched.push(*old);
        }
        touched.sort_unstable();
        touched.dedup();
        touched.retain(|o| !self.before.contains_key(o));
        if !touched.is_empty() {
            let counts = indicators::worker_counts(self.conn()?, &touched).await?;
            for o in touched {
                self.before
                    .insert(o, counts.get(&o).copied().unwrap_or((0, 0)));
            }
        }
        for batch in inserts.chunks(INSERT_BATCH) {
            self.insert(batch).await?;
        }
        for (p, org_id, id, _, json) in &updates {
            self.update(p, *org_id, *id, json).await?;
        }
        Ok(rejected_values)
    }

    fn reject(&mut self, line: usize, problems: Vec<RowProblem>) {
        self.rejected.insert(line);
        self.outcome.problems.extend(problems);
    }

    async fn lookup(&mut self, hashes: &[&str]) -> Result<HashMap<String, Stored>> {
        let mut out = HashMap::new();
        for batch in hashes.chunks(LOOKUP_BATCH) {
            let mut sql = Sql::for_backend(
                "SELECT id, org_id, name, phone_hash, occupation, skill_level, certificate_no, certified_on, frontline, \
                 political_status, certificates, id_hash FROM workers WHERE id_hash IN (",
                self.backend,
            );
            for (i, h) in batch.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind_text(*h);
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

    async fn insert(&mut self, batch: &[(Prepared, i64)]) -> Result<()> {
        let now = self.now;
        let mut sql = Sql::for_backend(
            "INSERT INTO workers (org_id, name, id_enc, id_hash, id_masked, phone_enc, phone_hash, phone_masked, gender, birth_year, \
             occupation, skill_level, certificate_no, certified_on, frontline, political_status, certificates, created_at, updated_at) VALUES ",
            self.backend,
        );
        for (n, (p, org_id)) in batch.iter().enumerate() {
            let f = &p.f;
            let mut certs = Vec::new();
            merge_certificate(&mut certs, f);
            let certs =
                serde_json::to_string(&certs).map_err(|e| StoreError::Other(e.to_string()))?;
            sql.push(if n == 0 { "(" } else { ", (" });
            let args = [
                Arg::Int(*org_id),
                Arg::Text(f.name.clone()),
                Arg::Text(p.id_enc.clone()),
                Arg::Text(p.id_hash.clone()),
                Arg::Text(f.id.masked()),
                Arg::OptText(p.phone_enc.clone()),
                Arg::OptText(p.phone_hash.clone()),
                Arg::OptText(f.phone.as_deref().map(mask_phone)),
                Arg::Text(if f.id.is_male() { "男" } else { "女" }.into()),
                Arg::OptInt(
                    f.id.birth_date()
                        .map(|d| i64::from(chrono::Datelike::year(&d))),
                ),
                Arg::OptText(f.occupation.clone()),
                Arg::OptText(f.skill.map(|s| s.code().to_string())),
                Arg::OptText(f.certificate_no.clone()),
                Arg::OptText(f.certified_on.clone()),
                Arg::Int(i64::from(f.frontline)),
                Arg::OptText(f.political_status.clone()),
                Arg::Text(certs),
                Arg::Int(now),
                Arg::Int(now),
            ];
            for (i, a) in args.into_iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind(a);
            }
            sql.push(")");
        }
        sql.query().execute(self.conn()?).await?;
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
        if self.backend == crate::Backend::Sqlite {
            sqlx::query("PRAGMA cache_size = -2000")
                .execute(tx.conn())
                .await?;
        }
        if ok && outcome.created + outcome.updated > 0 {
            indicators::settle_worker_counts(tx.conn(), &self.before).await?;
            let zh = format!(
                "导入职工 {label}:共 {} 行,新增 {},更新 {},未变 {},拒绝 {}",
                outcome.total,
                outcome.created,
                outcome.updated,
                outcome.unchanged,
                self.rejected.len()
            );
            audit::append(
                tx.conn(),
                &self.actor,
                audit::action::IMPORT,
                "workers",
                label,
                &zh,
                None,
                None,
                now_ms(),
            )
            .await?;
            tx.commit().await?;
        } else {
            tx.tx.rollback().await?;
        }
        outcome.written = ok;
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_keys_are_exact() {
        assert_ne!(dup_key("32040219800101001X"), dup_key("320402198001010019"));
        assert_eq!(dup_key("32040219800101001X"), dup_key("32040219800101001x"));
        assert_ne!(dup_key("320402198001010011"), dup_key("320402198001010101"));
    }
}
