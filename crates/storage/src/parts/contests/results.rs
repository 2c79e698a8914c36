//! Use cases: lock the marks (and undo a lock, with a reason), publish the ranking for
//! 公示 on the engine, and the hooks of the results and promotion cases: approval makes
//! the results final, writes the honours into the registry and opens the 以赛促评
//! promotions; only a promotion's own approval raises the worker's level.
use super::ranking::{compute, Ranking};
use super::sql;
use super::{Contest, ReasonInput, ResultRow, RESULTS_PROCESS};
use crate::audit::{action, Note};
use crate::designations::{self, NewDesignation};
use crate::engines::workflow::{ActInput, Case, SubjectCase};
use crate::error::{Result, StoreError};
use crate::indicators;
use crate::scope::Actor;
use crate::service::Service;
use crate::training::promotion::{raise_level, Promoted};
use gongjiang_domain::contests::{Award, Honour};
use gongjiang_domain::{Code, FieldError, Rule, SkillLevel};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

/// The process of a winner's promotion.
pub const PROMOTION_PROCESS: &str = "contest_promotion";

fn submit() -> ActInput {
    ActInput {
        action: "submit".into(),
        comment: None,
        version: None,
        changes: BTreeMap::new(),
    }
}

/// Why the marks cannot be locked yet: the first entrant with something missing.
fn incomplete(r: &Ranking) -> Option<FieldError> {
    if r.entries == 0 {
        return Some(FieldError::new(
            "entries",
            Rule::Required,
            "还没有参赛选手",
            "there are no entrants",
        ));
    }
    let s = r.standings.iter().find(|s| !s.complete)?;
    let (zh, en) = if !s.flagged.is_empty() {
        (
            format!("{}的“{}”评委评分相差超过 1 分，须重新评分（共 {} 名选手待处理）", s.worker_name, s.flagged.join("、"), r.entries - r.complete),
            format!("{}: the judges of '{}' differ by more than one point and must re-score ({} entrants outstanding)", s.worker_name, s.flagged.join(", "), r.entries - r.complete),
        )
    } else {
        (
            format!(
                "{}的“{}”尚未评分或确认（共 {} 名选手待处理）",
                s.worker_name,
                s.missing.join("、"),
                r.entries - r.complete
            ),
            format!(
                "{}: '{}' not yet marked or confirmed ({} entrants outstanding)",
                s.worker_name,
                s.missing.join(", "),
                r.entries - r.complete
            ),
        )
    };
    Some(FieldError::new("marks", Rule::Required, zh, en))
}

