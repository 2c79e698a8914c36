//! The tree columns that make subtree queries one indexed lookup (migration 0002):
//! ancestor region codes by depth on regions and organisations, and the organisation
//! closure table. Kept up to date by every insert and update; [`rebuild`] recomputes
//! all of it (after the migration, after a restore of an older backup, or to repair).
use crate::error::{Result, StoreError};
use sqlx::{AnyConnection, Row};

/// Regions nest at most this deep (city, district/zone, town/street, village).
pub const MAX_DEPTH: i64 = 4;

/// The column holding the ancestor region code at `depth` (1-based), for SQL text.
pub fn level_column(depth: i64) -> Option<&'static str> {
    match depth {
        1 => Some("region_l1"),
        2 => Some("region_l2"),
        3 => Some("region_l3"),
        4 => Some("region_l4"),
        _ => None,
    }
}

pub fn region_level_column(depth: i64) -> Option<&'static str> {
    match depth {
        1 => Some("l1"),
        2 => Some("l2"),
        3 => Some("l3"),
        4 => Some("l4"),
        _ => None,
    }
}

/// The depth of a region, if it exists.
pub async fn region_depth(conn: &mut AnyConnection, code: &str) -> Result<Option<i64>> {
    Ok(sqlx::query("SELECT depth FROM regions WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await?
        .map(|r| r.try_get::<i64, _>(0))
        .transpose()?)
}

/// Fills depth and l1..l4 of one region from its parent (the parent must be filled).
pub async fn fill_region(conn: &mut AnyConnection, code: &str) -> Result<()> {
    let row = sqlx::query("SELECT p.depth, p.l1, p.l2, p.l3, p.l4 FROM regions r LEFT JOIN regions p ON p.code = r.parent_code WHERE r.code = $1")
        .bind(code)
        .fetch_one(&mut *conn)
        .await?;
    let parent_depth: Option<i64> = row.try_get(0)?;
    let mut levels: Vec<Option<String>> = (1..=4)
        .map(|i| row.try_get::<Option<String>, _>(i))
        .collect::<std::result::Result<_, _>>()?;
    let depth = parent_depth.map(|d| d + 1).unwrap_or(1);
    if depth > MAX_DEPTH {
        return Err(StoreError::Other(format!(
            "region {code} would nest deeper than {MAX_DEPTH} levels"
        )));
    }
    if parent_depth.is_none() {
        levels = vec![None, None, None, None];
    }
    levels[(depth - 1) as usize] = Some(code.to_string());
    sqlx::query(
        "UPDATE regions SET depth = $1, l1 = $2, l2 = $3, l3 = $4, l4 = $5 WHERE code = $6",
    )
    .bind(depth)
    .bind(levels[0].clone())
    .bind(levels[1].clone())
    .bind(levels[2].clone())
    .bind(levels[3].clone())
    .bind(code)
    .execute(conn)
    .await?;
    Ok(())
}

/// Copies an organisation's region ancestors from its region row.
pub const ORG_LEVELS_FROM_REGION: &str =
    "region_l1 = (SELECT l1 FROM regions WHERE code = orgs.region_code), \
    region_l2 = (SELECT l2 FROM regions WHERE code = orgs.region_code), \
    region_l3 = (SELECT l3 FROM regions WHERE code = orgs.region_code), \
    region_l4 = (SELECT l4 FROM regions WHERE code = orgs.region_code)";

pub async fn fill_org_levels(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query(&format!(
        "UPDATE orgs SET {ORG_LEVELS_FROM_REGION} WHERE id = $1"
    ))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds a new organisation to the closure table (after its row exists).
pub async fn link_new_org(conn: &mut AnyConnection, id: i64, parent: Option<i64>) -> Result<()> {
    sqlx::query("INSERT INTO org_closure (ancestor_id, descendant_id, depth) VALUES ($1, $1, 0)")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if let Some(p) = parent {
        sqlx::query("INSERT INTO org_closure (ancestor_id, descendant_id, depth) SELECT ancestor_id, $1, depth + 1 FROM org_closure WHERE descendant_id = $2")
            .bind(id)
            .bind(p)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Re-links an organisation and everything below it after its parent changed.
pub async fn relink_subtree(conn: &mut AnyConnection, id: i64) -> Result<()> {
    crate::version::data_changed(&mut *conn).await?;
    // Links from outside the subtree into it are stale; links inside it stay valid.
    sqlx::query(
        "DELETE FROM org_closure WHERE descendant_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1) \
         AND ancestor_id NOT IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO org_closure (ancestor_id, descendant_id, depth) \
         SELECT up.ancestor_id, down.descendant_id, up.depth + down.depth + 1 \
         FROM org_closure up, org_closure down, orgs o \
         WHERE o.id = $1 AND up.descendant_id = o.parent_id AND down.ancestor_id = $1",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Recomputes every tree column from `regions.parent_code` and `orgs.parent_id`.
pub async fn rebuild(conn: &mut AnyConnection) -> Result<()> {
    crate::version::data_changed(&mut *conn).await?;
    // Regions, level by level from the roots.
    let roots: Vec<String> = sqlx::query("SELECT code FROM regions WHERE parent_code IS NULL")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
    let mut frontier = roots;
    let mut depth = 1;
    while !frontier.is_empty() {
        if depth > MAX_DEPTH {
            return Err(StoreError::Other(format!(
                "regions nest deeper than {MAX_DEPTH} levels"
            )));
        }
        let mut next = Vec::new();
        for code in &frontier {
            fill_region(conn, code).await?;
            let kids = sqlx::query("SELECT code FROM regions WHERE parent_code = $1")
                .bind(code)
                .fetch_all(&mut *conn)
                .await?;
            for k in kids {
                next.push(k.try_get::<String, _>(0)?);
            }
        }
        frontier = next;
        depth += 1;
    }
    sqlx::query(&format!("UPDATE orgs SET {ORG_LEVELS_FROM_REGION}"))
        .execute(&mut *conn)
        .await?;
    // The closure: self links, then one level at a time.
    sqlx::query("DELETE FROM org_closure")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO org_closure (ancestor_id, descendant_id, depth) SELECT id, id, 0 FROM orgs",
    )
    .execute(&mut *conn)
    .await?;
    for d in 0..64 {
        let n = sqlx::query(
            "INSERT INTO org_closure (ancestor_id, descendant_id, depth) \
             SELECT c.ancestor_id, o.id, c.depth + 1 FROM orgs o JOIN org_closure c ON c.descendant_id = o.parent_id \
             WHERE c.depth = $1",
        )
        .bind(d)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(());
        }
    }
    Err(StoreError::Other(
        "the organisation tree has a cycle".into(),
    ))
}
