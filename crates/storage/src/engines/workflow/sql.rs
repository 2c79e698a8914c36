//! The case row and the queries the use cases share: assignment, experts, the row
//! lock, history events, checklist items and objection outcomes.

use crate::access::{self, Permission};
use crate::error::Result;
use crate::scope::Actor;
use gongjiang_domain::workflow::{ItemStatus, ObjectionOutcome, Path, Process, Status};
use sqlx::{AnyConnection, Row};

use super::types::{Case, CaseExpert, CaseItem};

pub(super) const SELECT: &str = "SELECT c.id, c.process, c.org_id, o.name AS org_name, c.title, c.status, c.step, c.data, c.due_at, c.result_ref, \
    c.version, c.created_at, c.updated_at, c.submitted_by, c.created_by, o.region_l2, o.region_l3, c.file_ids, c.subject, c.score_x100 FROM wf_cases c JOIN orgs o ON o.id = c.org_id";

pub(super) fn from_row(r: &sqlx::any::AnyRow, en: bool, now: i64) -> Result<Case> {
    let process: String = r.try_get("process")?;
    let def = Process::find(&process);
    let status: String = r.try_get("status")?;
    let step: Option<i64> = r.try_get("step")?;
    let data: String = r.try_get("data")?;
    let due_at: Option<i64> = r.try_get("due_at")?;
    let st = Status::parse(&status);
    Ok(Case {
        id: r.try_get("id")?,
        process_name: def.map(|d| d.name(en)).unwrap_or("").to_string(),
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        title: r.try_get("title")?,
        status_label: st.map(|s| s.label(en)).unwrap_or("").to_string(),
        step_label: def
            .map(|d| d.step_label(step.and_then(|s| usize::try_from(s).ok()), en))
            .unwrap_or("")
            .to_string(),
        overdue: due_at.is_some_and(|d| d < now) && st.is_some_and(|s| !s.is_final()),
        process,
        status,
        step,
        data: serde_json::from_str(&data).unwrap_or_default(),
        due_at,
        result_ref: r.try_get("result_ref")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        submitted_by: r.try_get("submitted_by")?,
        created_by: r.try_get("created_by")?,
        files: Vec::new(),
        file_ids: serde_json::from_str(&r.try_get::<String, _>("file_ids")?).unwrap_or_default(),
        subject: r.try_get("subject")?,
        items: Vec::new(),
        objections: Vec::new(),
        score: r
            .try_get::<Option<i64>, _>("score_x100")?
            .map(|x| x as f64 / 100.0),
        experts: Vec::new(),
        path: Path {
            district: r.try_get("region_l2")?,
            town: r.try_get("region_l3")?,
        },
    })
}

/// Is the user assigned to score the case?
pub(super) async fn assigned(conn: &mut AnyConnection, id: i64, user: Option<i64>) -> Result<bool> {
    let Some(u) = user else {
        return Ok(false);
    };
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM wf_scores WHERE case_id = $1 AND user_id = $2")
            .bind(id)
            .bind(u)
            .fetch_one(conn)
            .await?;
    Ok(n > 0)
}

/// The experts of a case as `actor` may see them: the city sees every expert with name,
/// score and outlier flag; an expert sees only their own row; anyone else who can see
/// the case sees the anonymous scores (专家A/B/C) once the scoring is closed.
pub(super) async fn case_experts(
    conn: &mut AnyConnection,
    actor: &Actor,
    def: &Process,
    id: i64,
    en: bool,
) -> Result<Vec<CaseExpert>> {
    let Some(scoring) = def.scoring else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query(
        "SELECT s.user_id, u.display_name, s.score_x100, s.comment, s.scored_at, c.score_x100 \
         FROM wf_scores s JOIN users u ON u.id = s.user_id JOIN wf_cases c ON c.id = s.case_id WHERE s.case_id = $1 ORDER BY s.id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    let city = access::may(actor, Permission::DecideForCity);
    let closed = rows
        .first()
        .and_then(|r| r.try_get::<Option<i64>, _>(5).ok().flatten())
        .is_some();
    let scores: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.try_get::<Option<i64>, _>(2).ok().flatten())
        .map(|x| x as f64 / 100.0)
        .collect();
    let outliers = gongjiang_domain::assessment::aggregate(&scores, scoring.max as f64).outliers;
    let mut out = Vec::new();
    let mut scored = 0;
    for (i, r) in rows.iter().enumerate() {
        let uid: i64 = r.try_get(0)?;
        let score: Option<f64> = r.try_get::<Option<i64>, _>(2)?.map(|x| x as f64 / 100.0);
        let outlier = score.is_some() && outliers.contains(&scored);
        if score.is_some() {
            scored += 1;
        }
        let mine = Some(uid) == actor.user_id;
        if !(city || mine || closed) {
            continue;
        }
        if access::may(actor, Permission::ScoreAsExpert) && !mine {
            continue;
        }
        out.push(CaseExpert {
            user_id: if city || mine { uid } else { 0 },
            name: if city || mine {
                r.try_get(1)?
            } else {
                gongjiang_domain::assessment::expert_label(i, en)
            },
            score,
            comment: if city || mine { r.try_get(3)? } else { None },
            scored_at: r.try_get(4)?,
            outlier: city && outlier,
        });
    }
    Ok(out)
}

