//! Use cases: selection rounds — opened at one's own level, seen by every register reader.
use super::{CraftsmanRound, CraftsmanRoundInput, QuotaUse, RoundFilter};
use crate::access::{self, Permission};
use crate::audit::{action, Note};
use crate::error::{Result, StoreError};
use crate::scope::Actor;
use crate::service::Service;
use crate::Page;
use gongjiang_domain::craftsmen::{check_round, CraftsmanLevel, RoundDraft, TITLE_TYPE};
use sqlx::{AnyConnection, Row};

const ROUND: &str = "SELECT c.id, c.name, c.level, c.year, c.region_code, r.name, c.org_id, o.name, c.titles, c.quota, \
     c.closes_on, c.version, \
     (SELECT COUNT(*) FROM craftsman_nominations n WHERE n.round_id = c.id AND n.status NOT IN ('withdrawn', 'rejected')), \
     (SELECT COUNT(*) FROM craftsman_nominations n WHERE n.round_id = c.id AND n.status = 'approved') \
     FROM craftsman_rounds c LEFT JOIN regions r ON r.code = c.region_code LEFT JOIN orgs o ON o.id = c.org_id";

fn round_row(r: &sqlx::any::AnyRow) -> Result<CraftsmanRound> {
    let level: String = r.try_get(2)?;
    Ok(CraftsmanRound {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        title: CraftsmanLevel::from_any(&level)
            .map_or("", |l| l.title(false))
            .to_string(),
        level,
        year: r.try_get(3)?,
        region_code: r.try_get(4)?,
        region_name: r.try_get(5)?,
        org_id: r.try_get(6)?,
        org_name: r.try_get(7)?,
        titles: r.try_get(8)?,
        quota: r.try_get(9)?,
        closes_on: r.try_get(10)?,
        version: r.try_get(11)?,
        nominations: r.try_get(12)?,
        approved: r.try_get(13)?,
    })
}

/// Who reads rounds: every register reader, and the experts who score nominations.
fn check_read(actor: &Actor) -> Result<()> {
    if access::may(actor, Permission::ReadRegisters) {
        return Ok(());
    }
    access::check(actor, Permission::ScoreAsExpert)
}

/// A round by id, for any register reader or expert (404 otherwise).
pub(super) async fn round(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<CraftsmanRound> {
    check_read(actor).map_err(|_| StoreError::NotFound)?;
    let r = sqlx::query(&format!("{ROUND} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    round_row(&r)
}

impl Service {
    /// Rounds, newest first.
    pub async fn list_craftsman_rounds(
        &self,
        actor: &Actor,
        f: &RoundFilter,
    ) -> Result<Page<CraftsmanRound>> {
        check_read(actor)?;
        let mut conn = self.db.pool.acquire().await?;
        let level = f
            .level
            .as_deref()
            .filter(|l| !l.is_empty())
            .map(|l| CraftsmanLevel::from_any(l).map_or(l.to_string(), |l| l.code().into()));
        let mut w = crate::sql::Sql::new(" WHERE 1 = 1");
        if let Some(l) = level {
            w.push(" AND c.level = ").bind_text(l);
        }
        if let Some(y) = f.year.filter(|y| *y != 0) {
            w.push(" AND c.year = ").bind_int(y);
        }
        crate::sql::page_of(
            &mut conn,
            ("SELECT COUNT(*) FROM craftsman_rounds c", ROUND),
            &w,
            " ORDER BY c.year DESC, CASE c.level WHEN 'city' THEN 0 WHEN 'district' THEN 1 \
             WHEN 'town' THEN 2 ELSE 3 END, c.id DESC",
            crate::sql::paging(f.page, f.per_page),
            round_row,
        )
        .await
    }

    /// One round.
    pub async fn get_craftsman_round(&self, actor: &Actor, id: i64) -> Result<CraftsmanRound> {
        let mut conn = self.db.pool.acquire().await?;
        round(&mut conn, actor, id).await
    }

    /// How much of its quota each nominator of a round has used.
    pub async fn craftsman_quotas(&self, actor: &Actor, id: i64) -> Result<Vec<QuotaUse>> {
        let mut conn = self.db.pool.acquire().await?;
        let r = round(&mut conn, actor, id).await?;
        let rows = sqlx::query(
            "SELECT n.nominator, COUNT(*) FROM craftsman_nominations n WHERE n.round_id = $1 \
             AND n.status NOT IN ('withdrawn', 'rejected') GROUP BY n.nominator ORDER BY n.nominator",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::new();
        for row in rows {
            let nominator: String = row.try_get(0)?;
            out.push(QuotaUse {
                nominator_name: super::nominations::nominator_name(&mut conn, &nominator).await?,
                nominator,
                used: row.try_get(1)?,
                quota: r.quota,
            });
        }
        Ok(out)
    }

    /// Opens a round at the actor's own level (an enterprise round: the actor's own
    /// enterprise).
    pub async fn create_craftsman_round(
        &self,
        actor: &Actor,
        i: &CraftsmanRoundInput,
    ) -> Result<CraftsmanRound> {
        let f = check_round(&RoundDraft {
            name: i.name.clone(),
            level: i.level.clone(),
            year: i.year,
            titles: i.titles,
            quota: i.quota,
            closes_on: i.closes_on.clone(),
        })
        .map_err(StoreError::Invalid)?;
        access::check(
            actor,
            Permission::OpenCraftsmanRound {
                level: f.level.code(),
            },
        )?;
        let mut w = self.write(actor).await?;
        let (region, org) = match (f.level, actor.org_id) {
            (CraftsmanLevel::Enterprise, Some(org)) if access::bound_to_own_org(actor) => {
                let code: String = sqlx::query("SELECT region_code FROM orgs WHERE id = $1")
                    .bind(org)
                    .fetch_one(w.conn())
                    .await?
                    .try_get(0)?;
                (code, Some(org))
            }
            _ => match actor.region_code.clone() {
                Some(r) => (r, None),
                None => (
                    sqlx::query("SELECT code FROM regions WHERE level = 'city' ORDER BY code")
                        .fetch_one(w.conn())
                        .await?
                        .try_get(0)?,
                    None,
                ),
            },
        };
        let now = w.now;
        let id: i64 = sqlx::query(
            "INSERT INTO craftsman_rounds (name, level, year, region_code, org_id, titles, quota, closes_on, created_by, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10) RETURNING id",
        )
        .bind(&f.name)
        .bind(f.level.code())
        .bind(f.year)
        .bind(&region)
        .bind(org)
        .bind(f.titles)
        .bind(f.quota)
        .bind(f.closes_on.as_deref())
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        let r = round(w.conn(), actor, id).await?;
        w.audit(
            Note::new(action::CREATE, "craftsman_round", id)
                .summary(format!("{}（{}，{} 名）", r.name, r.title, r.titles))
                .after(&r),
        )
        .await?;
        w.commit().await?;
        Ok(r)
    }
}

/// Whether `worker` holds the title of `level` already.
pub(super) async fn holds(
    conn: &mut AnyConnection,
    worker: i64,
    level: CraftsmanLevel,
) -> Result<bool> {
    Ok(sqlx::query(
        "SELECT 1 FROM designations WHERE dtype = $1 AND level = $2 AND holder_worker_id = $3",
    )
    .bind(TITLE_TYPE)
    .bind(level.code())
    .bind(worker)
    .fetch_optional(conn)
    .await?
    .is_some())
}
