//! Consistent online backup and restore, in a portable JSON-lines format: a backup taken
//! from SQLite restores into PostgreSQL and back.
use crate::db::{Backend, Db};
use crate::error::{Result, StoreError};
use serde_json::{json, Value};
use sqlx::{Column, Row};
use std::io::{BufRead, Write};

pub const FORMAT: &str = "gongjiang-backup";
pub const FORMAT_VERSION: i64 = 1;

/// The schema version a backup was taken at must match the database's; a backup
/// records it so that an older file is not restored into a newer schema unnoticed.
async fn schema_version(conn: &mut sqlx::AnyConnection) -> Result<i64> {
    Ok(
        sqlx::query("SELECT COALESCE(MAX(version), 0) FROM gj_migrations")
            .fetch_one(conn)
            .await?
            .try_get(0)?,
    )
}

/// Columns stored as 64-bit integers (every other column is text).
const INT_COLUMNS: &[&str] = &[
    "owner_org_id",
    "target_value",
    "progress",
    "achieved",
    "reports",
    "done_at",
    "supervised",
    "supervised_at",
    "meeting_id",
    "decision_id",
    "task_id",
    "percent",
    "body_id",
    "official_user_id",
    "visit_id",
    "org_a",
    "org_b",
    "start_year",
    "pair_id",
    "participants",
    "id",
    "parent_id",
    "chain_leader",
    "version",
    "created_at",
    "updated_at",
    "org_id",
    "disabled",
    "must_change_password",
    "last_login_at",
    "user_id",
    "expires_at",
    "last_seen_at",
    "seq",
    "at_ms",
    "scheme_id",
    "version_no",
    "published_at",
    "published_by",
    "version_id",
    "round_id",
    "target_id",
    "submitted_at",
    "submitted_by",
    "value_x100",
    "score_x100",
    "result_no",
    "result_id",
    "total_x100",
    "rank_no",
    "sort",
    "depth",
    "ancestor_id",
    "descendant_id",
    "year",
    "benchmark",
    "holder_org_id",
    "value",
    "workers",
    "frontline_workers",
    "high_skilled",
    "high_skilled_new",
    "training_person_times",
    "training_spend_wan",
    "proposals",
    "innovations",
    "innovation_benefit_wan",
    "submitted_at",
    "reviewed_at",
    "sent_at",
    "birth_year",
    "frontline",
    "holder_worker_id",
    "step",
    "due_at",
    "submitted_by",
    "created_by",
    "reminded_at",
    "case_id",
    "read_at",
    "done",
    "succeeded",
    "skipped",
    "byte_size",
    "uploaded_by",
    "file_id",
    "policy_id",
    "in_title",
    "hits",
];

fn is_int(col: &str) -> bool {
    INT_COLUMNS.contains(&col)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub tables: Vec<(String, i64)>,
}

/// Writes every table to `out` from one snapshot of the database.
pub async fn backup(db: &Db, out: &mut dyn Write) -> Result<Summary> {
    let mut tx = db.pool.begin().await?;
    if db.backend == Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut *tx)
            .await?;
    }
    let io = |e: std::io::Error| StoreError::Other(format!("write failed: {e}"));
    let schema = schema_version(&mut tx).await?;
    writeln!(out, "{}", json!({"format": FORMAT, "version": FORMAT_VERSION, "schema": schema, "created_at": crate::now_ms(), "tables": Db::DATA_TABLES})).map_err(io)?;
    let mut summary = Summary::default();
    for table in Db::DATA_TABLES {
        let order = if *table == "regions" {
            "sort, code"
        } else {
            "1"
        };
        let rows = sqlx::query(&format!("SELECT * FROM {table} ORDER BY {order}"))
            .fetch_all(&mut *tx)
            .await?;
        let columns: Vec<String> = rows
            .first()
            .map(|r| r.columns().iter().map(|c| c.name().to_string()).collect())
            .unwrap_or_default();
        writeln!(
            out,
            "{}",
            json!({"table": table, "columns": columns, "rows": rows.len()})
        )
        .map_err(io)?;
        for r in &rows {
            let mut vals = Vec::with_capacity(columns.len());
            for (i, c) in columns.iter().enumerate() {
                let v = if is_int(c) {
                    r.try_get::<Option<i64>, _>(i)?
                        .map(Value::from)
                        .unwrap_or(Value::Null)
                } else {
                    r.try_get::<Option<String>, _>(i)?
                        .map(Value::from)
                        .unwrap_or(Value::Null)
                };
                vals.push(v);
            }
            writeln!(out, "{}", Value::Array(vals)).map_err(io)?;
        }
        summary.tables.push((table.to_string(), rows.len() as i64));
    }
    tx.commit().await?;
    Ok(summary)
}

