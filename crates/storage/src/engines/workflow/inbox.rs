//! What waits for a user: notifying reviewers and applicants, the case list, the
//! inbox, in-app notifications and deadline reminders.

use crate::access::{self, Inbox, Permission};
use crate::error::Result;
use crate::scope::Actor;
use crate::service::Service;
use crate::sql::{like_escape, Sql};
use crate::{now_ms, Page};
use gongjiang_domain::workflow::{Action, Status};
use gongjiang_domain::Role;
use sqlx::{AnyConnection, Row};

use super::sql::{from_row, SELECT};
use super::types::{Case, CaseFilter};
use super::DAY_MS;

impl Service {
    /// Tells the next reviewers that a case waits for them, and the applicant's contacts
    /// when it comes back to them or is decided.
    pub(super) async fn notify_for(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        c: &Case,
        action: Action,
        now: i64,
    ) -> Result<()> {
        let link = format!("/cases/{}", c.id);
        let at = c.position();
        let users = match at.status {
            Status::InReview | Status::Scoring | Status::Notice => {
                self.reviewers_of(conn, c).await?
            }
            Status::Returned | Status::Approved | Status::Rejected => {
                crate::notify::unit_contacts(conn, c.org_id).await?
            }
            _ => Vec::new(),
        };
        let msg = match at.status {
            Status::InReview => format!("待您审核：{}", c.title),
            Status::Notice => format!("公示中，待市产改办决定：{}", c.title),
            Status::Scoring => format!("待指派专家评审：{}", c.title),
            Status::Returned => format!("已退回修改：{}", c.title),
            Status::Approved => format!("已通过：{}", c.title),
            Status::Rejected => format!("未通过：{}", c.title),
            _ => format!("{}：{}", action.label(false), c.title),
        };
        crate::notify::notify(conn, &users, &msg, &link, now).await?;
        // The applicant hears of every step on the way (the unit's contacts and whoever
        // filed the case), in-app and — through the outbox — by e-mail where configured.
        if matches!(
            at.status,
            Status::InReview | Status::Scoring | Status::Notice
        ) {
            let mut applicant = crate::notify::unit_contacts(conn, c.org_id).await?;
            for u in [c.created_by, c.submitted_by].into_iter().flatten() {
                if !applicant.contains(&u) {
                    applicant.push(u);
                }
            }
            // Not the one who moved it (they know), nor those told already.
            applicant.retain(|u| !users.contains(u) && Some(*u) != actor.user_id);
            let msg = match at.status {
                Status::InReview => format!("您的申报已进入“{}”：{}", c.step_label, c.title),
                Status::Scoring => format!("您的申报已进入专家评审：{}", c.title),
                _ => format!("您的申报已进入公示：{}", c.title),
            };
            crate::notify::notify(conn, &applicant, &msg, &link, now).await?;
        }
        Ok(())
    }

