//! Use cases: nominations — put forward by the level below within its subtree and quota,
//! run on the workflow engine, and the title written into the registry on approval.
use super::rounds::{holds, round};
use super::{CraftsmanRound, Nomination, NominationInput};
use crate::access::{self, Permission};
use crate::audit::{action, Note};
use crate::designations::{self, NewDesignation};
use crate::engines::workflow::{Case, SubjectCase};
use crate::error::{Result, StoreError};
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::craftsmen::{holds_title, over_quota, CraftsmanLevel, TITLE_TYPE};
use gongjiang_domain::{FieldError, Rule};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

const NOMINATION: &str = "SELECT n.id, n.round_id, n.worker_id, w.name, n.org_id, o.name, w.occupation, w.skill_level, \
     n.nominator, n.reason, n.case_id, n.status, n.designation_id, n.created_at \
     FROM craftsman_nominations n JOIN workers w ON w.id = n.worker_id JOIN orgs o ON o.id = n.org_id";

async fn nomination_row(conn: &mut AnyConnection, r: &sqlx::any::AnyRow) -> Result<Nomination> {
    let nominator: String = r.try_get(8)?;
    Ok(Nomination {
        id: r.try_get(0)?,
        round_id: r.try_get(1)?,
        worker_id: r.try_get(2)?,
        worker_name: r.try_get(3)?,
        org_id: r.try_get(4)?,
        org_name: r.try_get(5)?,
        occupation: r.try_get(6)?,
        skill_level: r.try_get(7)?,
        nominator_name: nominator_name(conn, &nominator).await?,
        nominator,
        reason: r.try_get(9)?,
        case_id: r.try_get(10)?,
        status: r.try_get(11)?,
        designation_id: r.try_get(12)?,
        created_at: r.try_get(13)?,
    })
}

/// The name of a nominator key: a region's, or `org:<id>`'s organisation's.
pub(super) async fn nominator_name(conn: &mut AnyConnection, key: &str) -> Result<String> {
    let row = match key.strip_prefix("org:").and_then(|i| i.parse::<i64>().ok()) {
        Some(org) => {
            sqlx::query("SELECT name FROM orgs WHERE id = $1")
                .bind(org)
                .fetch_optional(conn)
                .await?
        }
        None => {
            sqlx::query("SELECT name FROM regions WHERE code = $1")
                .bind(key)
                .fetch_optional(conn)
                .await?
        }
    };
    Ok(row
        .map(|r| r.try_get::<String, _>(0))
        .transpose()?
        .unwrap_or_else(|| key.to_string()))
}

/// Whether region `inner` lies in the subtree of region `outer`.
async fn within(conn: &mut AnyConnection, inner: &str, outer: &str) -> Result<bool> {
    Ok(crate::regions::path(conn, inner)
        .await?
        .iter()
        .any(|r| r.code == outer))
}

/// Who nominates for round `r` as `actor`: the nominator's key, or a refusal. The level
/// below the round's, inside the round's subtree.
async fn nominator(conn: &mut AnyConnection, actor: &Actor, r: &CraftsmanRound) -> Result<String> {
    access::check(
        actor,
        Permission::NominateCraftsman {
            round_level: &r.level,
        },
    )?;
    let key = match (
        access::bound_to_own_org(actor),
        actor.org_id,
        &actor.region_code,
    ) {
        (true, Some(org), _) => {
            let region: String = sqlx::query("SELECT region_code FROM orgs WHERE id = $1")
                .bind(org)
                .fetch_one(&mut *conn)
                .await?
                .try_get(0)?;
            let inside = match r.org_id {
                Some(own) => own == org,
                None => within(conn, &region, &r.region_code).await?,
            };
            if !inside {
                return Err(StoreError::Forbidden);
            }
            format!("org:{org}")
        }
        (_, _, Some(region)) if within(conn, region, &r.region_code).await? => region.clone(),
        _ => return Err(StoreError::Forbidden),
    };
    Ok(key)
}

/// Who acts as a nomination case's applicant: its nominator (the access module's
/// `ActForNomination`, from the process's level and the case's path).
pub(crate) fn acts_for_case(actor: &Actor, c: &Case) -> bool {
    access::may(
        actor,
        Permission::ActForNomination {
            round_level: c.process.strip_prefix("craftsman_").unwrap_or(""),
            district: c.path.district.as_deref(),
            town: c.path.town.as_deref(),
            org_id: c.org_id,
        },
    )
}

/// The page of a nomination, given the subject key after `craftsman:`.
pub fn subject_page(key: &str) -> Option<String> {
    let (round, id) = key.split_once('/')?;
    Some(format!(
        "/craftsmen/{}#n{}",
        round.parse::<i64>().ok()?,
        id.parse::<i64>().ok()?
    ))
}

fn subject_ids(subject: &str) -> Option<(i64, i64)> {
    crate::workflow::subject_pair(subject, "craftsman")
}

