//! Use cases: registering studios and their members.
use super::{Studio, StudioFilter, StudioInput, StudioMember, StudioMemberInput};
use crate::access::{self, Permission};
use crate::audit::{action, Note};
use crate::designations::{self, NewDesignation};
use crate::error::{Result, StoreError};
use crate::orgs;
use crate::scope::Actor;
use crate::service::Service;
use crate::Page;
use gongjiang_domain::studios::{check_studio, leader_without_title, StudioDraft, LEADER_TITLES};
use gongjiang_domain::{FieldError, Rule};
use sqlx::{AnyConnection, Row};

const STUDIO: &str = "SELECT s.id, s.name, s.org_id, o.name, s.leader_worker_id, w.name, s.level, s.founded, s.designation_id, \
     s.status, (SELECT COUNT(*) FROM studio_members m WHERE m.studio_id = s.id), s.version \
     FROM studios s JOIN orgs o ON o.id = s.org_id JOIN workers w ON w.id = s.leader_worker_id";

fn studio_row(r: &sqlx::any::AnyRow) -> Result<Studio> {
    Ok(Studio {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        org_id: r.try_get(2)?,
        org_name: r.try_get(3)?,
        leader_worker_id: r.try_get(4)?,
        leader_name: r.try_get(5)?,
        level: r.try_get(6)?,
        founded: r.try_get(7)?,
        designation_id: r.try_get(8)?,
        status: r.try_get(9)?,
        members: r.try_get(10)?,
        version: r.try_get(11)?,
    })
}

/// Who reads studios: every register reader, and the experts who score their reviews.
fn check_read(actor: &Actor) -> Result<()> {
    if access::may(actor, Permission::ReadRegisters) {
        return Ok(());
    }
    access::check(actor, Permission::ScoreAsExpert)
}

