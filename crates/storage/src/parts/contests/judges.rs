//! Use cases: the judging panel, and the recusals the organisation tree requires.
use super::sql;
use super::{Judge, JudgeInput, Recusal};
use crate::audit::{action, Note};
use crate::error::{Result, StoreError};
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::{Code, FieldError, Rule};
use sqlx::{AnyConnection, Row};

/// The tree relates a judge (`u`, their organisation `jo`) to an entrant's organisation
/// (`eo`): the same organisation, one inside the other (an enterprise and its park), the
/// same town, or a judge's account attached to the entrant's district or town.
const RELATED: &str = "(jo.id = eo.id \
    OR EXISTS (SELECT 1 FROM org_closure oc WHERE (oc.ancestor_id = jo.id AND oc.descendant_id = eo.id) \
               OR (oc.ancestor_id = eo.id AND oc.descendant_id = jo.id)) \
    OR (jo.region_l3 IS NOT NULL AND jo.region_l3 = eo.region_l3) \
    OR (u.region_code IS NOT NULL AND (u.region_code = eo.region_l2 OR u.region_code = eo.region_l3)))";

const REASON: &str = "CASE WHEN jo.id = eo.id THEN '与选手同属一个单位' \
    WHEN jo.region_l3 IS NOT NULL AND jo.region_l3 = eo.region_l3 THEN '与选手单位同在一个镇（街道）' \
    WHEN u.region_code IS NOT NULL AND (u.region_code = eo.region_l2 OR u.region_code = eo.region_l3) THEN '评委账号隶属选手所在区域' \
    ELSE '与选手单位属同一园区或上下级单位' END";

/// Records every recusal the tree requires between the contest's judges and entries
/// (restricted to one judge or one entry); returns how many were added.
pub(super) async fn record_recusals(
    conn: &mut AnyConnection,
    contest: i64,
    judge: Option<i64>,
    entry: Option<i64>,
    now: i64,
) -> Result<u64> {
    let mut q = format!(
        "INSERT INTO contest_recusals (contest_id, user_id, entry_id, reason, created_at) \
         SELECT e.contest_id, u.id, e.id, {REASON}, $2 FROM contest_entries e JOIN orgs eo ON eo.id = e.org_id \
         JOIN contest_judges j ON j.contest_id = e.contest_id JOIN users u ON u.id = j.user_id \
         LEFT JOIN orgs jo ON jo.id = u.org_id \
         WHERE e.contest_id = $1 AND {RELATED} \
         AND NOT EXISTS (SELECT 1 FROM contest_recusals x WHERE x.user_id = u.id AND x.entry_id = e.id)"
    );
    if judge.is_some() {
        q.push_str(" AND u.id = $3");
    }
    if entry.is_some() {
        q.push_str(if judge.is_some() {
            " AND e.id = $4"
        } else {
            " AND e.id = $3"
        });
    }
    let mut query = sqlx::query(&q).bind(contest).bind(now);
    if let Some(j) = judge {
        query = query.bind(j);
    }
    if let Some(e) = entry {
        query = query.bind(e);
    }
    Ok(query.execute(conn).await?.rows_affected())
}

/// Refuses a judge recused from an entry: 403 `conflict_of_interest`.
pub(super) async fn check_not_recused(
    conn: &mut AnyConnection,
    judge: i64,
    entry: i64,
    worker_name: &str,
) -> Result<()> {
    let r = sqlx::query("SELECT reason FROM contest_recusals WHERE user_id = $1 AND entry_id = $2")
        .bind(judge)
        .bind(entry)
        .fetch_optional(conn)
        .await?;
    match r {
        Some(r) => {
            let reason: String = r.try_get(0)?;
            Err(StoreError::denied(
                Code::ConflictOfInterest,
                format!("您{reason}，应当回避，不能为选手{worker_name}评分（回避已记录）"),
                format!("you are related to the entrant {worker_name} ({reason}) and must recuse; the recusal is recorded"),
            ))
        }
        None => Ok(()),
    }
}

async fn panel(conn: &mut AnyConnection, contest: i64) -> Result<Vec<Judge>> {
    let rows = sqlx::query(
        "SELECT u.id, u.username, u.display_name, \
         (SELECT COUNT(*) FROM contest_recusals x WHERE x.contest_id = j.contest_id AND x.user_id = u.id) AS recusals \
         FROM contest_judges j JOIN users u ON u.id = j.user_id WHERE j.contest_id = $1 ORDER BY j.id",
    )
    .bind(contest)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Judge {
                user_id: r.try_get(0)?,
                username: r.try_get(1)?,
                display_name: r.try_get(2)?,
                recusals: r.try_get(3)?,
            })
        })
        .collect()
}