/// On approval: the title into the designation registry, at the round's level and year.
pub(crate) async fn approve_nomination(
    _svc: &Service,
    conn: &mut AnyConnection,
    _actor: &Actor,
    case: &Case,
    _data: &BTreeMap<String, String>,
    now: i64,
) -> Result<Option<String>> {
    let Some((round_id, id)) = case.subject.as_deref().and_then(subject_ids) else {
        return Ok(None);
    };
    let r = sqlx::query(
        "SELECT n.worker_id, n.org_id, w.name, c.level, c.year, c.name FROM craftsman_nominations n \
         JOIN workers w ON w.id = n.worker_id JOIN craftsman_rounds c ON c.id = n.round_id \
         WHERE n.id = $1 AND n.round_id = $2",
    )
    .bind(id)
    .bind(round_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let holder: i64 = r.try_get(1)?;
    let snap = crate::indicators::snapshot(conn, holder).await?;
    let d = NewDesignation {
        dtype: TITLE_TYPE.to_string(),
        level: r.try_get(3)?,
        year: r.try_get(4)?,
        holder_org_id: holder,
        holder_worker_id: r.try_get(0)?,
        holder_name: Some(r.try_get(2)?),
        document_no: Some(r.try_get(5)?),
    };
    let did = match designations::id_by_key(conn, &d).await? {
        Some(d) => d,
        None => designations::insert(conn, &d, now).await?,
    };
    sqlx::query(
        "UPDATE craftsman_nominations SET designation_id = $1, status = 'approved', version = version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(did)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    crate::indicators::settle(conn, snap).await?;
    Ok(Some(format!("/craftsmen/{round_id}#n{id}")))
}

impl Service {
    /// A round's nominations, in the order they came.
    pub async fn craftsman_nominations(&self, actor: &Actor, id: i64) -> Result<Vec<Nomination>> {
        let mut conn = self.db.pool.acquire().await?;
        round(&mut conn, actor, id).await?;
        let rows = sqlx::query(&format!("{NOMINATION} WHERE n.round_id = $1 ORDER BY n.id"))
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(nomination_row(&mut conn, r).await?);
        }
        Ok(out)
    }

    /// Whether the actor may nominate for a round (for the console's form).
    pub async fn may_nominate(&self, actor: &Actor, r: &CraftsmanRound) -> Result<bool> {
        let mut conn = self.db.pool.acquire().await?;
        Ok(nominator(&mut conn, actor, r).await.is_ok())
    }

    /// Nominates a worker: the level below the round's, inside its subtree and quota; the
    /// case goes to the round's own level for review (or straight to the experts).
    pub async fn nominate_craftsman(
        &self,
        actor: &Actor,
        id: i64,
        i: &NominationInput,
    ) -> Result<Nomination> {
        let mut w = self.write(actor).await?;
        let r = round(w.conn(), actor, id).await?;
        let level = CraftsmanLevel::from_any(&r.level).ok_or(StoreError::NotFound)?;
        let key = nominator(w.conn(), actor, &r).await?;
        let reason =
            gongjiang_domain::error::text("reason", ("主要事迹", "Reasons"), &i.reason, true, 5000)
                .map_err(StoreError::invalid)?
                .unwrap_or_default();
        let scope = actor.write_scope();
        let found = self
            .find_worker(w.conn(), &scope, &i.worker)
            .await?
            .ok_or_else(|| {
                StoreError::invalid(FieldError::new(
                    "worker",
                    Rule::UnknownValue,
                    format!(
                        "职工“{}”不在职工库中，或不在您的推荐范围内",
                        i.worker.trim()
                    ),
                    format!(
                        "worker '{}' is not registered in your area",
                        i.worker.trim()
                    ),
                ))
            })?;
        if holds(w.conn(), found.id, level).await? {
            return Err(StoreError::invalid(holds_title(&found.name, level)));
        }
        if sqlx::query("SELECT 1 FROM craftsman_nominations WHERE round_id = $1 AND worker_id = $2")
            .bind(id)
            .bind(found.id)
            .fetch_optional(w.conn())
            .await?
            .is_some()
        {
            return Err(StoreError::invalid(FieldError::new(
                "worker",
                Rule::Duplicate,
                format!("{}已在本批次被推荐", found.name),
                format!("{} is nominated in this round already", found.name),
            )));
        }
        let used: i64 = sqlx::query(
            "SELECT COUNT(*) FROM craftsman_nominations WHERE round_id = $1 AND nominator = $2 \
             AND status NOT IN ('withdrawn', 'rejected')",
        )
        .bind(id)
        .bind(&key)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        if let Some(e) = over_quota(used, r.quota) {
            return Err(StoreError::invalid(e));
        }
        let now = w.now;
        let nid: i64 = sqlx::query(
            "INSERT INTO craftsman_nominations (round_id, worker_id, org_id, nominator, reason, status, created_by, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'draft', $6, 1, $7, $7) RETURNING id",
        )
        .bind(id)
        .bind(found.id)
        .bind(found.org_id)
        .bind(&key)
        .bind(&reason)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        let mut data = BTreeMap::new();
        data.insert("year".to_string(), r.year.to_string());
        data.insert(
            "nomination".to_string(),
            format!(
                "评选批次：{}\n称号：{}\n被推荐人：{}（{}）\n主要事迹：{reason}",
                r.name,
                level.title(false),
                found.name,
                found.occupation.as_deref().unwrap_or("—"),
            ),
        );
        let title = format!("{}推荐：{}（{}）", level.title(false), found.name, r.name);
        let subject = format!("craftsman:{id}/{nid}");
        let case = self
            .start_subject_case(
                w.conn(),
                actor,
                &SubjectCase {
                    process: level.process(),
                    org_id: found.org_id,
                    title: &title,
                    data: &data,
                    subject: &subject,
                },
                now,
            )
            .await?;
        sqlx::query("UPDATE craftsman_nominations SET case_id = $1 WHERE id = $2")
            .bind(case)
            .bind(nid)
            .execute(w.conn())
            .await?;
        let row = sqlx::query(&format!("{NOMINATION} WHERE n.id = $1"))
            .bind(nid)
            .fetch_one(w.conn())
            .await?;
        let n = nomination_row(w.conn(), &row).await?;
        w.audit(
            Note::new(action::CREATE, "craftsman_nomination", nid)
                .summary(format!("{}：{}", r.name, n.worker_name))
                .after(&n),
        )
        .await?;
        w.commit().await?;
        Ok(n)
    }
}
