//! Use cases: marks. A judge's own score on a judgement aspect (0–3, three judges per
//! entrant and aspect, re-scored while flagged); a paper mark on a measurement aspect,
//! entered by one person and confirmed by another.
use super::sql::{self, mark_row, MARK};
use super::{AspectOut, Contest, ContestEntry, Mark, MarkInput};
use crate::access::{self, Permission};
use crate::audit::{action, Note};
use crate::error::{Result, StoreError};
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::contests::{AspectKind, JUDGES_PER_ASPECT};
use gongjiang_domain::{Code, FieldError, Rule};
use sqlx::{AnyConnection, Row};

/// What a mark is about, loaded and checked: the contest open with its scheme
/// published, the entrant and the aspect of this contest.
async fn target(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    entry: i64,
    aspect: i64,
) -> Result<(Contest, ContestEntry, AspectOut)> {
    let c = sql::visible(conn, actor, id).await?;
    if c.status == "locked" || c.status == "notice" || c.status == "closed" {
        return Err(StoreError::conflict(
            Code::ContestLocked,
            Some("status"),
            "成绩已锁定，不能再录入或修改成绩（如需更正，请主办方说明理由后解锁）",
            "the marks are locked; the organiser must unlock them, with a reason, to correct one",
        ));
    }
    sql::expect_status(&c, &["open"], "竞赛尚未开始", "the contest is not open")?;
    if !c.scheme_published {
        return Err(StoreError::conflict(
            Code::ContestState,
            Some("aspects"),
            "评分标准尚未发布，不能评分",
            "the marking scheme is not published yet",
        ));
    }
    let e = sql::entry(conn, id, entry).await?.ok_or_else(|| {
        StoreError::invalid(FieldError::new(
            "entry",
            Rule::UnknownValue,
            "该竞赛没有这名选手",
            "no such entrant in this contest",
        ))
    })?;
    let a = sql::aspects(conn, id)
        .await?
        .into_iter()
        .find(|a| a.id == aspect)
        .ok_or_else(|| {
            StoreError::invalid(FieldError::new(
                "aspect",
                Rule::UnknownValue,
                "该竞赛没有这个评分项",
                "no such aspect in this contest",
            ))
        })?;
    Ok((c, e, a))
}