impl Service {
    /// The panel, and the recusals recorded.
    pub async fn contest_judges(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(Vec<Judge>, Vec<Recusal>)> {
        let mut conn = self.db.pool.acquire().await?;
        sql::visible(&mut conn, actor, id).await?;
        let judges = panel(&mut conn, id).await?;
        let rows = sqlx::query(
            "SELECT x.user_id, u.display_name, x.entry_id, w.name, x.reason, x.created_at FROM contest_recusals x \
             JOIN users u ON u.id = x.user_id JOIN contest_entries e ON e.id = x.entry_id \
             JOIN workers w ON w.id = e.worker_id WHERE x.contest_id = $1 ORDER BY x.id LIMIT 1000",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let recusals = rows
            .iter()
            .map(|r| {
                Ok(Recusal {
                    user_id: r.try_get(0)?,
                    judge_name: r.try_get(1)?,
                    entry_id: r.try_get(2)?,
                    worker_name: r.try_get(3)?,
                    reason: r.try_get(4)?,
                    created_at: r.try_get(5)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok((judges, recusals))
    }

    /// Adds an expert account to the panel; the recusals the tree requires against the
    /// entrants so far are recorded at once (and against later entrants as they come).
    pub async fn add_contest_judge(&self, actor: &Actor, id: i64, i: &JudgeInput) -> Result<Judge> {
        let mut w = self.write(actor).await?;
        let c = sql::run(w.conn(), actor, id).await?;
        sql::expect_status(
            &c,
            &["draft", "in_review", "open"],
            "成绩锁定后不能再调整评委",
            "the panel cannot change once the marks are locked",
        )?;
        let name = i.username.trim();
        let u = sqlx::query(
            "SELECT id, role, display_name FROM users WHERE username = $1 AND disabled = 0",
        )
        .bind(name)
        .fetch_optional(w.conn())
        .await?
        .filter(|r| r.try_get::<String, _>(1).ok().as_deref() == Some("expert"))
        .ok_or_else(|| {
            StoreError::invalid(FieldError::new(
                "username",
                Rule::UnknownValue,
                format!("“{name}”不是在用的专家账号"),
                format!("'{name}' is not an active expert account"),
            ))
        })?;
        let uid: i64 = u.try_get(0)?;
        let display: String = u.try_get(2)?;
        let now = w.now;
        let n = sqlx::query(
            "INSERT INTO contest_judges (contest_id, user_id, created_at) SELECT $1, $2, $3 \
             WHERE NOT EXISTS (SELECT 1 FROM contest_judges WHERE contest_id = $1 AND user_id = $2)",
        )
        .bind(id)
        .bind(uid)
        .bind(now)
        .execute(w.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::invalid(FieldError::new(
                "username",
                Rule::Duplicate,
                format!("{display}已在评委名单中"),
                format!("{display} is on the panel already"),
            )));
        }
        let recused = record_recusals(w.conn(), id, Some(uid), None, now).await?;
        w.audit(
            Note::new(action::CREATE, "contest_judge", id).summary(format!(
                "{}：评委 {display}（回避 {recused} 名选手）",
                c.name
            )),
        )
        .await?;
        crate::notify::notify(
            w.conn(),
            &[uid],
            &format!("您已受邀担任“{}”评委", c.name),
            &format!("/contests/{id}"),
            now,
        )
        .await?;
        let j = panel(w.conn(), id)
            .await?
            .into_iter()
            .find(|j| j.user_id == uid)
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(j)
    }

    /// Takes a judge off the panel, while they have marked nothing.
    pub async fn remove_contest_judge(&self, actor: &Actor, id: i64, user: i64) -> Result<()> {
        let mut w = self.write(actor).await?;
        let c = sql::run(w.conn(), actor, id).await?;
        let marked = sqlx::query("SELECT 1 FROM contest_marks WHERE contest_id = $1 AND (judge_id = $2 OR entered_by = $2)")
            .bind(id)
            .bind(user)
            .fetch_optional(w.conn())
            .await?
            .is_some();
        if marked {
            return Err(StoreError::conflict(
                Code::ContestState,
                Some("user"),
                "该评委已有评分记录，不能移出评委名单",
                "the judge has marked already and stays on the panel",
            ));
        }
        let n = sqlx::query("DELETE FROM contest_judges WHERE contest_id = $1 AND user_id = $2")
            .bind(id)
            .bind(user)
            .execute(w.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM contest_recusals WHERE contest_id = $1 AND user_id = $2")
            .bind(id)
            .bind(user)
            .execute(w.conn())
            .await?;
        w.audit(
            Note::new(action::DELETE, "contest_judge", id)
                .summary(format!("{}：移出评委 {user}", c.name)),
        )
        .await?;
        w.commit().await
    }
}
