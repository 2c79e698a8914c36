//! Loading and storing: the scheme tree as JSON, scheme versions, rounds with their
//! targets and experts, self-report values, target users, the indicator facts.

use crate::error::{Result, StoreError};
use crate::indicators;
use gongjiang_domain::assessment::{Node, TargetKind};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

use super::types::{Round, SchemeVersion, Target};

/// The measure under which published totals (×100) enter the indicator engine, kept on
/// the target's own node (`r:<region>` or `o:<org id>`) for the round's year.
pub const SCORE_MEASURE: &str = "asm:score";

fn parse_tree(s: &str) -> Result<Vec<Node>> {
    serde_json::from_str(s).map_err(|e| StoreError::Other(format!("scheme tree: {e}")))
}

pub(super) fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Other(e.to_string()))
}

pub(super) async fn load_version(conn: &mut AnyConnection, id: i64) -> Result<SchemeVersion> {
    let r = sqlx::query(
        "SELECT v.id, v.scheme_id, s.name, v.version_no, v.status, v.tree, v.published_at, v.version \
         FROM asm_versions v JOIN asm_schemes s ON s.id = v.scheme_id WHERE v.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(SchemeVersion {
        id: r.try_get(0)?,
        scheme_id: r.try_get(1)?,
        scheme_name: r.try_get(2)?,
        version_no: r.try_get(3)?,
        status: r.try_get(4)?,
        tree: parse_tree(&r.try_get::<String, _>(5)?)?,
        published_at: r.try_get(6)?,
        version: r.try_get(7)?,
    })
}

pub(super) const ROUND_COLS: &str = "r.id, r.year, r.title, r.version_id, s.name, v.version_no, r.target_kind, r.status, r.version, \
     (SELECT COUNT(*) FROM asm_results x WHERE x.round_id = r.id) \
     FROM asm_rounds r JOIN asm_versions v ON v.id = r.version_id JOIN asm_schemes s ON s.id = v.scheme_id";

pub(super) fn round_row(r: &sqlx::any::AnyRow, en: bool) -> Result<Round> {
    let kind: String = r.try_get(6)?;
    Ok(Round {
        id: r.try_get(0)?,
        year: r.try_get(1)?,
        title: r.try_get(2)?,
        version_id: r.try_get(3)?,
        scheme_name: r.try_get(4)?,
        version_no: r.try_get(5)?,
        target_kind_label: TargetKind::parse(&kind)
            .map(|k| k.label(en).to_string())
            .unwrap_or_default(),
        target_kind: kind,
        status: r.try_get(7)?,
        version: r.try_get(8)?,
        results: r.try_get(9)?,
    })
}

pub(super) async fn load_round(conn: &mut AnyConnection, id: i64, en: bool) -> Result<Round> {
    let r = sqlx::query(&format!("SELECT {ROUND_COLS} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    round_row(&r, en)
}

pub(super) async fn load_targets(conn: &mut AnyConnection, round_id: i64) -> Result<Vec<Target>> {
    let rows = sqlx::query(
        "SELECT id, target_key, name, self_status, submitted_at FROM asm_targets WHERE round_id = $1 ORDER BY sort, id",
    )
    .bind(round_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Target {
                id: r.try_get(0)?,
                key: r.try_get(1)?,
                name: r.try_get(2)?,
                self_status: r.try_get(3)?,
                submitted_at: r.try_get(4)?,
            })
        })
        .collect()
}

/// (user id, display name) of the round's experts in assignment order.
pub(super) async fn load_experts(
    conn: &mut AnyConnection,
    round_id: i64,
) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query(
        "SELECT e.user_id, u.display_name FROM asm_experts e JOIN users u ON u.id = e.user_id WHERE e.round_id = $1 ORDER BY e.sort, e.id",
    )
    .bind(round_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Whether a user (expert) belongs to the target: attached to the region or one below
/// it (districts), or to the organisation, one above or one below it (organisations).
pub(super) async fn attached_to(
    conn: &mut AnyConnection,
    region_code: Option<&str>,
    org_id: Option<i64>,
    kind: &str,
    key: &str,
) -> Result<bool> {
    if kind == "district" {
        if let Some(rc) = region_code {
            if rc == key {
                return Ok(true);
            }
            let n: i64 = sqlx::query(
                "SELECT COUNT(*) FROM regions WHERE code = $1 AND (l1 = $2 OR l2 = $2 OR l3 = $2 OR l4 = $2)",
            )
            .bind(rc)
            .bind(key)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
            if n > 0 {
                return Ok(true);
            }
        }
        if let Some(o) = org_id {
            let n: i64 = sqlx::query(
                "SELECT COUNT(*) FROM orgs WHERE id = $1 AND (region_l2 = $2 OR region_l3 = $2 OR region_code = $2)",
            )
            .bind(o)
            .bind(key)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
            return Ok(n > 0);
        }
        return Ok(false);
    }
    let (Some(o), Ok(t)) = (org_id, key.parse::<i64>()) else {
        return Ok(false);
    };
    if o == t {
        return Ok(true);
    }
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) FROM org_closure WHERE (ancestor_id = $1 AND descendant_id = $2) OR (ancestor_id = $2 AND descendant_id = $1)",
    )
    .bind(o)
    .bind(t)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    Ok(n > 0)
}

