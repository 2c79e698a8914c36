//! The contests' SQL: rows, loads and the owner's place in the tree.
use super::{AspectOut, Contest, ContestEntry, Mark};
use crate::access::{self, Permission};
use crate::error::{Result, StoreError};
use crate::scope::Actor;
use gongjiang_domain::contests::{Aspect, AspectKind, Prizes};
use sqlx::{AnyConnection, Row};

pub(super) const CONTEST: &str = "SELECT c.id, c.code, c.name, c.level, c.year, c.occupation, c.min_level, c.max_level, \
    c.region_code, r.name AS region_name, c.organiser_org_id, o.name AS organiser_name, c.starts_on, c.ends_on, \
    c.first_prizes, c.second_prizes, c.third_prizes, c.merit_prizes, c.honour_top, c.medal_top, c.promote_top, \
    c.status, c.scheme_published, c.plan_case_id, c.results_case_id, c.locked_at, c.version, c.updated_at, \
    (SELECT COUNT(*) FROM contest_entries e WHERE e.contest_id = c.id) AS entries, \
    (SELECT COUNT(*) FROM contest_judges j WHERE j.contest_id = c.id) AS judges, \
    (SELECT COUNT(*) FROM contest_results x WHERE x.contest_id = c.id) AS results \
    FROM contests c LEFT JOIN regions r ON r.code = c.region_code LEFT JOIN orgs o ON o.id = c.organiser_org_id";

