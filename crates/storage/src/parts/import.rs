//! Bulk import: every row is validated — against the rules, the caller's scope, the
//! database and the rest of the file — before anything is written; then all valid rows
//! are written in one transaction (or nothing, unless `skip_invalid`). Rows upsert on
//! their natural key, so importing the same file twice changes nothing the second time.
use crate::access::{self, Permission};
use crate::audit;
pub use crate::core::outcome::{Outcome, RowProblem};
use crate::designations::{self, NewDesignation};
use crate::error::{Result, StoreError};
use crate::indicators;
use crate::now_ms;
use crate::orgs;
use crate::pilots::{self, NewPilot};
use crate::registers::{DesignationInput, PilotInput};
use crate::report_service::parse_values;
use crate::reports;
use crate::scope::{Actor, Scope};
use crate::service::Service;
use gongjiang_domain::org::{NewOrg, OrgInput};
use gongjiang_domain::report::ReportStatus;
use gongjiang_domain::{FieldError, Period};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One parsed row of an import file.
#[derive(Debug, Clone)]
pub enum ImportRow {
    /// An organisation; `parent_uscc` may name a row earlier or later in the same file.
    Org {
        input: OrgInput,
        parent_uscc: Option<String>,
    },
    Pilot(PilotInput),
    Designation(DesignationInput),
    /// A report: org (credit code), period, values; imported reports are approved.
    Report {
        org: String,
        period: String,
        values: BTreeMap<String, serde_json::Value>,
    },
    /// A row of a template a part registered ([`crate::engines::templates`]).
    Part {
        kind: &'static str,
        fields: crate::engines::templates::Fields,
    },
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub dry_run: bool,
    pub skip_invalid: bool,
    /// The import job (`import_jobs.id`) this import runs for: its rows commit only
    /// together with the job's "written" mark, and not at all once the job was declared
    /// interrupted ([`crate::jobs`]).
    pub job: Option<i64>,
}

pub(crate) fn from_field(row: usize, e: &FieldError) -> RowProblem {
    RowProblem {
        row,
        field: Some(e.field.clone()),
        message_zh: e.detail_zh.clone(),
        message_en: e.detail_en.clone(),
    }
}

fn from_store(row: usize, e: StoreError) -> Result<Vec<RowProblem>> {
    match e {
        StoreError::Invalid(errs) => Ok(errs.iter().map(|f| from_field(row, f)).collect()),
        StoreError::Conflict { field, zh, en, .. } => Ok(vec![RowProblem {
            row,
            field,
            message_zh: zh,
            message_en: en,
        }]),
        StoreError::NotFound => Ok(vec![RowProblem {
            row,
            field: None,
            message_zh: "记录不存在或不在您的管辖范围内".into(),
            message_en: "not found or outside your area".into(),
        }]),
        StoreError::Forbidden => Ok(vec![RowProblem {
            row,
            field: None,
            message_zh: "您的角色无权导入该类数据".into(),
            message_en: "your role may not import this".into(),
        }]),
        other => Err(other),
    }
}

/// A validated row, ready to write.
enum Ready {
    Org {
        new: NewOrg,
        parent_uscc: Option<String>,
        existing: Option<i64>,
    },
    Pilot {
        new: NewPilot,
        existing: Option<i64>,
    },
    Designation {
        new: NewDesignation,
        existing: Option<i64>,
    },
    Report {
        org_id: i64,
        period: String,
        values: gongjiang_domain::report::Values,
        existing: Option<(i64, String)>,
    },
    Part {
        template: &'static crate::engines::templates::PartTemplate,
        checked: crate::engines::templates::Checked,
    },
}

impl Ready {
    /// True when the row adds a record (none with its key exists yet).
    fn is_new(&self) -> bool {
        match self {
            Ready::Org { existing, .. }
            | Ready::Pilot { existing, .. }
            | Ready::Designation { existing, .. } => existing.is_none(),
            Ready::Report { existing, .. } => existing.is_none(),
            Ready::Part { checked, .. } => checked.existing.is_none(),
        }
    }
}