    /// The accounts that may act on a case now.
    pub(super) async fn reviewers_of(
        &self,
        conn: &mut AnyConnection,
        c: &Case,
    ) -> Result<Vec<i64>> {
        let Some(def) = c.def() else {
            return Ok(Vec::new());
        };
        let roles: Vec<String> = access::REVIEWING_ROLES
            .iter()
            .map(|r| format!("'{}'", r.code()))
            .collect();
        let rows = sqlx::query(&format!(
            "SELECT id, role, region_code FROM users WHERE role IN ({}) AND disabled = 0",
            roles.join(", ")
        ))
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let role: String = r.try_get(1)?;
            let region: Option<String> = r.try_get(2)?;
            let Some(role) = Role::from_any(&role) else {
                continue;
            };
            if access::account_reviews(role, region.as_deref(), def, c.position(), &c.path) {
                out.push(r.try_get(0)?);
            }
        }
        Ok(out)
    }

    /// Cases in the actor's area, newest first.
    pub async fn list_cases(&self, actor: &Actor, f: &CaseFilter, en: bool) -> Result<Page<Case>> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        let mut w = Sql::new(" WHERE 1 = 1");
        actor
            .read_scope()
            .org_filter_in(&mut conn, f.region.as_deref(), &mut w, "o")
            .await?;
        if let Some(p) = &f.process {
            w.push(" AND c.process = ").bind_text(p.clone());
        }
        if let Some(s) = &f.status {
            w.push(" AND c.status = ").bind_text(s.clone());
        }
        if let Some(o) = f.org_id {
            w.push(" AND c.org_id = ").bind_int(o);
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            w.push(" AND c.title LIKE ")
                .bind_text(format!("%{}%", like_escape(q)))
                .push(" ESCAPE '\\'");
        }
        let now = now_ms();
        crate::sql::page_of(
            &mut conn,
            (
                "SELECT COUNT(*) FROM wf_cases c JOIN orgs o ON o.id = c.org_id",
                SELECT,
            ),
            &w,
            " ORDER BY c.updated_at DESC, c.id DESC",
            (f.page, f.per_page),
            |r| from_row(r, en, now),
        )
        .await
    }

    /// What waits for the actor: cases at a step they review (most urgent first), and
    /// for a unit its drafts and returned cases.
    pub async fn inbox(&self, actor: &Actor, en: bool) -> Result<Vec<Case>> {
        let mut conn = self.db.pool.acquire().await?;
        let mut sql = Sql::new(&format!("{SELECT} WHERE "));
        match access::inbox(actor) {
            Inbox::OwnDrafts { org_id } => {
                sql.push("c.status IN ('draft', 'returned') AND c.org_id = ")
                    .bind_int(org_id);
            }
            Inbox::Everything => {
                sql.push("c.status IN ('in_review', 'scoring', 'notice')");
            }
            // Which steps are the department's is the process's rule (below).
            Inbox::DepartmentReview => {
                sql.push("c.status = 'in_review'");
            }
            Inbox::InReviewUnder { level, code } => {
                let column = if level == 2 {
                    "o.region_l2"
                } else {
                    "o.region_l3"
                };
                // In review at the level, or — for a process its level decides (a
                // district's own selection) — at the expert stage or on notice; the
                // process's rule decides below.
                sql.push(&format!(
                    "c.status IN ('in_review', 'scoring', 'notice') AND {column} = "
                ))
                .bind_text(code);
            }
            Inbox::ToScore { user_id } => {
                // Cases waiting for the expert's score.
                sql.push(
                    "c.status = 'scoring' AND c.id IN (SELECT case_id FROM wf_scores WHERE score_x100 IS NULL AND user_id = ",
                )
                .bind_int(user_id)
                .push(") ORDER BY c.due_at, c.id");
                let now = now_ms();
                let rows = sql.query().fetch_all(&mut *conn).await?;
                return rows.iter().map(|r| from_row(r, en, now)).collect();
            }
            Inbox::Nothing => return Ok(Vec::new()),
        }
        actor
            .read_scope()
            .resolve(&mut conn)
            .await?
            .org_filter(&mut sql, "o");
        sql.push(" ORDER BY c.due_at, c.id");
        let now = now_ms();
        let rows = sql.query().fetch_all(&mut *conn).await?;
        let mut out = Vec::new();
        for r in &rows {
            let c = from_row(r, en, now)?;
            let mine = match access::inbox(actor) {
                Inbox::OwnDrafts { .. } => true,
                _ => {
                    c.def()
                        .is_some_and(|d| access::reviews_case(actor, d, c.position(), &c.path))
                        && (actor.user_id.is_none() || actor.user_id != c.submitted_by)
                }
            };
            if mine {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// The actor's unread notifications (newest first) and how many there are.
    pub async fn notifications(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(i64, String, Option<String>, i64)>> {
        let Some(uid) = actor.user_id else {
            return Ok(Vec::new());
        };
        let mut conn = self.db.pool.acquire().await?;
        let rows = sqlx::query(
            "SELECT id, message, link, created_at FROM notifications WHERE user_id = $1 AND read_at IS NULL ORDER BY id DESC LIMIT 50",
        )
        .bind(uid)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect()
    }

    pub async fn mark_notifications_read(&self, actor: &Actor) -> Result<()> {
        let Some(uid) = actor.user_id else {
            return Ok(());
        };
        let mut w = self.write(actor).await?;
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(now_ms())
            .bind(uid)
            .execute(w.conn())
            .await?;
        w.commit().await?;
        Ok(())
    }

    /// Reminders before and after deadlines: a case due within two days, or overdue, and
    /// not yet reminded at this step, notifies its reviewers once. Returns how many cases
    /// were reminded. Run periodically by the server.
    pub async fn remind_deadlines(&self, now: i64) -> Result<usize> {
        let mut tx = self.db.begin().await?;
        let mut sql = Sql::new(&format!(
            "{SELECT} WHERE c.status IN ('in_review', 'scoring', 'notice') AND c.due_at IS NOT NULL AND c.due_at < "
        ));
        sql.bind_int(now + 2 * DAY_MS)
            .push(" AND (c.reminded_at IS NULL OR (c.reminded_at < c.due_at AND c.due_at < ")
            .bind_int(now)
            .push("))");
        let rows = sql.query().fetch_all(tx.conn()).await?;
        let cases = rows
            .iter()
            .map(|r| from_row(r, false, now))
            .collect::<Result<Vec<_>>>()?;
        for c in &cases {
            let msg = if c.overdue {
                format!("已逾期，请尽快办理：{}", c.title)
            } else {
                format!("即将到期（两日内），请及时办理：{}", c.title)
            };
            let mut users = self.reviewers_of(tx.conn(), c).await?;
            // In expert scoring, the experts who have not scored yet too.
            let pending: Vec<i64> = sqlx::query_scalar(
                "SELECT user_id FROM wf_scores WHERE case_id = $1 AND score_x100 IS NULL",
            )
            .bind(c.id)
            .fetch_all(tx.conn())
            .await?;
            users.extend(pending);
            crate::notify::notify(tx.conn(), &users, &msg, &format!("/cases/{}", c.id), now)
                .await?;
            sqlx::query("UPDATE wf_cases SET reminded_at = $1 WHERE id = $2")
                .bind(now)
                .bind(c.id)
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await?;
        Ok(cases.len())
    }
}