pub(super) fn contest_row(r: &sqlx::any::AnyRow) -> Result<Contest> {
    Ok(Contest {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        level: r.try_get("level")?,
        year: r.try_get("year")?,
        occupation: r.try_get("occupation")?,
        min_level: r.try_get("min_level")?,
        max_level: r.try_get("max_level")?,
        region_code: r.try_get("region_code")?,
        region_name: r.try_get("region_name")?,
        organiser_org_id: r.try_get("organiser_org_id")?,
        organiser_name: r.try_get("organiser_name")?,
        starts_on: r.try_get("starts_on")?,
        ends_on: r.try_get("ends_on")?,
        first_prizes: r.try_get("first_prizes")?,
        second_prizes: r.try_get("second_prizes")?,
        third_prizes: r.try_get("third_prizes")?,
        merit_prizes: r.try_get("merit_prizes")?,
        honour_top: r.try_get("honour_top")?,
        medal_top: r.try_get("medal_top")?,
        promote_top: r.try_get("promote_top")?,
        status: r.try_get("status")?,
        scheme_published: r.try_get::<i64, _>("scheme_published")? != 0,
        plan_case_id: r.try_get("plan_case_id")?,
        results_case_id: r.try_get("results_case_id")?,
        locked_at: r.try_get("locked_at")?,
        entries: r.try_get("entries")?,
        judges: r.try_get("judges")?,
        results: r.try_get("results")?,
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Contest {
    pub fn prizes(&self) -> Prizes {
        Prizes {
            first: self.first_prizes,
            second: self.second_prizes,
            third: self.third_prizes,
            merit: self.merit_prizes,
            honour_top: self.honour_top,
            medal_top: self.medal_top,
            promote_top: self.promote_top,
        }
    }
}

/// A contest by id, unscoped (every reader sees every contest; what they may do is the
/// access module's).
pub(super) async fn contest(conn: &mut AnyConnection, id: i64) -> Result<Option<Contest>> {
    sqlx::query(&format!("{CONTEST} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(contest_row)
        .transpose()
}

/// The owning region's path, root first.
pub(super) async fn owner_path(conn: &mut AnyConnection, region: &str) -> Result<Vec<String>> {
    let mut p: Vec<String> = crate::regions::path(conn, region)
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    p.reverse();
    Ok(p)
}

/// Whether the actor sits on the contest's panel.
pub(super) async fn on_panel(
    conn: &mut AnyConnection,
    actor: &Actor,
    contest: i64,
) -> Result<bool> {
    let Some(uid) = actor.user_id else {
        return Ok(false);
    };
    Ok(
        sqlx::query("SELECT 1 FROM contest_judges WHERE contest_id = $1 AND user_id = $2")
            .bind(contest)
            .bind(uid)
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// Loads a contest the actor may see: a register reader any, a judge those on whose
/// panel they sit (404 otherwise).
pub(super) async fn visible(conn: &mut AnyConnection, actor: &Actor, id: i64) -> Result<Contest> {
    let c = contest(conn, id).await?.ok_or(StoreError::NotFound)?;
    if access::may(actor, Permission::ReadRegisters) || on_panel(conn, actor, id).await? {
        Ok(c)
    } else {
        Err(StoreError::NotFound)
    }
}

/// Whether the actor runs the contest.
pub(super) async fn runs(conn: &mut AnyConnection, actor: &Actor, c: &Contest) -> Result<bool> {
    let path = owner_path(conn, &c.region_code).await?;
    Ok(access::may(
        actor,
        Permission::RunContest {
            owner_path: &path,
            organiser: c.organiser_org_id,
        },
    ))
}

/// Loads a contest the actor runs (404 if they cannot see it, 403 if they do not run it).
pub(super) async fn run(conn: &mut AnyConnection, actor: &Actor, id: i64) -> Result<Contest> {
    let c = visible(conn, actor, id).await?;
    let path = owner_path(conn, &c.region_code).await?;
    access::check(
        actor,
        Permission::RunContest {
            owner_path: &path,
            organiser: c.organiser_org_id,
        },
    )?;
    Ok(c)
}

/// Locks the contest row for the rest of the transaction (PostgreSQL; SQLite's writer
/// lock does the same) so that concurrent marks and the lock see one state.
pub(super) async fn lock_row(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("UPDATE contests SET version = version WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub(super) fn e4(v: f64) -> i64 {
    (v * 10_000.0).round() as i64
}

pub(super) fn from_e4(v: i64) -> f64 {
    v as f64 / 10_000.0
}

/// The scheme, in order.
pub(super) async fn aspects(conn: &mut AnyConnection, contest: i64) -> Result<Vec<AspectOut>> {
    let rows = sqlx::query(
        "SELECT id, ord, name, kind, weight_x100, max_e4, tolerance_e4, descriptors FROM contest_aspects \
         WHERE contest_id = $1 ORDER BY ord",
    )
    .bind(contest)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let d: String = r.try_get("descriptors")?;
            Ok(AspectOut {
                id: r.try_get("id")?,
                ord: r.try_get("ord")?,
                name: r.try_get("name")?,
                kind: r.try_get("kind")?,
                weight: r.try_get::<i64, _>("weight_x100")? as f64 / 100.0,
                max_mark: r.try_get::<Option<i64>, _>("max_e4")?.map(from_e4),
                tolerance: r.try_get::<Option<i64>, _>("tolerance_e4")?.map(from_e4),
                descriptors: serde_json::from_str(&d).unwrap_or_default(),
            })
        })
        .collect()
}

impl AspectOut {
    /// The domain's aspect, for points and checks.
    pub fn rule(&self) -> Aspect {
        Aspect {
            name: self.name.clone(),
            kind: AspectKind::from_any(&self.kind).unwrap_or(AspectKind::Measurement),
            weight: self.weight,
            max_mark: self.max_mark,
            tolerance: self.tolerance,
            descriptors: self.descriptors.clone(),
        }
    }
}

pub(super) const ENTRY: &str = "SELECT e.id, e.contest_id, e.worker_id, w.name AS worker_name, w.id_masked, e.org_id, \
    o.name AS org_name, w.skill_level, e.created_at FROM contest_entries e JOIN workers w ON w.id = e.worker_id \
    JOIN orgs o ON o.id = e.org_id";

pub(super) fn entry_row(r: &sqlx::any::AnyRow) -> Result<ContestEntry> {
    Ok(ContestEntry {
        id: r.try_get("id")?,
        contest_id: r.try_get("contest_id")?,
        worker_id: r.try_get("worker_id")?,
        worker_name: r.try_get("worker_name")?,
        worker_id_masked: r.try_get("id_masked")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        skill_level: r.try_get("skill_level")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(super) async fn entry(
    conn: &mut AnyConnection,
    contest: i64,
    id: i64,
) -> Result<Option<ContestEntry>> {
    sqlx::query(&format!("{ENTRY} WHERE e.contest_id = $1 AND e.id = $2"))
        .bind(contest)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(entry_row)
        .transpose()
}

pub(super) const MARK: &str = "SELECT id, entry_id, aspect_id, judge_id, value_e4, entered_by, confirmed_by, version FROM contest_marks";

pub(super) fn mark_row(r: &sqlx::any::AnyRow) -> Result<Mark> {
    Ok(Mark {
        id: r.try_get("id")?,
        entry_id: r.try_get("entry_id")?,
        aspect_id: r.try_get("aspect_id")?,
        judge_id: r.try_get("judge_id")?,
        value: from_e4(r.try_get("value_e4")?),
        entered_by: r.try_get("entered_by")?,
        confirmed_by: r.try_get("confirmed_by")?,
        version: r.try_get("version")?,
    })
}

/// Refuses unless the contest is at one of `statuses`.
pub(super) fn expect_status(c: &Contest, statuses: &[&str], zh: &str, en: &str) -> Result<()> {
    if statuses.contains(&c.status.as_str()) {
        Ok(())
    } else {
        Err(StoreError::conflict(
            gongjiang_domain::Code::ContestState,
            Some("status"),
            zh,
            en,
        ))
    }
}
