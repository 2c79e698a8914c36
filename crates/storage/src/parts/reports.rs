//! The yearly reform statistics (产改统计表), always read and written through a scope.
use crate::error::Result;
use crate::scope::{Resolved, Scope};
use crate::sql::Sql;
use crate::Page;
use gongjiang_domain::report::{Values, ELEMENTS};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Report {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub uscc: Option<String>,
    pub region_code: String,
    pub region_name: Option<String>,
    pub period: String,
    /// draft, submitted, returned, approved or locked.
    pub status: String,
    /// Element code → value; money elements (`*_wan`) in 万元 with two decimals.
    #[schema(value_type = Object)]
    pub values: BTreeMap<String, f64>,
    pub return_reason: Option<String>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<i64>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
    pub version: i64,
    pub updated_at: i64,
}

impl Report {
    /// The stored integer values (money ×100), for validation and updates.
    pub fn raw(&self) -> Values {
        let mut v = Values::new();
        for e in ELEMENTS {
            if let Some(x) = self.values.get(e.code) {
                v.insert(
                    e.code,
                    if e.money {
                        (x * 100.0).round() as i64
                    } else {
                        *x as i64
                    },
                );
            }
        }
        v
    }
}

fn columns() -> String {
    ELEMENTS
        .iter()
        .map(|e| format!("rp.{}", e.code))
        .collect::<Vec<_>>()
        .join(", ")
}

