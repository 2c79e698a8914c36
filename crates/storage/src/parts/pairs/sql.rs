//! The SQL the pair use cases share: the select list and row mapping, visibility by
//! either side, side look-ups, activities and the list filter.

use crate::error::Result;
use crate::orgs;
use crate::scope::{Actor, Resolved, Scope};
use crate::sql::Sql;
use gongjiang_domain::contacts::{PairKind, PairSide};
use gongjiang_domain::{FieldError, Rule};
use sqlx::{AnyConnection, Row};

use super::types::{Activity, Pair, PairFilter};

pub(super) const SELECT: &str = "SELECT p.id, p.kind, p.org_a, oa.name AS a_name, oa.chain_leader AS a_leader, p.org_b, ob.name AS b_name, ob.chain_leader AS b_leader, \
    p.chain, p.start_year, p.goals, p.created_at, p.ended_on, p.end_reason, p.version, \
    (SELECT COUNT(*) FROM pair_activities x WHERE x.pair_id = p.id) AS n_act, \
    (SELECT MAX(held_on) FROM pair_activities x WHERE x.pair_id = p.id) AS last_act \
    FROM pairs p JOIN orgs oa ON oa.id = p.org_a JOIN orgs ob ON ob.id = p.org_b";

pub(super) fn row(r: &sqlx::any::AnyRow, en: bool) -> Result<Pair> {
    let kind: String = r.try_get("kind")?;
    Ok(Pair {
        id: r.try_get("id")?,
        kind_label: PairKind::from_any(&kind)
            .map(|k| k.label(en))
            .unwrap_or("")
            .to_string(),
        kind,
        org_a: r.try_get("org_a")?,
        org_a_name: r.try_get("a_name")?,
        org_b: r.try_get("org_b")?,
        org_b_name: r.try_get("b_name")?,
        chain: r.try_get("chain")?,
        start_year: r.try_get("start_year")?,
        goals: r.try_get("goals")?,
        activities: r.try_get("n_act")?,
        last_activity: r.try_get("last_act")?,
        active: r.try_get::<Option<String>, _>("ended_on")?.is_none(),
        ended_on: r.try_get("ended_on")?,
        end_reason: r.try_get("end_reason")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
    })
}

/// ` AND (side a in scope OR side b in scope)`.
pub(super) fn either_side(sql: &mut Sql, r: &Resolved) {
    if *r == Resolved::All {
        return;
    }
    sql.push(" AND ((1 = 1");
    r.org_filter(sql, "oa");
    sql.push(") OR (1 = 1");
    r.org_filter(sql, "ob");
    sql.push("))");
}

fn nz(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

pub(super) async fn find_side(
    conn: &mut AnyConnection,
    scope: &Scope,
    field: &'static str,
    label: (&'static str, &'static str),
    key: &str,
) -> Result<std::result::Result<orgs::Org, FieldError>> {
    let key = key.trim();
    if key.is_empty() {
        return Ok(Err(FieldError::required(field, label.0, label.1)));
    }
    Ok(orgs::find(conn, scope, key).await?.ok_or_else(|| {
        FieldError::new(
            field,
            Rule::UnknownValue,
            format!("{}“{}”不存在或不在您的管辖范围内", label.0, key),
            format!(
                "{} '{}' does not exist or is outside your area",
                label.1, key
            ),
        )
    }))
}

pub(super) async fn activities(conn: &mut AnyConnection, pair_id: i64) -> Result<Vec<Activity>> {
    sqlx::query(
        "SELECT id, pair_id, held_on, title, summary, participants, version FROM pair_activities WHERE pair_id = $1 ORDER BY held_on DESC, id DESC",
    )
    .bind(pair_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(Activity {
            id: r.try_get(0)?,
            pair_id: r.try_get(1)?,
            held_on: r.try_get(2)?,
            title: r.try_get(3)?,
            summary: r.try_get(4)?,
            participants: r.try_get(5)?,
            version: r.try_get(6)?,
        })
    })
    .collect()
}

pub(super) async fn pair_where(
    conn: &mut AnyConnection,
    actor: &Actor,
    f: &PairFilter,
) -> Result<Sql> {
    let mut w = Sql::new(" WHERE 1 = 1");
    let r = actor.read_scope().resolve(&mut *conn).await?;
    either_side(&mut w, &r);
    if let Some(reg) = nz(f.region.as_deref()) {
        let r = Resolved::region(&mut *conn, reg).await?;
        either_side(&mut w, &r);
    }
    if let Some(k) = nz(f.kind.as_deref()) {
        w.push(" AND p.kind = ").bind_text(k);
    }
    if let Some(c) = nz(f.chain.as_deref()) {
        w.push(" AND p.chain = ").bind_text(c);
    }
    match nz(f.status.as_deref()) {
        Some("active") => {
            w.push(" AND p.ended_on IS NULL");
        }
        Some("ended") => {
            w.push(" AND p.ended_on IS NOT NULL");
        }
        _ => {}
    }
    Ok(w)
}

pub(super) fn side(o: &orgs::Org) -> PairSide<'_> {
    PairSide {
        id: o.id,
        name: &o.name,
        kind: &o.kind,
        ownership: o.ownership.as_deref(),
        chain_leader: o.chain_leader,
    }
}

pub(super) async fn first_activity(
    conn: &mut AnyConnection,
    pair_id: i64,
) -> Result<Option<String>> {
    Ok(
        sqlx::query("SELECT MIN(held_on) FROM pair_activities WHERE pair_id = $1")
            .bind(pair_id)
            .fetch_one(conn)
            .await?
            .try_get(0)?,
    )
}
