//! The one registry of titles and honours (认定与荣誉). Every designation —
//! 产教融合型试点企业, 创新工作室, 五一劳动奖状, … — is a row here; later modules
//! (craftsmen, studios, contests) add rows rather than tables of their own.
use crate::error::Result;
use crate::scope::Scope;
use crate::sql::Sql;
use crate::Page;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Designation {
    pub id: i64,
    /// integration_enterprise, apprenticeship_pilot, innovation_studio, …
    pub dtype: String,
    /// national, province, city, district, town or enterprise.
    pub level: String,
    pub year: i64,
    pub holder_org_id: i64,
    pub holder_org_name: String,
    pub uscc: Option<String>,
    pub region_code: String,
    pub region_name: Option<String>,
    /// For a studio: its name (e.g. 张三劳模创新工作室).
    pub holder_name: Option<String>,
    /// The worker holding a personal title (产业教授, 龙城工匠 …), if any.
    pub holder_worker_id: Option<i64>,
    pub worker_name: Option<String>,
    pub worker_id_masked: Option<String>,
    /// 文号.
    pub document_no: Option<String>,
    pub version: i64,
    pub updated_at: i64,
}

const SELECT: &str = "SELECT d.id, d.dtype, d.level, d.year, d.holder_org_id, o.name AS holder_org_name, o.uscc, o.region_code, r.name AS region_name, \
    d.holder_name, d.holder_worker_id, wk.name AS worker_name, wk.id_masked AS worker_id_masked, d.document_no, d.version, d.updated_at FROM designations d JOIN orgs o ON o.id = d.holder_org_id LEFT JOIN regions r ON r.code = o.region_code LEFT JOIN workers wk ON wk.id = d.holder_worker_id";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Designation> {
    Ok(Designation {
        id: r.try_get("id")?,
        dtype: r.try_get("dtype")?,
        level: r.try_get("level")?,
        year: r.try_get("year")?,
        holder_org_id: r.try_get("holder_org_id")?,
        holder_org_name: r.try_get("holder_org_name")?,
        uscc: r.try_get("uscc")?,
        region_code: r.try_get("region_code")?,
        region_name: r.try_get("region_name")?,
        holder_name: r.try_get("holder_name")?,
        holder_worker_id: Some(r.try_get::<i64, _>("holder_worker_id")?).filter(|w| *w != 0),
        worker_name: r.try_get("worker_name")?,
        worker_id_masked: r.try_get("worker_id_masked")?,
        document_no: r.try_get("document_no")?,
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
    })
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub region: Option<String>,
    pub org_id: Option<i64>,
    pub worker_id: Option<i64>,
    pub dtype: Option<String>,
    pub level: Option<String>,
    pub year: Option<i64>,
    pub q: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

pub async fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    f: &Filter,
) -> Result<Page<Designation>> {
    let mut w = Sql::new(" WHERE 1 = 1");
    scope
        .org_filter_in(&mut *conn, f.region.as_deref(), &mut w, "o")
        .await?;
    if let Some(id) = f.org_id {
        w.push(" AND d.holder_org_id = ").bind_int(id);
    }
    if let Some(id) = f.worker_id {
        w.push(" AND d.holder_worker_id = ").bind_int(id);
    }
    if let Some(t) = &f.dtype {
        w.push(" AND d.dtype = ").bind_text(t.clone());
    }
    if let Some(l) = &f.level {
        w.push(" AND d.level = ").bind_text(l.clone());
    }
    if let Some(y) = f.year {
        w.push(" AND d.year = ").bind_int(y);
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.contains_any(&["o.name", "d.holder_name", "d.document_no"], q);
    }
    crate::sql::page_of(
        &mut *conn,
        (
            "SELECT COUNT(*) FROM designations d JOIN orgs o ON o.id = d.holder_org_id",
            SELECT,
        ),
        &w,
        " ORDER BY d.year DESC, d.dtype, o.name, d.id",
        (f.page, f.per_page),
        from_row,
    )
    .await
}

pub async fn get(conn: &mut AnyConnection, scope: &Scope, id: i64) -> Result<Option<Designation>> {
    let resolved = scope.resolve(&mut *conn).await?;
    crate::scope::one_in(
        conn,
        &format!("{SELECT} WHERE d.id = "),
        id,
        (&resolved, "o"),
        from_row,
    )
    .await
}

pub struct NewDesignation {
    pub dtype: String,
    pub level: String,
    pub year: i64,
    pub holder_org_id: i64,
    /// 0 when the organisation itself holds the title.
    pub holder_worker_id: i64,
    pub holder_name: Option<String>,
    pub document_no: Option<String>,
}

pub async fn id_by_key(conn: &mut AnyConnection, d: &NewDesignation) -> Result<Option<i64>> {
    Ok(sqlx::query("SELECT id FROM designations WHERE dtype = $1 AND level = $2 AND year = $3 AND holder_org_id = $4 AND holder_worker_id = $5")
        .bind(&d.dtype)
        .bind(&d.level)
        .bind(d.year)
        .bind(d.holder_org_id)
        .bind(d.holder_worker_id)
        .fetch_optional(conn)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?)
}

pub async fn insert(conn: &mut AnyConnection, d: &NewDesignation, now: i64) -> Result<i64> {
    let r = sqlx::query(
        "INSERT INTO designations (dtype, level, year, holder_org_id, holder_worker_id, holder_name, document_no, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id",
    )
    .bind(&d.dtype)
    .bind(&d.level)
    .bind(d.year)
    .bind(d.holder_org_id)
    .bind(d.holder_worker_id)
    .bind(d.holder_name.as_deref())
    .bind(d.document_no.as_deref())
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(r.try_get(0)?)
}

pub async fn update(conn: &mut AnyConnection, id: i64, d: &NewDesignation, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE designations SET dtype = $1, level = $2, year = $3, holder_org_id = $4, holder_worker_id = $5, holder_name = $6, document_no = $7, \
         version = version + 1, updated_at = $8 WHERE id = $9",
    )
    .bind(&d.dtype)
    .bind(&d.level)
    .bind(d.year)
    .bind(d.holder_org_id)
    .bind(d.holder_worker_id)
    .bind(d.holder_name.as_deref())
    .bind(d.document_no.as_deref())
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM designations WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The indicator facts of the registry: each title held by the organisation, by type
/// and level, in its year.
pub async fn facts(
    conn: &mut AnyConnection,
    org_id: i64,
    f: &mut crate::indicators::Facts,
) -> Result<()> {
    let rows = sqlx::query("SELECT dtype, level, year FROM designations WHERE holder_org_id = $1")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await?;
    for r in rows {
        let (t, l, y): (String, String, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        *f.entry((
            gongjiang_domain::indicators::measure::designation(&t, &l),
            y.to_string(),
        ))
        .or_default() += 1;
    }
    Ok(())
}