fn select() -> String {
    format!(
        "SELECT rp.id, rp.org_id, o.name AS org_name, o.uscc, o.region_code, r.name AS region_name, rp.period, rp.status, {}, \
         rp.return_reason, rp.submitted_by, rp.submitted_at, rp.reviewed_by, rp.reviewed_at, rp.version, rp.updated_at \
         FROM reports rp JOIN orgs o ON o.id = rp.org_id LEFT JOIN regions r ON r.code = o.region_code",
        columns()
    )
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Report> {
    let mut values = BTreeMap::new();
    for e in ELEMENTS {
        if let Some(v) = r.try_get::<Option<i64>, _>(e.code)? {
            values.insert(
                e.code.to_string(),
                if e.money { v as f64 / 100.0 } else { v as f64 },
            );
        }
    }
    Ok(Report {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        uscc: r.try_get("uscc")?,
        region_code: r.try_get("region_code")?,
        region_name: r.try_get("region_name")?,
        period: r.try_get("period")?,
        status: r.try_get("status")?,
        values,
        return_reason: r.try_get("return_reason")?,
        submitted_by: r.try_get("submitted_by")?,
        submitted_at: r.try_get("submitted_at")?,
        reviewed_by: r.try_get("reviewed_by")?,
        reviewed_at: r.try_get("reviewed_at")?,
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
    })
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub region: Option<String>,
    pub org_id: Option<i64>,
    pub period: Option<String>,
    pub status: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

pub async fn list(conn: &mut AnyConnection, scope: &Scope, f: &Filter) -> Result<Page<Report>> {
    let mut w = Sql::new(" WHERE 1 = 1");
    scope
        .org_filter_in(&mut *conn, f.region.as_deref(), &mut w, "o")
        .await?;
    if let Some(id) = f.org_id {
        w.push(" AND rp.org_id = ").bind_int(id);
    }
    if let Some(p) = &f.period {
        w.push(" AND rp.period = ").bind_text(p.clone());
    }
    if let Some(s) = &f.status {
        w.push(" AND rp.status = ").bind_text(s.clone());
    }
    crate::sql::page_up_to(
        &mut *conn,
        (
            "SELECT COUNT(*) FROM reports rp JOIN orgs o ON o.id = rp.org_id",
            &select(),
        ),
        &w,
        " ORDER BY rp.period DESC, o.name, rp.id",
        (f.page, f.per_page),
        1000,
        from_row,
    )
    .await
}

/// The latest year with approved (or locked) statistics of organisations in the scope.
pub async fn latest_approved_year(conn: &mut AnyConnection, scope: &Scope) -> Result<Option<i32>> {
    let mut sql = Sql::new(
        "SELECT MAX(SUBSTR(rp.period, 1, 4)) FROM reports rp JOIN orgs o ON o.id = rp.org_id \
         WHERE rp.status IN ('approved', 'locked')",
    );
    scope.resolve(&mut *conn).await?.org_filter(&mut sql, "o");
    let year: Option<String> = sql.query().fetch_one(&mut *conn).await?.try_get(0)?;
    Ok(year.and_then(|y| y.parse().ok()))
}

pub async fn get(conn: &mut AnyConnection, scope: &Scope, id: i64) -> Result<Option<Report>> {
    let resolved = scope.resolve(&mut *conn).await?;
    let mut sql = Sql::new(&format!("{} WHERE rp.id = ", select()));
    sql.bind_int(id);
    resolved.org_filter(&mut sql, "o");
    sql.query()
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn by_key(conn: &mut AnyConnection, org_id: i64, period: &str) -> Result<Option<Report>> {
    let row = sqlx::query(&format!(
        "{} WHERE rp.org_id = $1 AND rp.period = $2",
        select()
    ))
    .bind(org_id)
    .bind(period)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Creates a draft with the values.
pub async fn insert(
    conn: &mut AnyConnection,
    org_id: i64,
    period: &str,
    v: &Values,
    now: i64,
) -> Result<i64> {
    insert_with_status(conn, org_id, period, "draft", None, v, now).await
}

/// Creates a report in a given state: a record of a decision already taken (demo data,
/// imports). The caller settles the indicators.
pub async fn insert_with_status(
    conn: &mut AnyConnection,
    org_id: i64,
    period: &str,
    status: &str,
    reason: Option<&str>,
    v: &Values,
    now: i64,
) -> Result<i64> {
    let cols: Vec<&str> = ELEMENTS.iter().map(|e| e.code).collect();
    let ph: Vec<String> = (0..cols.len()).map(|i| format!("${}", i + 6)).collect();
    let sql = format!(
        "INSERT INTO reports (org_id, period, status, return_reason, {}, version, created_at, updated_at) VALUES ($1, $2, $4, $5, {}, 1, $3, $3) RETURNING id",
        cols.join(", "),
        ph.join(", ")
    );
    let mut q = sqlx::query(&sql)
        .bind(org_id)
        .bind(period)
        .bind(now)
        .bind(status)
        .bind(reason);
    for c in &cols {
        q = q.bind(v.get(c).copied());
    }
    Ok(q.fetch_one(conn).await?.try_get(0)?)
}

/// Replaces the values (the caller checked the state).
pub async fn set_values(conn: &mut AnyConnection, id: i64, v: &Values, now: i64) -> Result<()> {
    let sets: Vec<String> = ELEMENTS
        .iter()
        .enumerate()
        .map(|(i, e)| format!("{} = ${}", e.code, i + 3))
        .collect();
    let sql = format!(
        "UPDATE reports SET {}, version = version + 1, updated_at = $1 WHERE id = $2",
        sets.join(", ")
    );
    let mut q = sqlx::query(&sql).bind(now).bind(id);
    for e in ELEMENTS {
        q = q.bind(v.get(e.code).copied());
    }
    q.execute(conn).await?;
    Ok(())
}

/// Moves a report from `from` to `to`; false if its state changed meanwhile (someone
/// else acted first).
#[allow(clippy::too_many_arguments)]
pub async fn transition(
    conn: &mut AnyConnection,
    id: i64,
    from: &str,
    to: &str,
    who: &str,
    reason: Option<&str>,
    submitted: bool,
    now: i64,
) -> Result<bool> {
    let sql = if submitted {
        "UPDATE reports SET status = $1, return_reason = $2, submitted_by = $3, submitted_at = $4, version = version + 1, updated_at = $4 WHERE id = $5 AND status = $6"
    } else {
        "UPDATE reports SET status = $1, return_reason = $2, reviewed_by = $3, reviewed_at = $4, version = version + 1, updated_at = $4 WHERE id = $5 AND status = $6"
    };
    let r = sqlx::query(sql)
        .bind(to)
        .bind(reason)
        .bind(who)
        .bind(now)
        .bind(id)
        .bind(from)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Reporting completeness for each child of a region: organisations expected to report
/// (enterprises and parks), how many submitted (or later), how many were approved.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Completeness {
    pub code: String,
    pub name: String,
    pub expected: i64,
    pub submitted: i64,
    pub approved: i64,
}

pub async fn completeness(
    conn: &mut AnyConnection,
    scope: &Scope,
    region: &str,
    period: &str,
) -> Result<Vec<Completeness>> {
    let Resolved::Region { depth, .. } = Resolved::region(&mut *conn, region).await? else {
        return Ok(Vec::new());
    };
    let Some(child_col) = crate::tree::level_column(depth + 1) else {
        return Ok(Vec::new());
    };
    let resolved = scope.resolve(&mut *conn).await?;
    let mut sql = Sql::new(&format!(
        "SELECT o.{child_col}, COUNT(*), \
         SUM(CASE WHEN rp.status IN ('submitted', 'approved', 'locked') THEN 1 ELSE 0 END), \
         SUM(CASE WHEN rp.status IN ('approved', 'locked') THEN 1 ELSE 0 END) \
         FROM orgs o LEFT JOIN reports rp ON rp.org_id = o.id AND rp.period = "
    ));
    sql.bind_text(period);
    sql.push(" WHERE o.kind IN ('enterprise', 'park')");
    resolved.org_filter(&mut sql, "o");
    Resolved::region(&mut *conn, region)
        .await?
        .org_filter(&mut sql, "o");
    sql.push(&format!(" GROUP BY o.{child_col}"));
    let rows = sql.query().fetch_all(&mut *conn).await?;
    let mut by: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for r in rows {
        let code: Option<String> = r.try_get(0)?;
        let n: i64 = r.try_get(1)?;
        let s: Option<i64> = r.try_get(2)?;
        let a: Option<i64> = r.try_get(3)?;
        let e = by
            .entry(code.unwrap_or_else(|| region.to_string()))
            .or_default();
        e.0 += n;
        e.1 += s.unwrap_or(0);
        e.2 += a.unwrap_or(0);
    }
    let mut out = Vec::new();
    for (code, (expected, submitted, approved)) in by {
        let name = crate::regions::get(&mut *conn, &Scope::All, &code)
            .await?
            .map(|r| r.name)
            .unwrap_or_else(|| code.clone());
        out.push(Completeness {
            code,
            name,
            expected,
            submitted,
            approved,
        });
    }
    Ok(out)
}

/// Organisations in a region (within scope) that have not submitted for the period.
pub async fn missing(
    conn: &mut AnyConnection,
    scope: &Scope,
    region: &str,
    period: &str,
    limit: i64,
) -> Result<Vec<(i64, String, String)>> {
    let resolved = scope.resolve(&mut *conn).await?;
    let mut sql = Sql::new("SELECT o.id, o.name, COALESCE(rp.status, 'none') FROM orgs o LEFT JOIN reports rp ON rp.org_id = o.id AND rp.period = ");
    sql.bind_text(period);
    sql.push(" WHERE o.kind IN ('enterprise', 'park') AND (rp.status IS NULL OR rp.status IN ('draft', 'returned'))");
    resolved.org_filter(&mut sql, "o");
    Resolved::region(&mut *conn, region)
        .await?
        .org_filter(&mut sql, "o");
    sql.push(" ORDER BY o.name LIMIT ").bind_int(limit);
    let rows = sql.query().fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// The indicator facts of the yearly statistics: every element of an approved report in
/// its period; and, for a pilot (from the year of its earliest pilot), the workers it
/// covers.
pub async fn facts(
    conn: &mut AnyConnection,
    org_id: i64,
    f: &mut crate::indicators::Facts,
) -> Result<()> {
    let first_pilot: Option<i64> = sqlx::query("SELECT MIN(year) FROM pilots WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    let cols: Vec<&str> = ELEMENTS.iter().map(|e| e.code).collect();
    let rows = sqlx::query(&format!(
        "SELECT period, {} FROM reports WHERE org_id = $1 AND status IN ('approved', 'locked')",
        cols.join(", ")
    ))
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let period: String = r.try_get(0)?;
        for (i, c) in cols.iter().enumerate() {
            if let Some(v) = r.try_get::<Option<i64>, _>(i + 1)? {
                *f.entry((format!("rep:{c}"), period.clone())).or_default() += v;
                if *c == "workers"
                    && first_pilot.is_some_and(|y| {
                        period
                            .get(..4)
                            .and_then(|p| p.parse::<i64>().ok())
                            .is_some_and(|py| py >= y)
                    })
                {
                    *f.entry(("rep:pilot_workers".to_string(), period.clone()))
                        .or_default() += v;
                }
            }
        }
    }
    Ok(())
}