/// Takes the case's row lock first (a no-op update), so that on PostgreSQL moves and
/// item decisions on the same case queue up and each reads what the previous one wrote.
/// (SQLite's single writer serialises them anyway.)
pub(super) async fn lock_case(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("UPDATE wf_cases SET version = version WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn add_event(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    action: &str,
    from: &str,
    to: &str,
    step: Option<i64>,
    comment: Option<&str>,
    changes: Option<String>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO wf_events (case_id, action, from_status, to_status, step, user_id, username, display_name, comment, changes, at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(action)
    .bind(from)
    .bind(to)
    .bind(step)
    .bind(actor.user_id)
    .bind(&actor.username)
    .bind(&actor.display_name)
    .bind(comment)
    .bind(changes)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Creates the item rows of a case that has none yet (as drafts).
pub(super) async fn ensure_items(conn: &mut AnyConnection, def: &Process, id: i64) -> Result<()> {
    let have = item_rows(conn, id).await?;
    for it in def.items {
        if !have.iter().any(|(code, _, _)| code == it.code) {
            sqlx::query("INSERT INTO wf_items (case_id, item, status) VALUES ($1, $2, 'draft')")
                .bind(id)
                .bind(it.code)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// (item, status, reason) of a case's items.
pub(crate) async fn item_rows(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Vec<(String, ItemStatus, Option<String>)>> {
    let rows =
        sqlx::query("SELECT item, status, reason FROM wf_items WHERE case_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(conn)
            .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                ItemStatus::parse(&r.try_get::<String, _>(1)?).unwrap_or(ItemStatus::Draft),
                r.try_get(2)?,
            ))
        })
        .collect()
}

/// The items of a case in the process's order, for the detail page.
pub(super) async fn case_items(
    conn: &mut AnyConnection,
    def: &Process,
    id: i64,
    en: bool,
) -> Result<Vec<CaseItem>> {
    if def.items.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT item, status, reason, decided_name, decided_at FROM wf_items WHERE case_id = $1",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::new();
    for it in def.items {
        let r = rows
            .iter()
            .find(|r| r.try_get::<String, _>(0).ok().as_deref() == Some(it.code));
        let status = match r {
            Some(r) => ItemStatus::parse(&r.try_get::<String, _>(1)?).unwrap_or(ItemStatus::Draft),
            None => ItemStatus::Draft,
        };
        out.push(CaseItem {
            item: it.code.to_string(),
            name: it.name(en).to_string(),
            status: status.code().to_string(),
            status_label: status.label(en).to_string(),
            reason: r.map(|r| r.try_get(2)).transpose()?.flatten(),
            decided_by: r.map(|r| r.try_get(3)).transpose()?.flatten(),
            decided_at: r.map(|r| r.try_get(4)).transpose()?.flatten(),
        });
    }
    Ok(out)
}

pub(super) async fn objection_outcomes(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Vec<ObjectionOutcome>> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT outcome FROM wf_objections WHERE case_id = $1")
            .bind(id)
            .fetch_all(conn)
            .await?;
    Ok(rows
        .iter()
        .map(|o| ObjectionOutcome::parse(o).unwrap_or(ObjectionOutcome::Open))
        .collect())
}