impl Service {
    /// Locks the marks: every entrant fully marked and confirmed, nothing flagged. A
    /// second lock is refused (409 `contest_locked`).
    pub async fn lock_contest(&self, actor: &Actor, id: i64) -> Result<Contest> {
        let mut w = self.write(actor).await?;
        sql::lock_row(w.conn(), id).await?;
        let c = sql::run(w.conn(), actor, id).await?;
        if matches!(c.status.as_str(), "locked" | "notice" | "closed") {
            return Err(StoreError::conflict(
                Code::ContestLocked,
                Some("status"),
                "竞赛成绩已经锁定，不能重复锁定",
                "the marks are locked already",
            ));
        }
        sql::expect_status(&c, &["open"], "竞赛尚未开始", "the contest is not open")?;
        let r = compute(w.conn(), id).await?;
        if let Some(e) = incomplete(&r) {
            return Err(StoreError::invalid(e));
        }
        let now = w.now;
        sqlx::query(
            "UPDATE contests SET status = 'locked', locked_at = $1, locked_by = $2, version = version + 1, updated_at = $1 WHERE id = $3",
        )
        .bind(now)
        .bind(actor.user_id)
        .bind(id)
        .execute(w.conn())
        .await?;
        w.audit(
            Note::new("lock", "contest", id)
                .summary(format!("{}：锁定成绩（{} 名选手）", c.name, r.entries)),
        )
        .await?;
        let after = sql::contest(w.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(after)
    }

    /// Undoes a lock, with a reason (audited); the marks can be corrected again.
    pub async fn unlock_contest(&self, actor: &Actor, id: i64, i: &ReasonInput) -> Result<Contest> {
        let mut w = self.write(actor).await?;
        sql::lock_row(w.conn(), id).await?;
        let c = sql::run(w.conn(), actor, id).await?;
        sql::expect_status(
            &c,
            &["locked"],
            "只有已锁定、尚未公示的成绩可以解锁",
            "only locked marks not yet on notice can be unlocked",
        )?;
        let reason = i.reason.trim();
        if reason.is_empty() {
            return Err(StoreError::invalid(FieldError::required(
                "reason",
                "解锁理由",
                "Reason",
            )));
        }
        if reason.chars().count() > 500 {
            return Err(StoreError::invalid(FieldError::new(
                "reason",
                Rule::TooLong,
                "解锁理由不能超过 500 字",
                "at most 500 characters",
            )));
        }
        let now = w.now;
        sqlx::query("UPDATE contests SET status = 'open', locked_at = NULL, locked_by = NULL, version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(w.conn())
            .await?;
        w.audit(
            Note::new("unlock", "contest", id)
                .summary(format!("{}：解锁成绩，理由：{reason}", c.name)),
        )
        .await?;
        let after = sql::contest(w.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(after)
    }

    /// Publishes the locked ranking: provisional results (awards, honours, promotions
    /// by the plan) and a `contest_results` case on public notice.
    pub async fn publish_contest(&self, actor: &Actor, id: i64) -> Result<Contest> {
        let mut w = self.write(actor).await?;
        sql::lock_row(w.conn(), id).await?;
        let c = sql::run(w.conn(), actor, id).await?;
        sql::expect_status(
            &c,
            &["locked"],
            "请先锁定成绩再公示结果",
            "lock the marks before publishing",
        )?;
        let organiser = c.organiser_org_id.ok_or_else(|| {
            StoreError::invalid(FieldError::required("organiser", "主办单位", "Organiser"))
        })?;
        let r = compute(w.conn(), id).await?;
        let prizes = c.prizes();
        let now = w.now;
        sqlx::query("DELETE FROM contest_results WHERE contest_id = $1")
            .bind(id)
            .execute(w.conn())
            .await?;
        let mut listing = String::new();
        for s in &r.standings {
            let level = sqlx::query("SELECT skill_level FROM workers WHERE id = $1")
                .bind(s.worker_id)
                .fetch_one(w.conn())
                .await?
                .try_get::<Option<String>, _>(0)?
                .as_deref()
                .and_then(SkillLevel::parse);
            let promoted = (s.rank <= prizes.promote_top)
                .then(|| next_level(level))
                .flatten();
            let award = prizes.award(s.rank);
            let honour = prizes.honour(s.rank);
            sqlx::query(
                "INSERT INTO contest_results (contest_id, worker_id, org_id, place, total_x100, award, honour, promoted_to, is_final, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $9)",
            )
            .bind(id)
            .bind(s.worker_id)
            .bind(s.org_id)
            .bind(s.rank)
            .bind((s.total * 100.0).round() as i64)
            .bind(award.map(Award::code))
            .bind(honour.map(Honour::code))
            .bind(promoted.map(SkillLevel::code))
            .bind(now)
            .execute(w.conn())
            .await?;
            if award.is_some() || honour.is_some() || promoted.is_some() {
                listing.push_str(&format!(
                    "第{}名 {}（{}）{} 分{}{}{}\n",
                    s.rank,
                    s.worker_name,
                    s.org_name,
                    gongjiang_domain::contests::trim_num(s.total),
                    award
                        .map(|a| format!("，{}", a.label_zh()))
                        .unwrap_or_default(),
                    honour
                        .map(|h| format!("，{}", h.label_zh()))
                        .unwrap_or_default(),
                    promoted
                        .map(|l| format!("，晋升{}", l.label_zh()))
                        .unwrap_or_default(),
                ));
            }
        }
        if listing.is_empty() {
            listing = format!("共 {} 名选手，本次竞赛不设奖项", r.entries);
        }
        let mut data = BTreeMap::new();
        data.insert("year".to_string(), c.year.to_string());
        data.insert(
            "results".to_string(),
            listing.chars().take(20_000).collect(),
        );
        let title = format!("竞赛结果公示：{}（{}）", c.name, c.code);
        let subject = format!("contest:{id}");
        let case = self
            .open_subject_case(
                w.conn(),
                actor,
                &SubjectCase {
                    process: RESULTS_PROCESS,
                    org_id: organiser,
                    title: &title,
                    data: &data,
                    subject: &subject,
                },
                now,
            )
            .await?;
        sqlx::query("UPDATE contests SET results_case_id = $1, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(case)
            .bind(now)
            .bind(id)
            .execute(w.conn())
            .await?;
        self.act_in(w.conn(), actor, case, &submit()).await?;
        w.audit(
            Note::new(action::UPDATE, "contest", id)
                .summary(format!("{}：结果公示（事项 {case}）", c.name)),
        )
        .await?;
        let after = sql::contest(w.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(after)
    }

    /// The results (provisional while on notice).
    pub async fn contest_results(&self, actor: &Actor, id: i64) -> Result<Vec<ResultRow>> {
        let mut conn = self.db.pool.acquire().await?;
        sql::visible(&mut conn, actor, id).await?;
        results(&mut conn, id).await
    }
}

/// One step up the ladder (an unrecorded level starts at 初级工).
fn next_level(level: Option<SkillLevel>) -> Option<SkillLevel> {
    match level {
        None => Some(SkillLevel::Junior),
        Some(l) => SkillLevel::ALL.get(l.rank() + 1).copied(),
    }
}

pub(super) async fn results(conn: &mut AnyConnection, id: i64) -> Result<Vec<ResultRow>> {
    let rows = sqlx::query(
        "SELECT x.worker_id, w.name, o.name, x.place, x.total_x100, x.award, x.honour, x.promoted_to, x.is_final, \
         x.designation_id, x.promotion_case_id, x.org_id FROM contest_results x JOIN workers w ON w.id = x.worker_id \
         JOIN orgs o ON o.id = x.org_id WHERE x.contest_id = $1 ORDER BY x.place, w.name",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ResultRow {
                worker_id: r.try_get(0)?,
                worker_name: r.try_get(1)?,
                org_id: r.try_get(11)?,
                org_name: r.try_get(2)?,
                rank: r.try_get(3)?,
                total: r.try_get::<Option<i64>, _>(4)?.map(|t| t as f64 / 100.0),
                award: r.try_get(5)?,
                honour: r.try_get(6)?,
                promoted_to: r.try_get(7)?,
                is_final: r.try_get::<i64, _>(8)? != 0,
                designation_id: r.try_get(9)?,
                promotion_case_id: r.try_get(10)?,
            })
        })
        .collect()
}

fn contest_id(subject: &str) -> Option<i64> {
    subject.split(':').nth(1)?.parse().ok()
}

/// Keeps the contest in step with its results case: on notice; a return, rejection or
/// withdrawal takes the provisional results off and re-opens the lock.
pub(crate) async fn sync_results(
    conn: &mut AnyConnection,
    case: &Case,
    subject: &str,
    _actor: &Actor,
    now: i64,
) -> Result<()> {
    let Some(id) = contest_id(subject) else {
        return Ok(());
    };
    match case.status.as_str() {
        "notice" => {
            sqlx::query("UPDATE contests SET status = 'notice', version = version + 1, updated_at = $1 WHERE id = $2 AND status = 'locked'")
                .bind(now)
                .bind(id)
                .execute(conn)
                .await?;
        }
        "returned" | "rejected" | "withdrawn" => {
            sqlx::query("DELETE FROM contest_results WHERE contest_id = $1 AND is_final = 0")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            sqlx::query("UPDATE contests SET status = 'locked', results_case_id = NULL, version = version + 1, updated_at = $1 WHERE id = $2 AND status = 'notice'")
                .bind(now)
                .bind(id)
                .execute(conn)
                .await?;
        }
        _ => {}
    }
    Ok(())
}

/// Approval after the notice: the results become final, the honours are written into
/// the registry at the contest's level, and each promoted winner's promotion case is
/// opened and submitted to 人社.
pub(crate) async fn approve_results(
    svc: &Service,
    conn: &mut AnyConnection,
    actor: &Actor,
    case: &Case,
    _data: &BTreeMap<String, String>,
    now: i64,
) -> Result<Option<String>> {
    let id = case
        .subject
        .as_deref()
        .and_then(contest_id)
        .ok_or(StoreError::NotFound)?;
    let c = sql::contest(conn, id).await?.ok_or(StoreError::NotFound)?;
    let rows = sqlx::query(
        "SELECT x.id, x.worker_id, w.name, x.org_id, x.honour, x.promoted_to, w.skill_level, x.place FROM contest_results x \
         JOIN workers w ON w.id = x.worker_id WHERE x.contest_id = $1 AND x.is_final = 0 ORDER BY x.place",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let orgs: BTreeSet<i64> = rows
        .iter()
        .filter_map(|r| r.try_get::<i64, _>(3).ok())
        .chain(c.organiser_org_id)
        .collect();
    let mut snaps = Vec::new();
    for o in &orgs {
        snaps.push(indicators::snapshot(conn, *o).await?);
    }
    for r in &rows {
        let result: i64 = r.try_get(0)?;
        let worker: i64 = r.try_get(1)?;
        let name: String = r.try_get(2)?;
        let org: i64 = r.try_get(3)?;
        if let Some(h) = r
            .try_get::<Option<String>, _>(4)?
            .as_deref()
            .and_then(Honour::from_any)
        {
            if h != Honour::NoHonour {
                let d = NewDesignation {
                    dtype: h.code().to_string(),
                    level: c.level.clone(),
                    year: c.year,
                    holder_org_id: org,
                    holder_worker_id: worker,
                    holder_name: Some(name.clone()),
                    document_no: Some(c.code.clone()),
                };
                let did = match designations::id_by_key(conn, &d).await? {
                    Some(d) => d,
                    None => designations::insert(conn, &d, now).await?,
                };
                sqlx::query("UPDATE contest_results SET designation_id = $1 WHERE id = $2")
                    .bind(did)
                    .bind(result)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        if let Some(to) = r
            .try_get::<Option<String>, _>(5)?
            .as_deref()
            .and_then(SkillLevel::parse)
        {
            let from = r.try_get::<Option<String>, _>(6)?;
            let mut data = BTreeMap::new();
            data.insert("worker_name".to_string(), name.clone());
            if let Some(f) = from {
                data.insert("from_level".into(), f);
            }
            data.insert("to_level".into(), to.code().into());
            data.insert(
                "certificate_no".into(),
                format!("{}-{}", c.code, r.try_get::<i64, _>(7)?),
            );
            data.insert("source".into(), "contest".into());
            let title = format!("{name} 晋升{}（以赛促评·{}）", to.label_zh(), c.code);
            let subject = format!("contest_promotion:{id}:{result}");
            let pc = svc
                .start_subject_case(
                    conn,
                    actor,
                    &SubjectCase {
                        process: PROMOTION_PROCESS,
                        org_id: org,
                        title: &title,
                        data: &data,
                        subject: &subject,
                    },
                    now,
                )
                .await?;
            sqlx::query("UPDATE contest_results SET promotion_case_id = $1 WHERE id = $2")
                .bind(pc)
                .bind(result)
                .execute(&mut *conn)
                .await?;
        }
    }
    sqlx::query("UPDATE contest_results SET is_final = 1, updated_at = $1 WHERE contest_id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE contests SET status = 'closed', version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for s in snaps {
        indicators::settle(conn, s).await?;
    }
    Note::new(action::UPDATE, "contest", id)
        .summary(format!(
            "{}：结果公示期满，经审定生效（{} 名选手）",
            c.name,
            rows.len()
        ))
        .write(conn, actor, now)
        .await?;
    Ok(Some(format!("/contests/{id}")))
}

/// A winner's promotion approved: the level rises, as for any promotion.
pub(crate) async fn approve_promotion(
    _svc: &Service,
    conn: &mut AnyConnection,
    actor: &Actor,
    case: &Case,
    data: &BTreeMap<String, String>,
    now: i64,
) -> Result<Option<String>> {
    let result: i64 = case
        .subject
        .as_deref()
        .and_then(|s| s.rsplit(':').next())
        .and_then(|t| t.parse().ok())
        .ok_or(StoreError::NotFound)?;
    let r = sqlx::query("SELECT x.worker_id, w.name FROM contest_results x JOIN workers w ON w.id = x.worker_id WHERE x.id = $1")
        .bind(result)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let name: String = r.try_get(1)?;
    raise_level(
        conn,
        actor,
        &Promoted {
            source: "contest",
            worker_id: r.try_get(0)?,
            worker_name: &name,
            on: None,
            case_id: case.id,
        },
        data,
        now,
    )
    .await
}

/// The page of a contest's record for both subject forms (`contest:<id>`,
/// `contest_promotion:<id>:<result>` after the prefix).
pub fn promotion_page(key: &str) -> Option<String> {
    let id: i64 = key.split(':').next()?.parse().ok()?;
    Some(format!("/contests/{id}#results"))
}