impl Service {
    /// Imports parsed rows. `progress(done, total)` is called while validating and writing.
    pub async fn import(
        &self,
        actor: &Actor,
        rows: Vec<(usize, ImportRow)>,
        opts: Options,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<Outcome> {
        let reports_only = rows
            .iter()
            .all(|(_, r)| matches!(r, ImportRow::Report { .. }));
        access::check(actor, Permission::ImportFile { reports_only })?;
        let total = rows.len();
        let mut out = Outcome {
            total,
            ..Default::default()
        };
        let mut tx = self.db.begin().await?;
        // Keys seen in this file (within-file duplicates are errors: which one is right?).
        let mut seen: HashMap<String, usize> = HashMap::new();
        let file_usccs: HashSet<String> = rows
            .iter()
            .filter_map(|(_, r)| match r {
                ImportRow::Org { input, .. } => input
                    .uscc
                    .as_deref()
                    .map(|u| gongjiang_domain::error::normalise_code(u).to_ascii_uppercase()),
                _ => None,
            })
            .collect();
        let mut ready: Vec<(usize, Ready)> = Vec::with_capacity(total);
        for (i, (line, row)) in rows.into_iter().enumerate() {
            if i.is_multiple_of(200) {
                progress(i, total * 2);
            }
            let mut problems = Vec::new();
            match row {
                ImportRow::Org { input, parent_uscc } => {
                    let parent_uscc = parent_uscc
                        .map(|p| gongjiang_domain::error::normalise_code(&p).to_ascii_uppercase())
                        .filter(|p| !p.is_empty());
                    let mut input = input;
                    input.parent_id = None;
                    match self.check_org_input(tx.conn(), actor, &input).await {
                        Ok(new) => {
                            let key = new
                                .uscc
                                .as_ref()
                                .map(|u| u.to_string())
                                .unwrap_or_else(|| format!("{}@{}", new.name, new.region_code));
                            if let Some(first) = seen.insert(format!("org:{key}"), line) {
                                problems.push(RowProblem {
                                    row: line,
                                    field: Some("uscc".into()),
                                    message_zh: format!("与第{first}行重复（同一单位）"),
                                    message_en: format!("duplicates row {first}"),
                                });
                            }
                            let existing = match &new.uscc {
                                Some(u) => orgs::id_by_uscc(tx.conn(), u.as_str()).await?,
                                None => {
                                    orgs::id_by_name_region(
                                        tx.conn(),
                                        &new.name,
                                        new.region_code.as_str(),
                                    )
                                    .await?
                                }
                            };
                            if let Some(id) = existing {
                                if orgs::get(tx.conn(), &actor.write_scope(), id)
                                    .await?
                                    .is_none()
                                {
                                    problems.push(RowProblem {
                                        row: line,
                                        field: Some("uscc".into()),
                                        message_zh:
                                            "该统一社会信用代码已被您管辖范围以外的单位使用".into(),
                                        message_en:
                                            "the code belongs to an organisation outside your area"
                                                .into(),
                                    });
                                }
                            } else if let Some(u) = &new.uscc {
                                let _ = u;
                                if let Some(other) = orgs::id_by_name_region(
                                    tx.conn(),
                                    &new.name,
                                    new.region_code.as_str(),
                                )
                                .await?
                                {
                                    let _ = other;
                                    problems.push(RowProblem {
                                        row: line,
                                        field: Some("name".into()),
                                        message_zh: format!(
                                            "同一区划下已有名为“{}”的单位（信用代码不同）",
                                            new.name
                                        ),
                                        message_en:
                                            "another organisation in this region has that name"
                                                .into(),
                                    });
                                }
                            }
                            if let Some(p) = &parent_uscc {
                                let in_db = orgs::find(tx.conn(), &actor.read_scope(), p)
                                    .await?
                                    .is_some();
                                if !in_db && !file_usccs.contains(p) {
                                    problems.push(RowProblem { row: line, field: Some("parent_uscc".into()), message_zh: format!("上级单位“{p}”不存在（数据库和本文件中均未找到）或不在您的管辖范围内"), message_en: format!("parent '{p}' not found in the database or this file") });
                                }
                            }
                            if problems.is_empty() {
                                ready.push((
                                    line,
                                    Ready::Org {
                                        new,
                                        parent_uscc,
                                        existing,
                                    },
                                ));
                            }
                        }
                        Err(e) => problems.extend(from_store(line, e)?),
                    }
                }
                ImportRow::Pilot(input) => {
                    match self.check_pilot_input(tx.conn(), actor, &input).await {
                        Ok(new) => {
                            if let Some(first) =
                                seen.insert(format!("pilot:{}:{}", new.org_id, new.level), line)
                            {
                                problems.push(RowProblem {
                                    row: line,
                                    field: Some("level".into()),
                                    message_zh: format!("与第{first}行重复（同一单位同一级别）"),
                                    message_en: format!("duplicates row {first}"),
                                });
                            } else {
                                let existing =
                                    pilots::id_by_key(tx.conn(), new.org_id, &new.level).await?;
                                ready.push((line, Ready::Pilot { new, existing }));
                            }
                        }
                        Err(e) => problems.extend(from_store(line, e)?),
                    }
                }
                ImportRow::Designation(input) => {
                    match self.check_designation_input(tx.conn(), actor, &input).await {
                        Ok(new) => {
                            // The register's own key: type, level, year, holder
                            // organisation and — for a title held by a person — the
                            // worker (two 龙城工匠 of one enterprise in one year are
                            // two records).
                            if let Some(first) = seen.insert(
                                format!(
                                    "d:{}:{}:{}:{}:{}",
                                    new.dtype,
                                    new.level,
                                    new.year,
                                    new.holder_org_id,
                                    new.holder_worker_id
                                ),
                                line,
                            ) {
                                let (field, zh, en) = if new.holder_worker_id != 0 {
                                    (
                                        "id_number",
                                        format!("与第{first}行重复（同一人同一年度同一称号）"),
                                        format!(
                                            "duplicates row {first} (same person, title and year)"
                                        ),
                                    )
                                } else {
                                    (
                                        "type",
                                        format!("与第{first}行重复（同一单位同一年度同一称号）"),
                                        format!("duplicates row {first} (same organisation, title and year)"),
                                    )
                                };
                                problems.push(RowProblem {
                                    row: line,
                                    field: Some(field.into()),
                                    message_zh: zh,
                                    message_en: en,
                                });
                            } else {
                                let existing = designations::id_by_key(tx.conn(), &new).await?;
                                ready.push((line, Ready::Designation { new, existing }));
                            }
                        }
                        Err(e) => problems.extend(from_store(line, e)?),
                    }
                }
                ImportRow::Part { kind, fields } => {
                    match self
                        .check_part_row(tx.conn(), actor, kind, &fields, line, &mut seen)
                        .await?
                    {
                        Ok(r) => ready.push((line, r)),
                        Err(p) => problems.extend(p),
                    }
                }
                ImportRow::Report {
                    org,
                    period,
                    values,
                } => match self
                    .check_report_row(tx.conn(), actor, (&org, &period, &values), line, &mut seen)
                    .await?
                {
                    Ok(r) => ready.push((line, r)),
                    Err(p) => problems.extend(p),
                },
            }
            out.problems.extend(problems);
        }
        let rejected = out.rejected_rows();
        ready.retain(|(line, _)| !rejected.contains(line));
        out.valid = total - rejected.len();
        if opts.dry_run || (!out.problems.is_empty() && !opts.skip_invalid) {
            tx.tx.rollback().await?;
            out.would_create = ready.iter().filter(|(_, r)| r.is_new()).count();
            out.would_update = ready.len() - out.would_create;
            return Ok(out);
        }
        // Write: organisations whose parent is in the file wait for that parent.
        let now = now_ms();
        let mut snapshots: HashMap<i64, indicators::Snapshot> = HashMap::new();
        let mut pending = ready;
        let mut done_count = 0usize;
        let mut guard = 0;
        while !pending.is_empty() {
            guard += 1;
            let mut next = Vec::new();
            let before = pending.len();
            for (line, r) in pending {
                if let Ready::Org {
                    parent_uscc: Some(p),
                    ..
                } = &r
                {
                    if orgs::id_by_uscc(tx.conn(), p).await?.is_none() {
                        next.push((line, r));
                        continue;
                    }
                }
                self.write_ready(tx.conn(), actor, r, now, &mut out, &mut snapshots)
                    .await?;
                done_count += 1;
                if done_count.is_multiple_of(200) {
                    progress(total + done_count, total * 2);
                }
            }
            if next.len() == before || guard > 64 {
                for (line, _) in &next {
                    out.problems.push(RowProblem {
                        row: *line,
                        field: Some("parent_uscc".into()),
                        message_zh: "上级单位关系成环或无法解析".into(),
                        message_en: "the parent chain is circular".into(),
                    });
                }
                if !opts.skip_invalid {
                    tx.tx.rollback().await?;
                    out.would_create = out.created;
                    out.would_update = out.updated + out.unchanged;
                    out.created = 0;
                    out.updated = 0;
                    out.unchanged = 0;
                    return Ok(out);
                }
                break;
            }
            pending = next;
        }
        for (_, snap) in snapshots {
            indicators::settle(tx.conn(), snap).await?;
        }
        audit::Note::new(audit::action::IMPORT, "import", "")
            .summary(format!(
                "{} / {} / {} / {}",
                out.total,
                out.created,
                out.updated,
                out.problems.len()
            ))
            .write(tx.conn(), actor, now)
            .await?;
        crate::jobs::mark_written(tx.conn(), opts.job, &out).await?;
        tx.commit().await?;
        out.written = true;
        progress(total * 2, total * 2);
        Ok(out)
    }

    /// A row of the yearly statistics: its period, values and organisation; one per
    /// organisation and period in a file; a locked report cannot be imported over.
    async fn check_report_row(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        (org, period, values): (&str, &str, &BTreeMap<String, serde_json::Value>),
        line: usize,
        seen: &mut HashMap<String, usize>,
    ) -> Result<std::result::Result<Ready, Vec<RowProblem>>> {
        let mut errs = Vec::new();
        let p = Period::parse(period).map_err(|e| errs.push(e)).ok();
        let v = parse_values(values)
            .map_err(|mut e| errs.append(&mut e))
            .ok();
        let o = orgs::find(conn, &actor.write_scope(), org).await?;
        if o.is_none() {
            errs.push(FieldError::new(
                "uscc",
                gongjiang_domain::Rule::UnknownValue,
                format!("单位“{org}”不存在或不在您的管辖范围内"),
                format!("organisation '{org}' not found or outside your area"),
            ));
        }
        let (Some(p), Some(v), Some(o), true) = (p, v, o, errs.is_empty()) else {
            return Ok(Err(errs.iter().map(|e| from_field(line, e)).collect()));
        };
        let period = p.to_string();
        if let Some(first) = seen.insert(format!("r:{}:{period}", o.id), line) {
            return Ok(Err(vec![RowProblem {
                row: line,
                field: Some("period".into()),
                message_zh: format!("与第{first}行重复（同一单位同一报告期）"),
                message_en: format!("duplicates row {first}"),
            }]));
        }
        let existing = reports::by_key(conn, o.id, &period)
            .await?
            .map(|r| (r.id, r.status));
        if existing.as_ref().is_some_and(|(_, s)| s == "locked") {
            return Ok(Err(vec![RowProblem {
                row: line,
                field: Some("period".into()),
                message_zh: format!("{period} 年报表已锁定，不能通过导入修改"),
                message_en: "that report is locked".into(),
            }]));
        }
        Ok(Ok(Report {
            org_id: o.id,
            period,
            values: v,
            existing,
        }
        .into_ready()))
    }

    /// A row of a part's template, checked by the part; a duplicate key within the file
    /// is a problem on the key's column.
    async fn check_part_row(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        kind: &'static str,
        fields: &crate::engines::templates::Fields,
        line: usize,
        seen: &mut HashMap<String, usize>,
    ) -> Result<std::result::Result<Ready, Vec<RowProblem>>> {
        let template = crate::engines::templates::template(kind).ok_or(StoreError::NotFound)?;
        let checked = match (template.check)(self, conn, actor, fields).await {
            Ok(c) => c,
            Err(e) => return Ok(Err(from_store(line, e)?)),
        };
        if let Some(first) = seen.insert(format!("{kind}:{}", checked.key), line) {
            return Ok(Err(vec![RowProblem {
                row: line,
                field: Some(checked.key_field.into()),
                message_zh: format!("与第{first}行重复（{}）", checked.key),
                message_en: format!("duplicates row {first} ({})", checked.key),
            }]));
        }
        Ok(Ok(Ready::Part { template, checked }))
    }

    async fn snapshot_once(
        &self,
        conn: &mut sqlx::AnyConnection,
        org: i64,
        snaps: &mut HashMap<i64, indicators::Snapshot>,
    ) -> Result<()> {
        if let std::collections::hash_map::Entry::Vacant(e) = snaps.entry(org) {
            e.insert(indicators::snapshot(conn, org).await?);
        }
        Ok(())
    }

    async fn write_ready(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        r: Ready,
        now: i64,
        out: &mut Outcome,
        snaps: &mut HashMap<i64, indicators::Snapshot>,
    ) -> Result<()> {
        match r {
            Ready::Org {
                mut new,
                parent_uscc,
                existing,
            } => {
                if let Some(p) = parent_uscc {
                    new.parent_id = orgs::id_by_uscc(conn, &p).await?;
                }
                match existing {
                    Some(id) => {
                        let before = orgs::get(conn, &Scope::All, id)
                            .await?
                            .ok_or(StoreError::NotFound)?;
                        let same = before.name == new.name
                            && before.kind == new.kind.code()
                            && before.region_code == new.region_code.as_str()
                            && before.parent_id == new.parent_id
                            && before.industry == new.industry
                            && before.ownership.as_deref() == new.ownership.map(|o| o.code())
                            && before.chain_leader == new.chain_leader
                            && (new.college_type.is_none()
                                || before.college_type.as_deref()
                                    == new.college_type.map(|c| c.code()));
                        if same {
                            out.unchanged += 1;
                        } else {
                            // Keep what the template has no column for.
                            new.size = new.size.or(before.size.clone());
                            new.address = new.address.or(before.address.clone());
                            new.contact = new.contact.or(before.contact.clone());
                            if new.kind.code() == before.kind {
                                new.college_type =
                                    new.college_type.or(before.college_type.as_deref().and_then(
                                        gongjiang_domain::training::CollegeType::from_any,
                                    ));
                            }
                            self.snapshot_once(conn, id, snaps).await?;
                            orgs::update(conn, id, &new, now).await?;
                            audit::Note::new(audit::action::UPDATE, "org", id)
                                .summary(&new.name)
                                .write(conn, actor, now)
                                .await?;
                            out.updated += 1;
                        }
                    }
                    None => {
                        let id = orgs::insert(conn, &new, now).await?;
                        indicators::settle_new(conn, id).await?;
                        audit::Note::new(audit::action::CREATE, "org", id)
                            .summary(&new.name)
                            .write(conn, actor, now)
                            .await?;
                        out.created += 1;
                    }
                }
            }
            Ready::Pilot { new, existing } => {
                self.snapshot_once(conn, new.org_id, snaps).await?;
                match existing {
                    Some(id) => {
                        let before = pilots::get(conn, &Scope::All, id)
                            .await?
                            .ok_or(StoreError::NotFound)?;
                        if before.ptype == new.ptype
                            && before.year == new.year
                            && before.feature == new.feature
                            && before.benchmark == new.benchmark
                        {
                            out.unchanged += 1;
                        } else {
                            pilots::update(conn, id, &new, now).await?;
                            audit::Note::new(audit::action::UPDATE, "pilot", id)
                                .summary(&before.org_name)
                                .write(conn, actor, now)
                                .await?;
                            out.updated += 1;
                        }
                    }
                    None => {
                        let id = pilots::insert(conn, &new, now).await?;
                        audit::Note::new(audit::action::CREATE, "pilot", id)
                            .summary("")
                            .write(conn, actor, now)
                            .await?;
                        out.created += 1;
                    }
                }
            }
            Ready::Designation { new, existing } => {
                self.snapshot_once(conn, new.holder_org_id, snaps).await?;
                match existing {
                    Some(id) => {
                        let before = designations::get(conn, &Scope::All, id)
                            .await?
                            .ok_or(StoreError::NotFound)?;
                        if before.document_no == new.document_no
                            && (new.holder_name.is_none() || before.holder_name == new.holder_name)
                        {
                            out.unchanged += 1;
                        } else {
                            let mut new = new;
                            new.holder_name = new.holder_name.or(before.holder_name.clone());
                            designations::update(conn, id, &new, now).await?;
                            audit::Note::new(audit::action::UPDATE, "designation", id)
                                .summary(&before.holder_org_name)
                                .write(conn, actor, now)
                                .await?;
                            out.updated += 1;
                        }
                    }
                    None => {
                        let id = designations::insert(conn, &new, now).await?;
                        audit::Note::new(audit::action::CREATE, "designation", id)
                            .summary("")
                            .write(conn, actor, now)
                            .await?;
                        out.created += 1;
                    }
                }
            }
            Ready::Part { template, checked } => {
                for org in &checked.orgs {
                    self.snapshot_once(conn, *org, snaps).await?;
                }
                match (template.write)(conn, actor, &checked, now).await? {
                    crate::engines::templates::Written::Created => out.created += 1,
                    crate::engines::templates::Written::Updated => out.updated += 1,
                    crate::engines::templates::Written::Unchanged => out.unchanged += 1,
                }
            }
            Ready::Report {
                org_id,
                period,
                values,
                existing,
            } => {
                self.snapshot_once(conn, org_id, snaps).await?;
                match existing {
                    Some((id, status)) => {
                        let before = reports::get(conn, &Scope::All, id)
                            .await?
                            .ok_or(StoreError::NotFound)?;
                        if before.raw() == values
                            && ReportStatus::from_any(&status).is_some_and(|s| s.counts())
                        {
                            out.unchanged += 1;
                        } else {
                            reports::set_values(conn, id, &values, now).await?;
                            reports::transition(
                                conn,
                                id,
                                &status,
                                "approved",
                                &actor.username,
                                None,
                                false,
                                now,
                            )
                            .await?;
                            audit::Note::new(audit::action::UPDATE, "report", id)
                                .summary(&period)
                                .write(conn, actor, now)
                                .await?;
                            out.updated += 1;
                        }
                    }
                    None => {
                        let id = reports::insert_with_status(
                            conn, org_id, &period, "approved", None, &values, now,
                        )
                        .await?;
                        audit::Note::new(audit::action::CREATE, "report", id)
                            .summary(&period)
                            .write(conn, actor, now)
                            .await?;
                        out.created += 1;
                    }
                }
            }
        }
        Ok(())
    }
}

struct Report {
    org_id: i64,
    period: String,
    values: gongjiang_domain::report::Values,
    existing: Option<(i64, String)>,
}

impl Report {
    fn into_ready(self) -> Ready {
        Ready::Report {
            org_id: self.org_id,
            period: self.period,
            values: self.values,
            existing: self.existing,
        }
    }
}