/// Replaces the whole database with a backup, in one transaction: a damaged file
/// changes nothing.
pub async fn restore(db: &Db, input: &mut dyn BufRead) -> Result<Summary> {
    let bad = |m: String| StoreError::Other(format!("not a valid gongjiang backup: {m}"));
    let mut lines = input.lines();
    let header: Value = match lines.next() {
        Some(Ok(l)) => serde_json::from_str(&l).map_err(|e| bad(e.to_string()))?,
        _ => return Err(bad("empty file".into())),
    };
    if header["format"] != FORMAT {
        return Err(bad("missing header".into()));
    }
    if header["version"].as_i64() != Some(FORMAT_VERSION) {
        return Err(bad(format!("unsupported version {}", header["version"])));
    }
    let mut tx = db.begin().await?;
    let schema = schema_version(tx.conn()).await?;
    if header["schema"].as_i64() != Some(schema) {
        return Err(bad(format!(
            "the backup's schema version {} differs from the database's {schema}",
            header["schema"]
        )));
    }
    for table in Db::DATA_TABLES.iter().rev() {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(tx.conn())
            .await?;
    }
    let mut summary = Summary::default();
    while let Some(line) = lines.next() {
        let line = line.map_err(|e| bad(e.to_string()))?;
        if line.trim().is_empty() {
            continue;
        }
        let meta: Value = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
        let table = meta["table"]
            .as_str()
            .ok_or_else(|| bad("expected a table header".into()))?
            .to_string();
        if !Db::DATA_TABLES.contains(&table.as_str()) {
            return Err(bad(format!("unknown table {table}")));
        }
        let columns: Vec<String> = meta["columns"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if columns.iter().any(|c| {
            !c.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        }) {
            return Err(bad("bad column name".into()));
        }
        let n = meta["rows"].as_i64().unwrap_or(0);
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        let stmt = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            columns.join(", "),
            placeholders.join(", ")
        );
        for _ in 0..n {
            let row = match lines.next() {
                Some(Ok(l)) => l,
                _ => return Err(bad(format!("table {table} is truncated"))),
            };
            let vals: Vec<Value> = serde_json::from_str(&row).map_err(|e| bad(e.to_string()))?;
            if vals.len() != columns.len() {
                return Err(bad(format!(
                    "a row of {table} has {} values for {} columns",
                    vals.len(),
                    columns.len()
                )));
            }
            let mut q = sqlx::query(&stmt);
            for (c, v) in columns.iter().zip(vals) {
                q = if is_int(c) {
                    q.bind(v.as_i64())
                } else {
                    q.bind(v.as_str().map(str::to_string))
                };
            }
            q.execute(tx.conn()).await?;
        }
        summary.tables.push((table, n));
    }
    // Derived data is recomputed rather than trusted: the tree columns and the
    // indicator aggregates always agree with the facts after a restore.
    crate::tree::rebuild(tx.conn()).await?;
    crate::indicators::rebuild(tx.conn()).await?;
    if db.backend == Backend::Postgres {
        for table in [
            "orgs",
            "users",
            "pilots",
            "designations",
            "reports",
            "workers",
            "reminders",
        ] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))
            .execute(tx.conn())
            .await?;
        }
    }
    tx.commit().await?;
    Ok(summary)
}
