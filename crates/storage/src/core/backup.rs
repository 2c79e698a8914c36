//! Consistent online backup and restore, in a portable JSON-lines format: a backup taken
//! from SQLite restores into PostgreSQL and back.
//!
//! Format version 2: a header line, then each table (a header line with its columns and
//! row count, then one JSON array per row), then — when the backup includes file
//! contents — a line `{"files": N}` followed by one line per stored file
//! `{"sha256", "size", "data"}` (base64), and last a trailer `{"end": true, …}` so that a
//! cut-off file is recognised. Version 1 (tables only, no trailer) still restores.
use crate::db::{Backend, Db};
use crate::error::{Result, StoreError};
use crate::files::FileStore;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::{Column, Row};
use std::collections::HashSet;
use std::io::{BufRead, Write};

pub const FORMAT: &str = "gongjiang-backup";
pub const FORMAT_VERSION: i64 = 2;

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

/// The columns of `table` stored as 64-bit integers (every other column is text), read
/// from the schema itself so that two tables may use one column name with two types.
async fn int_columns(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<HashSet<String>> {
    let sql = match backend {
        Backend::Sqlite => "SELECT name, type FROM pragma_table_info($1)",
        Backend::Postgres => {
            "SELECT column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let mut ints = HashSet::new();
    for r in sqlx::query(sql).bind(table).fetch_all(conn).await? {
        let name: String = r.try_get(0)?;
        let ty: String = r.try_get(1)?;
        if ty.to_ascii_uppercase().contains("INT") {
            ints.insert(name);
        }
    }
    Ok(ints)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub tables: Vec<(String, i64)>,
    /// File contents written or restored.
    pub files: i64,
    pub file_bytes: i64,
    /// After restoring a backup without file contents: referenced contents that the
    /// file store does not hold (copy them from the old store).
    pub missing_files: i64,
}

/// Writes every table to `out` from one snapshot of the database (no file contents).
pub async fn backup(db: &Db, out: &mut dyn Write) -> Result<Summary> {
    backup_inner(db, None, out).await
}

/// Writes every table and the content of every stored file to `out`, from one snapshot
/// of the database.
pub async fn backup_with_files(db: &Db, store: &FileStore, out: &mut dyn Write) -> Result<Summary> {
    backup_inner(db, Some(store), out).await
}

async fn backup_inner(db: &Db, store: Option<&FileStore>, out: &mut dyn Write) -> Result<Summary> {
    let mut tx = db.pool_begin().await?;
    if db.backend == Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut *tx)
            .await?;
    }
    let io = |e: std::io::Error| StoreError::Other(format!("write failed: {e}"));
    let schema = schema_version(&mut tx).await?;
    writeln!(out, "{}", json!({"format": FORMAT, "version": FORMAT_VERSION, "schema": schema, "created_at": crate::now_ms(), "tables": Db::DATA_TABLES, "files": store.is_some()})).map_err(io)?;
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
        let ints = int_columns(&mut tx, db.backend, table).await?;
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
                let v = if ints.contains(c) {
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
    if let Some(store) = store {
        // One record per distinct content, streamed: one file in memory at a time.
        let shas: Vec<(String, i64)> =
            sqlx::query("SELECT sha256, MAX(byte_size) FROM files GROUP BY sha256 ORDER BY sha256")
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_>>()?;
        writeln!(out, "{}", json!({"files": shas.len()})).map_err(io)?;
        for (sha, size) in &shas {
            let bytes = store.get(sha).await?;
            if hex::encode(Sha256::digest(&bytes)) != *sha || bytes.len() as i64 != *size {
                return Err(StoreError::Other(format!(
                    "文件存储中的内容 {sha} 与记录不符(大小或哈希不同),备份中止 (stored content {sha} does not match its record)"
                )));
            }
            writeln!(
                out,
                "{}",
                json!({"sha256": sha, "size": size, "data": base64::engine::general_purpose::STANDARD.encode(&bytes)})
            )
            .map_err(io)?;
            summary.files += 1;
            summary.file_bytes += bytes.len() as i64;
        }
    }
    let rows: i64 = summary.tables.iter().map(|(_, n)| n).sum();
    writeln!(
        out,
        "{}",
        json!({"end": true, "rows": rows, "files": summary.files})
    )
    .map_err(io)?;
    tx.commit().await?;
    Ok(summary)
}

/// Replaces the whole database with a backup, in one transaction: a damaged file
/// changes nothing. A backup that includes file contents needs
/// [`restore_with_files`].
pub async fn restore(db: &Db, input: &mut dyn BufRead) -> Result<Summary> {
    restore_inner(db, None, input).await
}

/// Replaces the whole database with a backup and puts the file contents it holds into
/// `store`, each checked against its SHA-256 and size first. All or nothing for the
/// database: a damaged backup (bad content, missing content, cut off) changes no row.
/// Contents already checked and stored before the damage was found stay in the store,
/// unreferenced (the store is content-addressed, so they change nothing).
pub async fn restore_with_files(
    db: &Db,
    store: &FileStore,
    input: &mut dyn BufRead,
) -> Result<Summary> {
    restore_inner(db, Some(store), input).await
}

async fn restore_inner(
    db: &Db,
    store: Option<&FileStore>,
    input: &mut dyn BufRead,
) -> Result<Summary> {
    let bad = |m: String| StoreError::Other(format!("not a valid gongjiang backup: {m}"));
    let mut lines = input.lines();
    let header: Value = match lines.next() {
        Some(Ok(l)) => serde_json::from_str(&l).map_err(|e| bad(e.to_string()))?,
        _ => return Err(bad("empty file".into())),
    };
    if header["format"] != FORMAT {
        return Err(bad("missing header".into()));
    }
    let version = header["version"].as_i64().unwrap_or(0);
    if !(1..=FORMAT_VERSION).contains(&version) {
        return Err(bad(format!("unsupported version {}", header["version"])));
    }
    let with_files = header["files"].as_bool().unwrap_or(false);
    if with_files && store.is_none() {
        return Err(bad(
            "this backup holds file contents; restore it with a file store".into(),
        ));
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
    let mut ended = false;
    let mut contents: HashSet<String> = HashSet::new();
    while let Some(line) = lines.next() {
        let line = line.map_err(|e| bad(e.to_string()))?;
        if line.trim().is_empty() {
            continue;
        }
        if ended {
            return Err(bad("data after the end of the backup".into()));
        }
        let meta: Value = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
        if meta["end"] == true {
            ended = true;
            continue;
        }
        if let Some(n) = meta.get("files").and_then(Value::as_i64) {
            let Some(store) = store.filter(|_| with_files) else {
                return Err(bad("unexpected file contents".into()));
            };
            for _ in 0..n {
                let rec = match lines.next() {
                    Some(Ok(l)) => l,
                    _ => return Err(bad("the file contents are truncated".into())),
                };
                let rec: Value = serde_json::from_str(&rec).map_err(|e| bad(e.to_string()))?;
                let sha = rec["sha256"].as_str().unwrap_or_default().to_string();
                if sha.len() != 64 || !sha.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                    return Err(bad(format!("bad file hash {sha:?}")));
                }
                let data = base64::engine::general_purpose::STANDARD
                    .decode(rec["data"].as_str().unwrap_or_default())
                    .map_err(|e| bad(format!("file {sha}: {e}")))?;
                if rec["size"].as_i64() != Some(data.len() as i64)
                    || hex::encode(Sha256::digest(&data)) != sha
                {
                    return Err(bad(format!(
                        "file {sha}: the content does not match its hash or size"
                    )));
                }
                store.put(&sha, &data).await?;
                summary.files += 1;
                summary.file_bytes += data.len() as i64;
                contents.insert(sha);
            }
            continue;
        }
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
        let ints = int_columns(tx.conn(), db.backend, &table).await?;
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
                q = if ints.contains(c) {
                    q.bind(v.as_i64())
                } else {
                    q.bind(v.as_str().map(str::to_string))
                };
            }
            q.execute(tx.conn()).await?;
        }
        summary.tables.push((table, n));
    }
    if version >= 2 && !ended {
        return Err(bad("the backup is truncated (no end record)".into()));
    }
    let referenced: Vec<String> = sqlx::query("SELECT DISTINCT sha256 FROM files")
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
    if with_files {
        if let Some(sha) = referenced.iter().find(|s| !contents.contains(*s)) {
            return Err(bad(format!("the content of file {sha} is missing")));
        }
    } else if let Some(store) = store {
        for sha in &referenced {
            if !store.exists(sha).await? {
                summary.missing_files += 1;
            }
        }
    }
    // Derived data is recomputed rather than trusted: the tree columns and the
    // indicator aggregates always agree with the facts after a restore.
    crate::tree::rebuild(tx.conn()).await?;
    crate::indicators::rebuild(tx.conn()).await?;
    if db.backend == Backend::Postgres {
        // Every identity column moves past the restored ids.
        let tables: Vec<String> = sqlx::query(
            "SELECT table_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'",
        )
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<std::result::Result<_, _>>()?;
        for table in tables
            .iter()
            .filter(|t| Db::DATA_TABLES.contains(&t.as_str()))
        {
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
