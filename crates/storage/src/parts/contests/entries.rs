//! Use cases: enter registered workers in a contest (eligibility checked), withdraw
//! them, and list the entrants the actor may see.
use super::sql::{self, entry_row, ENTRY};
use super::{ContestEntry, EntryInput};
use crate::access::{self, Permission};
use crate::audit::{action, Note};
use crate::error::{Result, StoreError};
use crate::scope::Actor;
use crate::service::Service;
use crate::sql::Sql;
use gongjiang_domain::contests::check_eligible;
use gongjiang_domain::{FieldError, Rule, SkillLevel};

impl Service {
    /// The entrants: all of them for those who run or judge the contest, otherwise those
    /// of the reader's area.
    pub async fn contest_entries(&self, actor: &Actor, id: i64) -> Result<Vec<ContestEntry>> {
        let mut conn = self.db.pool.acquire().await?;
        let c = sql::visible(&mut conn, actor, id).await?;
        let mut q = Sql::new(&format!("{ENTRY} WHERE e.contest_id = "));
        q.bind_int(id);
        if !sql::runs(&mut conn, actor, &c).await? && !sql::on_panel(&mut conn, actor, id).await? {
            actor
                .read_scope()
                .resolve(&mut conn)
                .await?
                .org_filter(&mut q, "o");
        }
        q.push(" ORDER BY o.name, w.name, e.id");
        let rows = q.query().fetch_all(&mut *conn).await?;
        rows.iter().map(entry_row).collect()
    }

    /// Enters a registered worker of the actor's area (a unit: its own), once; the
    /// worker's occupation must be the contest's and their level within its band.
    pub async fn enter_contest(
        &self,
        actor: &Actor,
        id: i64,
        i: &EntryInput,
    ) -> Result<ContestEntry> {
        access::check(actor, Permission::EnterContest)?;
        let mut w = self.write(actor).await?;
        let c = sql::visible(w.conn(), actor, id).await?;
        sql::expect_status(
            &c,
            &["open"],
            "竞赛尚未开始报名，或成绩已锁定",
            "the contest is not taking entries (not approved yet, or locked)",
        )?;
        let key = i.worker.trim();
        if key.is_empty() {
            return Err(StoreError::invalid(FieldError::required(
                "worker",
                "参赛职工",
                "Worker",
            )));
        }
        let found = self
            .find_worker(w.conn(), &actor.write_scope(), key)
            .await?
            .ok_or_else(|| {
                StoreError::invalid(FieldError::new(
                    "worker",
                    Rule::UnknownValue,
                    format!("职工“{key}”未在职工库登记，或不在您的管辖范围内"),
                    format!("worker '{key}' is not registered, or is outside your area"),
                ))
            })?;
        let band = (
            c.min_level.as_deref().and_then(SkillLevel::parse),
            c.max_level.as_deref().and_then(SkillLevel::parse),
        );
        check_eligible(
            &c.occupation,
            band,
            found.occupation.as_deref(),
            found.level,
        )
        .map_err(StoreError::invalid)?;
        let now = w.now;
        let n = sqlx::query(
            "INSERT INTO contest_entries (contest_id, worker_id, org_id, entered_by, created_at) SELECT $1, $2, $3, $4, $5 \
             WHERE NOT EXISTS (SELECT 1 FROM contest_entries WHERE contest_id = $1 AND worker_id = $2)",
        )
        .bind(id)
        .bind(found.id)
        .bind(found.org_id)
        .bind(actor.user_id)
        .bind(now)
        .execute(w.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::invalid(FieldError::new(
                "worker",
                Rule::Duplicate,
                format!("{}已报名该竞赛", found.name),
                format!("{} has entered this contest already", found.name),
            )));
        }
        let row = sqlx::query(&format!(
            "{ENTRY} WHERE e.contest_id = $1 AND e.worker_id = $2"
        ))
        .bind(id)
        .bind(found.id)
        .fetch_one(w.conn())
        .await?;
        let e = entry_row(&row)?;
        super::judges::record_recusals(w.conn(), id, None, Some(e.id), now).await?;
        w.audit(
            Note::new(action::CREATE, "contest_entry", e.id).summary(format!(
                "{}：{}（{}）报名",
                c.name, e.worker_name, e.org_name
            )),
        )
        .await?;
        w.commit().await?;
        Ok(e)
    }

    /// Withdraws an entrant before the lock (their marks go with them).
    pub async fn withdraw_entry(&self, actor: &Actor, id: i64, entry: i64) -> Result<()> {
        access::check(actor, Permission::EnterContest)?;
        let mut w = self.write(actor).await?;
        let c = sql::visible(w.conn(), actor, id).await?;
        let e = sql::entry(w.conn(), id, entry)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !sql::runs(w.conn(), actor, &c).await?
            && crate::orgs::get(w.conn(), &actor.write_scope(), e.org_id)
                .await?
                .is_none()
        {
            return Err(StoreError::NotFound);
        }
        sql::expect_status(
            &c,
            &["open"],
            "成绩锁定后不能退赛",
            "no withdrawals once the marks are locked",
        )?;
        for table in ["contest_marks", "contest_recusals"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE entry_id = $1"))
                .bind(entry)
                .execute(w.conn())
                .await?;
        }
        sqlx::query("DELETE FROM contest_entries WHERE id = $1")
            .bind(entry)
            .execute(w.conn())
            .await?;
        w.audit(
            Note::new(action::DELETE, "contest_entry", entry)
                .summary(format!("{}：{}退赛", c.name, e.worker_name))
                .before(&e),
        )
        .await?;
        w.commit().await
    }
}