async fn load(conn: &mut AnyConnection, id: i64) -> Result<Mark> {
    let r = sqlx::query(&format!("{MARK} WHERE id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    mark_row(&r)
}

impl Service {
    /// Every mark of a contest (for those who run or judge it).
    pub async fn contest_marks(&self, actor: &Actor, id: i64) -> Result<Vec<Mark>> {
        let mut conn = self.db.pool.acquire().await?;
        let c = sql::visible(&mut conn, actor, id).await?;
        if !sql::runs(&mut conn, actor, &c).await? && !sql::on_panel(&mut conn, actor, id).await? {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query(&format!(
            "{MARK} WHERE contest_id = $1 ORDER BY entry_id, aspect_id, judge_id"
        ))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(mark_row).collect()
    }

    /// Keeps a mark: a judge's score on a judgement aspect, or a paper mark (entered,
    /// awaiting confirmation) on a measurement aspect.
    pub async fn keep_mark(&self, actor: &Actor, id: i64, i: &MarkInput) -> Result<Mark> {
        let mut w = self.write(actor).await?;
        let m = keep(&mut w, actor, id, i).await?;
        w.commit().await?;
        Ok(m)
    }

    /// Keeps several marks (one entrant's marking sheet) in one transaction: all of
    /// them, or none when one is refused.
    pub async fn keep_marks(
        &self,
        actor: &Actor,
        id: i64,
        marks: &[MarkInput],
    ) -> Result<Vec<Mark>> {
        let mut w = self.write(actor).await?;
        let mut out = Vec::with_capacity(marks.len());
        for i in marks {
            out.push(keep(&mut w, actor, id, i).await?);
        }
        w.commit().await?;
        Ok(out)
    }

    /// Confirms a paper mark: someone other than the one who entered it.
    pub async fn confirm_mark(&self, actor: &Actor, id: i64, mark: i64) -> Result<Mark> {
        let mut w = self.write(actor).await?;
        let row = sqlx::query(&format!("{MARK} WHERE id = $1 AND contest_id = $2"))
            .bind(mark)
            .bind(id)
            .fetch_optional(w.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        let before = mark_row(&row)?;
        let (c, e, a) = target(w.conn(), actor, id, before.entry_id, before.aspect_id).await?;
        let on_panel = sql::on_panel(w.conn(), actor, c.id).await?;
        if !on_panel && !sql::runs(w.conn(), actor, &c).await? {
            return Err(StoreError::Forbidden);
        }
        if before.judge_id != 0 {
            return Err(StoreError::invalid(FieldError::new(
                "mark",
                Rule::Forbidden,
                "评价评分由评委本人给出，无需确认",
                "a judgement score is the judge's own and is not confirmed",
            )));
        }
        if before.confirmed_by.is_some() {
            return Err(StoreError::invalid(FieldError::new(
                "confirmed_by",
                Rule::Duplicate,
                "该成绩已经确认",
                "the mark is confirmed already",
            )));
        }
        if before.entered_by == actor.user_id {
            return Err(StoreError::invalid(FieldError::new(
                "confirmed_by",
                Rule::Forbidden,
                "成绩须由录入人以外的另一人确认（双人录入），您不能确认自己录入的成绩",
                "a mark is confirmed by someone other than the one who entered it (two-person entry)",
            )));
        }
        let now = w.now;
        let n = sqlx::query(
            "UPDATE contest_marks SET confirmed_by = $1, confirmed_at = $2, version = version + 1, updated_at = $2 \
             WHERE id = $3 AND version = $4 AND confirmed_by IS NULL",
        )
        .bind(actor.user_id)
        .bind(now)
        .bind(mark)
        .bind(before.version)
        .execute(w.conn())
        .await?
        .rows_affected();
        w.expect_one(n)?;
        let m = load(w.conn(), mark).await?;
        w.audit(
            Note::new(action::UPDATE, "contest_mark", mark).summary(format!(
                "{}：确认 {} · {} = {}",
                c.name, e.worker_name, a.name, m.value
            )),
        )
        .await?;
        w.commit().await?;
        Ok(m)
    }
}

/// One mark, inside the caller's transaction.
async fn keep(
    w: &mut crate::core::write::Write<'_>,
    actor: &Actor,
    id: i64,
    i: &MarkInput,
) -> Result<Mark> {
    let (c, e, a) = target(w.conn(), actor, id, i.entry, i.aspect).await?;
    let value = i
        .value
        .ok_or_else(|| StoreError::invalid(FieldError::required("value", "成绩", "Mark")))?;
    let rule = a.rule();
    let value = rule.check_mark(value).map_err(StoreError::invalid)?;
    let on_panel = sql::on_panel(w.conn(), actor, c.id).await?;
    let uid = actor.user_id.unwrap_or(0);
    if on_panel {
        super::judges::check_not_recused(w.conn(), uid, e.id, &e.worker_name).await?;
    }
    let now = w.now;
    let judge_id = match rule.kind {
        AspectKind::Judgement => {
            access::check(actor, Permission::JudgeContest { on_panel })?;
            let others: i64 = sqlx::query(
               "SELECT COUNT(*) FROM contest_marks WHERE entry_id = $1 AND aspect_id = $2 AND judge_id <> $3",
           )
           .bind(e.id)
           .bind(a.id)
           .bind(uid)
           .fetch_one(w.conn())
           .await?
           .try_get(0)?;
            if others >= JUDGES_PER_ASPECT as i64 {
                return Err(StoreError::invalid(FieldError::new(
                    "aspect",
                    Rule::Forbidden,
                    format!("“{}”已有三位评委为{}评分", a.name, e.worker_name),
                    format!(
                        "three judges have scored '{}' for {} already",
                        a.name, e.worker_name
                    ),
                )));
            }
            uid
        }
        AspectKind::Measurement => {
            if !on_panel && !sql::runs(w.conn(), actor, &c).await? {
                return Err(StoreError::Forbidden);
            }
            let confirmed = sqlx::query(
               "SELECT 1 FROM contest_marks WHERE entry_id = $1 AND aspect_id = $2 AND judge_id = 0 AND confirmed_by IS NOT NULL",
           )
           .bind(e.id)
           .bind(a.id)
           .fetch_optional(w.conn())
           .await?
           .is_some();
            if confirmed {
                return Err(StoreError::invalid(FieldError::new(
                    "value",
                    Rule::Forbidden,
                    format!("{}的“{}”成绩已经确认，不能再修改", e.worker_name, a.name),
                    format!(
                        "{}'s mark for '{}' is confirmed and cannot change",
                        e.worker_name, a.name
                    ),
                )));
            }
            0
        }
    };
    let v = sql::e4(value);
    // One row per entrant, aspect and judge: a second score replaces the first
    // (re-scoring), never adds to it.
    sqlx::query(
       "INSERT INTO contest_marks (contest_id, entry_id, aspect_id, judge_id, value_e4, entered_by, version, created_at, updated_at) \
        VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) \
        ON CONFLICT (entry_id, aspect_id, judge_id) DO UPDATE SET value_e4 = excluded.value_e4, \
        entered_by = excluded.entered_by, version = contest_marks.version + 1, updated_at = excluded.updated_at",
   )
   .bind(c.id)
   .bind(e.id)
   .bind(a.id)
   .bind(judge_id)
   .bind(v)
   .bind(actor.user_id)
   .bind(now)
   .execute(w.conn())
   .await?;
    let row = sqlx::query(&format!(
        "{MARK} WHERE entry_id = $1 AND aspect_id = $2 AND judge_id = $3"
    ))
    .bind(e.id)
    .bind(a.id)
    .bind(judge_id)
    .fetch_one(w.conn())
    .await?;
    let m = mark_row(&row)?;
    w.audit(
        Note::new(
            if m.version == 1 {
                action::CREATE
            } else {
                action::UPDATE
            },
            "contest_mark",
            m.id,
        )
        .summary(format!(
            "{}：{} · {} = {}",
            c.name, e.worker_name, a.name, m.value
        )),
    )
    .await?;
    Ok(m)
}