/// Totals (×100) of the newest result of every published round, as indicator facts:
/// (node, period, value). Used by [`indicators::rebuild`].
pub async fn score_facts(conn: &mut AnyConnection) -> Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT r.target_kind, r.year, t.target_key, t.total_x100 FROM asm_totals t \
         JOIN asm_results x ON x.id = t.result_id JOIN asm_rounds r ON r.id = x.round_id \
         WHERE x.result_no = (SELECT MAX(y.result_no) FROM asm_results y WHERE y.round_id = x.round_id)",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let kind: String = r.try_get(0)?;
        let year: i64 = r.try_get(1)?;
        let key: String = r.try_get(2)?;
        out.push((target_node(&kind, &key), year.to_string(), r.try_get(3)?));
    }
    Ok(out)
}

pub(super) fn target_node(kind: &str, key: &str) -> String {
    if kind == "district" {
        indicators::region_node(key)
    } else {
        format!("o:{key}")
    }
}

pub(super) async fn bump_score(
    conn: &mut AnyConnection,
    node: &str,
    year: i64,
    delta: i64,
) -> Result<()> {
    if delta == 0 {
        return Ok(());
    }
    crate::version::data_changed(conn).await?;
    sqlx::query(
        "INSERT INTO agg (node, period, measure, value) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (node, measure, period) DO UPDATE SET value = agg.value + excluded.value",
    )
    .bind(node)
    .bind(year.to_string())
    .bind(SCORE_MEASURE)
    .bind(delta)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn find_target(
    conn: &mut AnyConnection,
    round_id: i64,
    key: &str,
) -> Result<Target> {
    let key = gongjiang_domain::error::normalise_code(key);
    load_targets(conn, round_id)
        .await?
        .into_iter()
        .find(|t| t.key == key)
        .ok_or(StoreError::NotFound)
}

pub(super) async fn self_values(
    conn: &mut AnyConnection,
    target_id: i64,
) -> Result<HashMap<String, (Option<f64>, Option<String>)>> {
    let mut out = HashMap::new();
    for r in sqlx::query("SELECT leaf, value_x100, evidence FROM asm_self WHERE target_id = $1")
        .bind(target_id)
        .fetch_all(&mut *conn)
        .await?
    {
        out.insert(
            r.try_get(0)?,
            (
                r.try_get::<Option<i64>, _>(1)?.map(|v| v as f64 / 100.0),
                r.try_get(2)?,
            ),
        );
    }
    Ok(out)
}

/// The users who act for the given targets.
pub(super) async fn target_users(
    conn: &mut AnyConnection,
    kind: &str,
    targets: &[(String, String)],
) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for (key, _) in targets {
        let rows = match kind {
            "district" => {
                sqlx::query("SELECT id FROM users WHERE role = 'district' AND region_code = $1 AND disabled = 0")
                    .bind(key)
                    .fetch_all(&mut *conn)
                    .await?
            }
            _ => {
                let role = if kind == "member_unit" { "department" } else { "unit" };
                sqlx::query("SELECT id FROM users WHERE role = $1 AND org_id = $2 AND disabled = 0")
                    .bind(role)
                    .bind(key.parse::<i64>().unwrap_or(-1))
                    .fetch_all(&mut *conn)
                    .await?
            }
        };
        for r in rows {
            out.push(r.try_get(0)?);
        }
    }
    Ok(out)
}

pub(super) async fn notify_targets(
    conn: &mut AnyConnection,
    round: &Round,
    targets: &[(String, String)],
    now: i64,
) -> Result<()> {
    let users = target_users(conn, &round.target_kind, targets).await?;
    crate::notify::notify(
        conn,
        &users,
        &format!("「{}」已开始，请填报自评和佐证材料", round.title),
        "/assessment/self",
        now,
    )
    .await?;
    Ok(())
}
