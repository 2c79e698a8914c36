//! Regions (行政区划 and functional zones), the top of the organisation tree.
use crate::error::Result;
use crate::scope::Scope;
use crate::sql::Sql;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Region {
    pub code: String,
    pub name: String,
    /// `city`, `district`, `town` or `zone`.
    pub level: String,
    pub parent_code: Option<String>,
}

impl Region {
    pub fn level_label(&self, english: bool) -> &'static str {
        match (self.level.as_str(), english) {
            ("city", false) => "市",
            ("district", false) => "区（县级市）",
            ("town", false) => "镇（街道）",
            ("zone", false) => "功能区",
            ("city", true) => "City",
            ("district", true) => "District",
            ("town", true) => "Town / street",
            ("zone", true) => "Functional zone",
            (_, false) => "区划",
            (_, true) => "Region",
        }
    }
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Region> {
    Ok(Region {
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        level: r.try_get("level")?,
        parent_code: r.try_get("parent_code")?,
    })
}

/// Every region in scope, parents before children (sorted by code within a level).
pub async fn list(conn: &mut AnyConnection, scope: &Scope) -> Result<Vec<Region>> {
    let mut sql =
        Sql::new("SELECT r.code, r.name, r.level, r.parent_code FROM regions r WHERE 1 = 1");
    scope
        .resolve(&mut *conn)
        .await?
        .region_filter(&mut sql, "r");
    sql.push(" ORDER BY r.sort, r.code");
    let rows = sql.query().fetch_all(conn).await?;
    let mut out = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
    order_as_tree(&mut out);
    Ok(out)
}

/// Reorders regions so that each comes right after its parent (depth-first).
fn order_as_tree(regions: &mut Vec<Region>) {
    let codes: std::collections::HashSet<String> = regions.iter().map(|r| r.code.clone()).collect();
    let mut out = Vec::with_capacity(regions.len());
    fn visit(
        parent: Option<&str>,
        all: &[Region],
        codes: &std::collections::HashSet<String>,
        out: &mut Vec<Region>,
    ) {
        for r in all {
            let is_root = r.parent_code.as_deref().is_none_or(|p| !codes.contains(p));
            let matches = match parent {
                None => is_root,
                Some(p) => r.parent_code.as_deref() == Some(p),
            };
            if matches {
                out.push(r.clone());
                visit(Some(&r.code), all, codes, out);
            }
        }
    }
    visit(None, regions, &codes, &mut out);
    *regions = out;
}

pub async fn get(conn: &mut AnyConnection, scope: &Scope, code: &str) -> Result<Option<Region>> {
    let mut sql =
        Sql::new("SELECT r.code, r.name, r.level, r.parent_code FROM regions r WHERE r.code = ");
    sql.bind_text(code);
    scope
        .resolve(&mut *conn)
        .await?
        .region_filter(&mut sql, "r");
    match sql.query().fetch_optional(conn).await? {
        Some(r) => Ok(Some(from_row(&r)?)),
        None => Ok(None),
    }
}

pub async fn insert(conn: &mut AnyConnection, r: &Region, sort: i64) -> Result<()> {
    crate::version::data_changed(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO regions (code, name, level, parent_code, sort) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&r.code)
    .bind(&r.name)
    .bind(&r.level)
    .bind(r.parent_code.as_deref())
    .bind(sort)
    .execute(&mut *conn)
    .await?;
    crate::tree::fill_region(conn, &r.code).await
}

/// The ancestors of a region, root first, ending with the region itself.
pub async fn path(conn: &mut AnyConnection, code: &str) -> Result<Vec<Region>> {
    let mut out = Vec::new();
    let mut next = Some(code.to_string());
    while let Some(c) = next {
        let row = sqlx::query("SELECT code, name, level, parent_code FROM regions WHERE code = $1")
            .bind(&c)
            .fetch_optional(&mut *conn)
            .await?;
        match row {
            Some(r) => {
                let r = from_row(&r)?;
                next = r.parent_code.clone();
                out.push(r);
            }
            None => break,
        }
        if out.len() > 16 {
            break;
        }
    }
    out.reverse();
    Ok(out)
}

/// The built-in region tree of a fresh database: Changzhou and its six districts.
pub fn changzhou() -> Vec<Region> {
    let mut v = vec![Region {
        code: "320400".into(),
        name: "常州市".into(),
        level: "city".into(),
        parent_code: None,
    }];
    for (code, name) in [
        ("320402", "天宁区"),
        ("320404", "钟楼区"),
        ("320411", "新北区"),
        ("320412", "武进区"),
        ("320413", "金坛区"),
        ("320481", "溧阳市"),
    ] {
        v.push(Region {
            code: code.into(),
            name: name.into(),
            level: "district".into(),
            parent_code: Some("320400".into()),
        });
    }
    v
}
