//! The pilot register (试点企业与园区).
use crate::error::Result;
use crate::scope::Scope;
use crate::sql::Sql;
use crate::Page;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Pilot {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub uscc: Option<String>,
    pub region_code: String,
    pub region_name: Option<String>,
    /// province, city, county or town (省级/市级/县级/镇级).
    pub level: String,
    /// enterprise or park (企业/园区).
    pub ptype: String,
    pub year: i64,
    /// 一企一特色 / 一园一品牌.
    pub feature: Option<String>,
    /// 标杆 (benchmark) cultivation.
    pub benchmark: bool,
    pub version: i64,
    pub updated_at: i64,
}

const SELECT: &str = "SELECT p.id, p.org_id, o.name AS org_name, o.uscc, o.region_code, r.name AS region_name, p.level, p.ptype, p.year, \
    p.feature, p.benchmark, p.version, p.updated_at FROM pilots p JOIN orgs o ON o.id = p.org_id LEFT JOIN regions r ON r.code = o.region_code";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Pilot> {
    Ok(Pilot {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        uscc: r.try_get("uscc")?,
        region_code: r.try_get("region_code")?,
        region_name: r.try_get("region_name")?,
        level: r.try_get("level")?,
        ptype: r.try_get("ptype")?,
        year: r.try_get("year")?,
        feature: r.try_get("feature")?,
        benchmark: r.try_get::<i64, _>("benchmark")? != 0,
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
    })
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub region: Option<String>,
    pub org_id: Option<i64>,
    pub level: Option<String>,
    pub ptype: Option<String>,
    pub year: Option<i64>,
    pub benchmark: Option<bool>,
    pub q: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

pub async fn list(conn: &mut AnyConnection, scope: &Scope, f: &Filter) -> Result<Page<Pilot>> {
    let mut w = Sql::new(" WHERE 1 = 1");
    scope
        .org_filter_in(&mut *conn, f.region.as_deref(), &mut w, "o")
        .await?;
    if let Some(id) = f.org_id {
        w.push(" AND p.org_id = ").bind_int(id);
    }
    if let Some(l) = &f.level {
        w.push(" AND p.level = ").bind_text(l.clone());
    }
    if let Some(t) = &f.ptype {
        w.push(" AND p.ptype = ").bind_text(t.clone());
    }
    if let Some(y) = f.year {
        w.push(" AND p.year = ").bind_int(y);
    }
    if let Some(b) = f.benchmark {
        w.push(" AND p.benchmark = ").bind_int(i64::from(b));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.contains_any(&["o.name", "p.feature"], q);
    }
    crate::sql::page_of(
        &mut *conn,
        (
            "SELECT COUNT(*) FROM pilots p JOIN orgs o ON o.id = p.org_id",
            SELECT,
        ),
        &w,
        " ORDER BY p.year DESC, o.name, p.id",
        (f.page, f.per_page),
        from_row,
    )
    .await
}

pub async fn get(conn: &mut AnyConnection, scope: &Scope, id: i64) -> Result<Option<Pilot>> {
    let resolved = scope.resolve(&mut *conn).await?;
    crate::scope::one_in(
        conn,
        &format!("{SELECT} WHERE p.id = "),
        id,
        (&resolved, "o"),
        from_row,
    )
    .await
}

pub struct NewPilot {
    pub org_id: i64,
    pub level: String,
    pub ptype: String,
    pub year: i64,
    pub feature: Option<String>,
    pub benchmark: bool,
}

pub async fn id_by_key(conn: &mut AnyConnection, org_id: i64, level: &str) -> Result<Option<i64>> {
    Ok(
        sqlx::query("SELECT id FROM pilots WHERE org_id = $1 AND level = $2")
            .bind(org_id)
            .bind(level)
            .fetch_optional(conn)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?,
    )
}

pub async fn insert(conn: &mut AnyConnection, p: &NewPilot, now: i64) -> Result<i64> {
    let r = sqlx::query("INSERT INTO pilots (org_id, level, ptype, year, feature, benchmark, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING id")
        .bind(p.org_id)
        .bind(&p.level)
        .bind(&p.ptype)
        .bind(p.year)
        .bind(p.feature.as_deref())
        .bind(i64::from(p.benchmark))
        .bind(now)
        .fetch_one(conn)
        .await?;
    Ok(r.try_get(0)?)
}

pub async fn update(conn: &mut AnyConnection, id: i64, p: &NewPilot, now: i64) -> Result<()> {
    sqlx::query("UPDATE pilots SET org_id = $1, level = $2, ptype = $3, year = $4, feature = $5, benchmark = $6, version = version + 1, updated_at = $7 WHERE id = $8")
        .bind(p.org_id)
        .bind(&p.level)
        .bind(&p.ptype)
        .bind(p.year)
        .bind(p.feature.as_deref())
        .bind(i64::from(p.benchmark))
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM pilots WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The indicator facts of the pilot register: a pilot enterprise (or park) counts once,
/// from the year of its earliest pilot.
pub async fn facts(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
    f: &mut crate::indicators::Facts,
) -> Result<()> {
    use gongjiang_domain::indicators::measure;
    let rows = sqlx::query("SELECT ptype, MIN(year) FROM pilots WHERE org_id = $1 GROUP BY ptype")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await?;
    for r in rows {
        let ptype: String = r.try_get(0)?;
        let year: i64 = r.try_get(1)?;
        let m = if ptype == "park" {
            measure::PILOT_PARK
        } else {
            measure::PILOT_ENTERPRISE
        };
        *f.entry((m.to_string(), year.to_string())).or_default() += 1;
    }
    Ok(())
}