/// A studio by id: every register reader sees every studio (404 otherwise).
pub(super) async fn studio(conn: &mut AnyConnection, actor: &Actor, id: i64) -> Result<Studio> {
    check_read(actor).map_err(|_| StoreError::NotFound)?;
    let r = sqlx::query(&format!("{STUDIO} WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    studio_row(&r)
}

/// A studio the actor keeps: its enterprise's own accounts or region staff of its area
/// (404 outside the actor's scope).
async fn kept(conn: &mut AnyConnection, actor: &Actor, id: i64) -> Result<Studio> {
    let s = studio(conn, actor, id).await?;
    orgs::get(conn, &actor.write_scope(), s.org_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    access::check(actor, Permission::KeepStudio { org_id: s.org_id })?;
    Ok(s)
}

impl Service {
    /// Studios, by level then name.
    pub async fn list_studios(&self, actor: &Actor, f: &StudioFilter) -> Result<Page<Studio>> {
        check_read(actor)?;
        let mut conn = self.db.pool.acquire().await?;
        let mut w = crate::sql::Sql::new(" WHERE 1 = 1");
        if let Some(l) = f.level.as_deref().filter(|l| !l.is_empty()) {
            w.push(" AND s.level = ").bind_text(l);
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            w.contains_any(&["s.name", "o.name"], q);
        }
        crate::sql::page_of(
            &mut conn,
            (
                "SELECT COUNT(*) FROM studios s JOIN orgs o ON o.id = s.org_id",
                STUDIO,
            ),
            &w,
            " ORDER BY CASE s.level WHEN 'national' THEN 0 WHEN 'province' THEN 1 \
             WHEN 'city' THEN 2 ELSE 3 END, s.name",
            crate::sql::paging(f.page, f.per_page),
            studio_row,
        )
        .await
    }

    /// One studio.
    pub async fn get_studio(&self, actor: &Actor, id: i64) -> Result<Studio> {
        let mut conn = self.db.pool.acquire().await?;
        studio(&mut conn, actor, id).await
    }

    /// Whether the actor keeps a studio (for the console's forms).
    pub async fn keeps_studio(&self, actor: &Actor, id: i64) -> Result<bool> {
        let mut conn = self.db.pool.acquire().await?;
        Ok(kept(&mut conn, actor, id).await.is_ok())
    }

    /// The active studios of an enterprise (named by id or 统一社会信用代码, inside the
    /// actor's write scope; a unit's own): (id, name), for a form's studio select. An
    /// unknown enterprise has none.
    pub async fn studios_of(&self, actor: &Actor, org: &str) -> Result<Vec<(i64, String)>> {
        let mut conn = self.db.pool.acquire().await?;
        let Ok(o) = orgs::acting_for(&mut conn, actor, Some(org)).await else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT id, name FROM studios WHERE org_id = $1 AND status = 'active' ORDER BY name",
        )
        .bind(o.id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// A studio's members.
    pub async fn studio_members(&self, actor: &Actor, id: i64) -> Result<Vec<StudioMember>> {
        let mut conn = self.db.pool.acquire().await?;
        studio(&mut conn, actor, id).await?;
        let rows = sqlx::query(
            "SELECT w.id, w.name, w.occupation, w.skill_level FROM studio_members m JOIN workers w ON w.id = m.worker_id \
             WHERE m.studio_id = $1 ORDER BY m.id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StudioMember {
                    worker_id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    occupation: r.try_get(2)?,
                    skill_level: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// Registers a studio; its designation is linked or written.
    pub async fn create_studio(&self, actor: &Actor, i: &StudioInput) -> Result<Studio> {
        let f = check_studio(&StudioDraft {
            name: i.name.clone(),
            level: i.level.clone(),
            founded: i.founded,
        })
        .map_err(StoreError::Invalid)?;
        let mut w = self.write(actor).await?;
        let org = orgs::acting_for(w.conn(), actor, i.org.as_deref()).await?;
        access::check(actor, Permission::KeepStudio { org_id: org.id })?;
        let leader = self
            .find_worker(w.conn(), &actor.write_scope(), &i.leader)
            .await?
            .filter(|l| l.org_id == org.id)
            .ok_or_else(|| {
                StoreError::invalid(FieldError::new(
                    "leader",
                    Rule::UnknownValue,
                    format!("领办人“{}”不是{}的在册职工", i.leader.trim(), org.name),
                    format!(
                        "leader '{}' is not a registered worker of {}",
                        i.leader.trim(),
                        org.name
                    ),
                ))
            })?;
        let titled = sqlx::query(&format!(
            "SELECT 1 FROM designations WHERE holder_worker_id = $1 AND dtype IN ('{}')",
            LEADER_TITLES.join("', '")
        ))
        .bind(leader.id)
        .fetch_optional(w.conn())
        .await?
        .is_some();
        if !titled {
            return Err(StoreError::invalid(leader_without_title(&leader.name)));
        }
        if sqlx::query("SELECT 1 FROM studios WHERE org_id = $1 AND name = $2")
            .bind(org.id)
            .bind(&f.name)
            .fetch_optional(w.conn())
            .await?
            .is_some()
        {
            return Err(StoreError::invalid(FieldError::new(
                "name",
                Rule::Duplicate,
                format!("{}已有名为“{}”的工作室", org.name, f.name),
                format!("{} has a studio named '{}' already", org.name, f.name),
            )));
        }
        let now = w.now;
        let snap = crate::indicators::snapshot(w.conn(), org.id).await?;
        let existing: Option<i64> = sqlx::query(
            "SELECT d.id FROM designations d WHERE d.dtype = 'innovation_studio' AND d.level = $1 AND d.holder_org_id = $2 \
             AND d.id NOT IN (SELECT designation_id FROM studios WHERE designation_id IS NOT NULL) ORDER BY d.year, d.id",
        )
        .bind(f.level.code())
        .bind(org.id)
        .fetch_optional(w.conn())
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
        let designation = match existing {
            Some(d) => d,
            None => {
                let d = NewDesignation {
                    dtype: "innovation_studio".into(),
                    level: f.level.code().into(),
                    year: f.founded,
                    holder_org_id: org.id,
                    holder_worker_id: 0,
                    holder_name: Some(f.name.clone()),
                    document_no: None,
                };
                match designations::id_by_key(w.conn(), &d).await? {
                    Some(id) => id,
                    None => designations::insert(w.conn(), &d, now).await?,
                }
            }
        };
        let id: i64 = sqlx::query(
            "INSERT INTO studios (name, org_id, leader_worker_id, level, founded, designation_id, status, created_by, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, 1, $8, $8) RETURNING id",
        )
        .bind(&f.name)
        .bind(org.id)
        .bind(leader.id)
        .bind(f.level.code())
        .bind(f.founded)
        .bind(designation)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        // The leader is a member.
        sqlx::query(
            "INSERT INTO studio_members (studio_id, worker_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(leader.id)
        .bind(now)
        .execute(w.conn())
        .await?;
        crate::indicators::settle(w.conn(), snap).await?;
        let s = studio(w.conn(), actor, id).await?;
        w.audit(
            Note::new(action::CREATE, "studio", id)
                .summary(format!("{}（{}）", s.name, s.org_name))
                .after(&s),
        )
        .await?;
        w.commit().await?;
        Ok(s)
    }

    /// Adds a member: a registered worker of the studio's enterprise, once.
    pub async fn add_studio_member(
        &self,
        actor: &Actor,
        id: i64,
        i: &StudioMemberInput,
    ) -> Result<StudioMember> {
        let mut w = self.write(actor).await?;
        let s = kept(w.conn(), actor, id).await?;
        let found = self
            .find_worker(w.conn(), &actor.write_scope(), &i.worker)
            .await?
            .filter(|f| f.org_id == s.org_id)
            .ok_or_else(|| {
                StoreError::invalid(FieldError::new(
                    "worker",
                    Rule::UnknownValue,
                    format!("职工“{}”不是{}的在册职工", i.worker.trim(), s.org_name),
                    format!(
                        "worker '{}' is not registered at {}",
                        i.worker.trim(),
                        s.org_name
                    ),
                ))
            })?;
        if sqlx::query("SELECT 1 FROM studio_members WHERE studio_id = $1 AND worker_id = $2")
            .bind(id)
            .bind(found.id)
            .fetch_optional(w.conn())
            .await?
            .is_some()
        {
            return Err(StoreError::invalid(FieldError::new(
                "worker",
                Rule::Duplicate,
                format!("{}已是工作室成员", found.name),
                format!("{} is a member already", found.name),
            )));
        }
        let now = w.now;
        sqlx::query(
            "INSERT INTO studio_members (studio_id, worker_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(found.id)
        .bind(now)
        .execute(w.conn())
        .await?;
        w.audit(
            Note::new(action::CREATE, "studio_member", id)
                .summary(format!("{}：{}", s.name, found.name)),
        )
        .await?;
        w.commit().await?;
        Ok(StudioMember {
            worker_id: found.id,
            name: found.name,
            occupation: found.occupation,
            skill_level: found.level.map(|l| l.code().to_string()),
        })
    }
}
