//! Organisations, always read and written through a [`Scope`].
use crate::error::Result;
use crate::scope::{Resolved, Scope};
use crate::sql::{like_escape, Arg, Sql};
use crate::Page;
use gongjiang_domain::org::NewOrg;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Org {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub uscc: Option<String>,
    pub region_code: String,
    pub region_name: Option<String>,
    pub parent_id: Option<i64>,
    pub parent_name: Option<String>,
    pub industry: Option<String>,
    pub ownership: Option<String>,
    pub chain_leader: bool,
    pub size: Option<String>,
    pub address: Option<String>,
    pub contact: Option<String>,
    /// 院校类型 of a 院校: industry, craftsman, worker or other.
    pub college_type: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Org {
    pub fn kind_enum(&self) -> Option<gongjiang_domain::OrgKind> {
        gongjiang_domain::OrgKind::from_any(&self.kind)
    }

    pub fn ownership_enum(&self) -> Option<gongjiang_domain::Ownership> {
        self.ownership
            .as_deref()
            .and_then(gongjiang_domain::Ownership::from_any)
    }
}

const COLUMNS: &str =
    "o.id, o.name, o.kind, o.uscc, o.region_code, r.name AS region_name, o.parent_id, \
    p.name AS parent_name, o.industry, o.ownership, o.chain_leader, o.size, o.address, o.contact, \
    o.college_type, o.version, o.created_at, o.updated_at";
const FROM: &str = " FROM orgs o LEFT JOIN regions r ON r.code = o.region_code LEFT JOIN orgs p ON p.id = o.parent_id";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Org> {
    Ok(Org {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        uscc: r.try_get("uscc")?,
        region_code: r.try_get("region_code")?,
        region_name: r.try_get("region_name")?,
        parent_id: r.try_get("parent_id")?,
        parent_name: r.try_get("parent_name")?,
        industry: r.try_get("industry")?,
        ownership: r.try_get("ownership")?,
        chain_leader: r.try_get::<i64, _>("chain_leader")? != 0,
        size: r.try_get("size")?,
        address: r.try_get("address")?,
        contact: r.try_get("contact")?,
        college_type: r.try_get("college_type")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Sort keys a list may be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Name,
    Uscc,
    Kind,
    Region,
    Updated,
}

impl Sort {
    pub fn parse(s: &str) -> Sort {
        match s {
            "uscc" => Sort::Uscc,
            "kind" => Sort::Kind,
            "region" => Sort::Region,
            "updated" => Sort::Updated,
            _ => Sort::Name,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Uscc => "uscc",
            Sort::Kind => "kind",
            Sort::Region => "region",
            Sort::Updated => "updated",
        }
    }
    fn column(self) -> &'static str {
        match self {
            Sort::Name => "o.name",
            Sort::Uscc => "o.uscc",
            Sort::Kind => "o.kind",
            Sort::Region => "o.region_code",
            Sort::Updated => "o.updated_at",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// A region code: that region's whole subtree.
    pub region: Option<String>,
    pub kind: Option<String>,
    /// Matches the name (anywhere) or the 统一社会信用代码 (prefix).
    pub q: Option<String>,
    pub parent_id: Option<i64>,
    pub chain_leader: Option<bool>,
    pub sort: Sort,
    pub desc: bool,
    pub page: i64,
    pub per_page: i64,
}

async fn where_clause(conn: &mut AnyConnection, scope: &Scope, f: &Filter) -> Result<Sql> {
    let mut sql = Sql::new(" WHERE 1 = 1");
    scope.resolve(&mut *conn).await?.org_filter(&mut sql, "o");
    if let Some(region) = &f.region {
        Resolved::region(&mut *conn, region)
            .await?
            .org_filter(&mut sql, "o");
    }
    if let Some(kind) = &f.kind {
        sql.push(" AND o.kind = ").bind_text(kind.clone());
    }
    if let Some(parent) = f.parent_id {
        sql.push(" AND o.parent_id = ").bind_int(parent);
    }
    if let Some(cl) = f.chain_leader {
        sql.push(" AND o.chain_leader = ").bind_int(i64::from(cl));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pat = like_escape(q);
        sql.push(" AND (o.name LIKE ")
            .bind(Arg::Text(format!("%{pat}%")))
            .push(" ESCAPE '\\' OR o.uscc LIKE ")
            .bind(Arg::Text(format!(
                "{}%",
                like_escape(&q.to_ascii_uppercase())
            )))
            .push(" ESCAPE '\\')");
    }
    Ok(sql)
}

pub async fn list(conn: &mut AnyConnection, scope: &Scope, f: &Filter) -> Result<Page<Org>> {
    let w = where_clause(&mut *conn, scope, f).await?;
    let dir = if f.desc { "DESC" } else { "ASC" };
    crate::sql::page_of(
        conn,
        (
            "SELECT COUNT(*) FROM orgs o",
            &format!("SELECT {COLUMNS}{FROM}"),
        ),
        &w,
        &format!(" ORDER BY {} {dir}, o.id {dir}", f.sort.column()),
        (f.page, f.per_page),
        from_row,
    )
    .await
}

/// The code each of `ids` goes by in an import template — its USCC, or its id where it
/// has none (what `find` takes back) — read in one query per 500 ids: an export looks its
/// organisations up all at once, not row by row.
pub async fn template_codes(
    conn: &mut AnyConnection,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, String>> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut sql = Sql::new("SELECT id, uscc FROM orgs WHERE id IN (");
        for (n, id) in chunk.iter().enumerate() {
            sql.push(if n == 0 { "" } else { ", " }).bind_int(*id);
        }
        sql.push(")");
        for r in sql.query().fetch_all(&mut *conn).await? {
            let id: i64 = r.try_get(0)?;
            let uscc: Option<String> = r.try_get(1)?;
            out.insert(id, uscc.unwrap_or_else(|| id.to_string()));
        }
    }
    Ok(out)
}

pub async fn get(conn: &mut AnyConnection, scope: &Scope, id: i64) -> Result<Option<Org>> {
    let resolved = scope.resolve(&mut *conn).await?;
    let mut sql = Sql::new(&format!("SELECT {COLUMNS}{FROM} WHERE o.id = "));
    sql.bind_int(id);
    resolved.org_filter(&mut sql, "o");
    match sql.query().fetch_optional(conn).await? {
        Some(r) => Ok(Some(from_row(&r)?)),
        None => Ok(None),
    }
}

/// Finds by 统一社会信用代码 or numeric id.
pub async fn find(conn: &mut AnyConnection, scope: &Scope, key: &str) -> Result<Option<Org>> {
    let key = gongjiang_domain::error::normalise_code(key).to_ascii_uppercase();
    if let Ok(id) = key.parse::<i64>() {
        if key.len() < 18 {
            return get(conn, scope, id).await;
        }
    }
    let resolved = scope.resolve(&mut *conn).await?;
    let mut sql = Sql::new(&format!("SELECT {COLUMNS}{FROM} WHERE o.uscc = "));
    sql.bind_text(key);
    resolved.org_filter(&mut sql, "o");
    match sql.query().fetch_optional(conn).await? {
        Some(r) => Ok(Some(from_row(&r)?)),
        None => Ok(None),
    }
}

/// The organisation a unit account acts for. A unit acts for its own organisation
/// only: `given` (an id or a 统一社会信用代码), when present, must name it — another
/// organisation is 422 on `org`, never silently replaced by the unit's own.
pub async fn unit_own(
    conn: &mut AnyConnection,
    actor: &crate::Actor,
    given: Option<&str>,
) -> Result<Org> {
    use crate::error::StoreError;
    let own = match actor.org_id {
        Some(o) => get(conn, &Scope::All, o)
            .await?
            .ok_or(StoreError::Forbidden)?,
        None => return Err(StoreError::Forbidden),
    };
    if let Some(k) = given.map(str::trim).filter(|k| !k.is_empty()) {
        let key = gongjiang_domain::error::normalise_code(k).to_ascii_uppercase();
        let same = key.parse::<i64>().ok().filter(|_| key.len() < 18) == Some(own.id)
            || own.uscc.as_deref() == Some(key.as_str());
        if !same {
            return Err(StoreError::invalid(gongjiang_domain::FieldError::new(
                "org",
                gongjiang_domain::Rule::Forbidden,
                format!("单位账号只能为本单位（{}）办理，不能代其他单位（“{k}”）办理；请不填或填写本单位", own.name),
                format!("a unit account acts for its own organisation ({}) only, not for '{k}': leave org empty or name your own", own.name),
            )));
        }
    }
    Ok(own)
}

/// The enterprise a write is for, named in field `org` (its id or 统一社会信用代码): a
/// unit's own (it may leave `org` empty), or one in region staff's write scope (422 on
/// `org` when missing or outside it).
pub async fn acting_for(
    conn: &mut AnyConnection,
    actor: &crate::Actor,
    given: Option<&str>,
) -> Result<Org> {
    use crate::error::StoreError;
    use gongjiang_domain::{FieldError, Rule};
    if crate::access::bound_to_own_org(actor) {
        return unit_own(conn, actor, given).await;
    }
    let key = given.map(str::trim).unwrap_or("");
    if key.is_empty() {
        return Err(StoreError::invalid(FieldError::required(
            "org",
            "所在企业",
            "Enterprise",
        )));
    }
    find(conn, &actor.write_scope(), key).await?.ok_or_else(|| {
        StoreError::invalid(FieldError::new(
            "org",
            Rule::UnknownValue,
            format!("企业“{key}”不存在或不在您的管辖范围内"),
            format!("enterprise '{key}' not found or outside your area"),
        ))
    })
}

/// The id of an organisation with this 统一社会信用代码, whatever the scope (for
/// uniqueness checks only; never returned to a caller outside scope).
pub async fn id_by_uscc(conn: &mut AnyConnection, uscc: &str) -> Result<Option<i64>> {
    Ok(sqlx::query("SELECT id FROM orgs WHERE uscc = $1")
        .bind(uscc)
        .fetch_optional(conn)
        .await?
        .map(|r| r.try_get::<i64, _>(0))
        .transpose()?)
}

pub async fn id_by_name_region(
    conn: &mut AnyConnection,
    name: &str,
    region: &str,
) -> Result<Option<i64>> {
    Ok(
        sqlx::query("SELECT id FROM orgs WHERE name = $1 AND region_code = $2")
            .bind(name)
            .bind(region)
            .fetch_optional(conn)
            .await?
            .map(|r| r.try_get::<i64, _>(0))
            .transpose()?,
    )
}

pub async fn insert(conn: &mut AnyConnection, o: &NewOrg, now: i64) -> Result<i64> {
    crate::version::data_changed(&mut *conn).await?;
    let row = sqlx::query(
        "INSERT INTO orgs (name, kind, uscc, region_code, parent_id, industry, ownership, chain_leader, size, address, contact, college_type, version, created_at, updated_at, \
         region_l1, region_l2, region_l3, region_l4) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13, 1, $12, $12, \
         (SELECT l1 FROM regions WHERE code = $4), (SELECT l2 FROM regions WHERE code = $4), (SELECT l3 FROM regions WHERE code = $4), (SELECT l4 FROM regions WHERE code = $4)) RETURNING id",
    )
    .bind(&o.name)
    .bind(o.kind.code())
    .bind(o.uscc.as_ref().map(|u| u.as_str().to_string()))
    .bind(o.region_code.as_str())
    .bind(o.parent_id)
    .bind(o.industry.as_deref())
    .bind(o.ownership.map(|x| x.code()))
    .bind(i64::from(o.chain_leader))
    .bind(o.size.as_deref())
    .bind(o.address.as_deref())
    .bind(o.contact.as_deref())
    .bind(now)
    .bind(o.college_type.map(|c| c.code()))
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get(0)?;
    crate::tree::link_new_org(conn, id, o.parent_id).await?;
    Ok(id)
}

/// Updates and bumps the version; returns false if the row is gone.
pub async fn update(conn: &mut AnyConnection, id: i64, o: &NewOrg, now: i64) -> Result<bool> {
    crate::version::data_changed(&mut *conn).await?;
    let old_parent: Option<Option<i64>> = sqlx::query("SELECT parent_id FROM orgs WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get::<Option<i64>, _>(0))
        .transpose()?;
    let r = sqlx::query(
        "UPDATE orgs SET name = $1, kind = $2, uscc = $3, region_code = $4, parent_id = $5, industry = $6, ownership = $7, \
         chain_leader = $8, size = $9, address = $10, contact = $11, college_type = $14, version = version + 1, updated_at = $12 WHERE id = $13",
    )
    .bind(&o.name)
    .bind(o.kind.code())
    .bind(o.uscc.as_ref().map(|u| u.as_str().to_string()))
    .bind(o.region_code.as_str())
    .bind(o.parent_id)
    .bind(o.industry.as_deref())
    .bind(o.ownership.map(|x| x.code()))
    .bind(i64::from(o.chain_leader))
    .bind(o.size.as_deref())
    .bind(o.address.as_deref())
    .bind(o.contact.as_deref())
    .bind(now)
    .bind(id)
    .bind(o.college_type.map(|c| c.code()))
    .execute(&mut *conn)
    .await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    crate::tree::fill_org_levels(&mut *conn, id).await?;
    if old_parent != Some(o.parent_id) {
        crate::tree::relink_subtree(conn, id).await?;
    }
    Ok(true)
}

pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<bool> {
    crate::version::data_changed(&mut *conn).await?;
    let r = sqlx::query("DELETE FROM orgs WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn child_count(conn: &mut AnyConnection, id: i64) -> Result<i64> {
    Ok(
        sqlx::query("SELECT COUNT(*) FROM orgs WHERE parent_id = $1")
            .bind(id)
            .fetch_one(conn)
            .await?
            .try_get(0)?,
    )
}

/// Organisation counts per kind within the scope (and optional region subtree).
pub async fn count_by_kind(
    conn: &mut AnyConnection,
    scope: &Scope,
    region: Option<&str>,
) -> Result<Vec<(String, i64)>> {
    let mut sql = Sql::new("SELECT o.kind, COUNT(*) FROM orgs o WHERE 1 = 1");
    scope
        .org_filter_in(&mut *conn, region, &mut sql, "o")
        .await?;
    sql.push(" GROUP BY o.kind ORDER BY o.kind");
    let rows = sql.query().fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Enterprise counts per region code (the caller rolls them up to districts).
pub async fn count_by_region(
    conn: &mut AnyConnection,
    scope: &Scope,
    kind: &str,
) -> Result<Vec<(String, i64)>> {
    let resolved = scope.resolve(&mut *conn).await?;
    let mut sql = Sql::new("SELECT o.region_code, COUNT(*) FROM orgs o WHERE o.kind = ");
    sql.bind_text(kind);
    resolved.org_filter(&mut sql, "o");
    sql.push(" GROUP BY o.region_code");
    let rows = sql.query().fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Organisation counts per (region code, kind) within the scope.
pub async fn count_by_region_kind(
    conn: &mut AnyConnection,
    scope: &Scope,
) -> Result<Vec<(String, String, i64)>> {
    let resolved = scope.resolve(&mut *conn).await?;
    let mut sql = Sql::new("SELECT o.region_code, o.kind, COUNT(*) FROM orgs o WHERE 1 = 1");
    resolved.org_filter(&mut sql, "o");
    sql.push(" GROUP BY o.region_code, o.kind");
    let rows = sql.query().fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Organisations placed directly in a region (not in a sub-region, not inside another
/// organisation), within the scope: the organisation children of a region node.
pub async fn direct_in_region(
    conn: &mut AnyConnection,
    scope: &Scope,
    region: &str,
    limit: i64,
) -> Result<Vec<Org>> {
    let resolved = scope.resolve(&mut *conn).await?;
    let mut sql = Sql::new(&format!("SELECT {COLUMNS}{FROM} WHERE o.region_code = "));
    sql.bind_text(region).push(" AND o.parent_id IS NULL");
    resolved.org_filter(&mut sql, "o");
    sql.push(" ORDER BY o.name, o.id LIMIT ").bind_int(limit);
    let rows = sql.query().fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}
