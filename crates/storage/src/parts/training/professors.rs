//! 产业教授 (issue #12, point 2): a professor is a 产业教授 designation held by a
//! registered worker (the one registry of titles); this part keeps their engagements — a
//! college, the courses taught or projects run, the hours of the year — and each year's
//! review (优秀 / 合格 / 不合格). Region staff keep them; whoever reads the worker sees
//! them on the worker's page. One engagement per professor, college and year.
use crate::access::{self, Permission};
use crate::audit::{action, Note};
use crate::error::{Result, StoreError};
use crate::orgs;
use crate::scope::{Actor, Resolved, Scope};
use crate::service::Service;
use crate::sql::Sql;
use crate::Page;
use gongjiang_domain::training::{check_engagement, EngagementDraft, EngagementReview};
use gongjiang_domain::{FieldError, OrgKind, Rule};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

/// A 产业教授: the designation and its holder, with the engagements' totals.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Professor {
    /// The designation's id.
    pub id: i64,
    pub level: String,
    /// The year of the title.
    pub year: i64,
    pub document_no: Option<String>,
    pub worker_id: i64,
    pub worker_name: String,
    pub worker_id_masked: String,
    pub org_id: i64,
    pub org_name: String,
    pub skill_level: Option<String>,
    /// Engagements on record, and their hours over all years.
    pub engagements: i64,
    pub hours: i64,
}

/// One year's engagement at a college.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Engagement {
    pub id: i64,
    pub designation_id: i64,
    pub worker_id: i64,
    pub college_org_id: i64,
    pub college_name: String,
    pub year: i64,
    pub courses: Option<String>,
    pub projects: Option<String>,
    pub hours: i64,
    /// excellent, pass or fail, once reviewed.
    pub review: Option<String>,
    pub review_note: Option<String>,
    pub version: i64,
}

/// An engagement as typed (the college by id or 统一社会信用代码).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EngagementInput {
    pub college: String,
    pub year: Option<i64>,
    pub courses: String,
    pub projects: String,
    pub hours: Option<i64>,
    /// 优秀 / 合格 / 不合格 (excellent, pass, fail); empty: not reviewed yet.
    pub review: Option<String>,
    pub review_note: Option<String>,
    /// The version read (changes); a stale one answers 409.
    pub version: Option<i64>,
}

/// Which professors to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ProfessorFilter {
    /// A region code: professors employed in that subtree.
    pub region: Option<String>,
    /// In the name or the employer's name.
    pub q: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

const PROFESSOR: &str = "SELECT d.id, d.level, d.year, d.document_no, w.id AS worker_id, w.name AS worker_name, \
    w.id_masked, o.id AS org_id, o.name AS org_name, w.skill_level, \
    (SELECT COUNT(*) FROM professor_engagements e WHERE e.designation_id = d.id) AS engagements, \
    CAST((SELECT COALESCE(SUM(e.hours), 0) FROM professor_engagements e WHERE e.designation_id = d.id) AS BIGINT) AS hours \
    FROM designations d JOIN workers w ON w.id = d.holder_worker_id JOIN orgs o ON o.id = w.org_id \
    WHERE d.dtype = 'industry_professor'";

fn professor_row(r: &sqlx::any::AnyRow) -> Result<Professor> {
    Ok(Professor {
        id: r.try_get("id")?,
        level: r.try_get("level")?,
        year: r.try_get("year")?,
        document_no: r.try_get("document_no")?,
        worker_id: r.try_get("worker_id")?,
        worker_name: r.try_get("worker_name")?,
        worker_id_masked: r.try_get("id_masked")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        skill_level: r.try_get("skill_level")?,
        engagements: r.try_get("engagements")?,
        hours: r.try_get("hours")?,
    })
}

const ENGAGEMENT: &str =
    "SELECT e.id, e.designation_id, e.worker_id, e.college_org_id, c.name AS college_name, \
    e.year, e.courses, e.projects, e.hours, e.review, e.review_note, e.version \
    FROM professor_engagements e JOIN orgs c ON c.id = e.college_org_id";

fn engagement_row(r: &sqlx::any::AnyRow) -> Result<Engagement> {
    Ok(Engagement {
        id: r.try_get("id")?,
        designation_id: r.try_get("designation_id")?,
        worker_id: r.try_get("worker_id")?,
        college_org_id: r.try_get("college_org_id")?,
        college_name: r.try_get("college_name")?,
        year: r.try_get("year")?,
        courses: r.try_get("courses")?,
        projects: r.try_get("projects")?,
        hours: r.try_get("hours")?,
        review: r.try_get("review")?,
        review_note: r.try_get("review_note")?,
        version: r.try_get("version")?,
    })
}

async fn professor_in(
    conn: &mut AnyConnection,
    scope: &Resolved,
    id: i64,
) -> Result<Option<Professor>> {
    let mut sql = Sql::new(&format!("{PROFESSOR} AND d.id = "));
    sql.bind_int(id);
    scope.org_filter(&mut sql, "o");
    sql.query()
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(professor_row)
        .transpose()
}

async fn engagements_where(
    conn: &mut AnyConnection,
    column: &str,
    id: i64,
) -> Result<Vec<Engagement>> {
    let rows = sqlx::query(&format!(
        "{ENGAGEMENT} WHERE e.{column} = $1 ORDER BY e.year DESC, e.id"
    ))
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(engagement_row).collect()
}

/// The engagement's checked fields: the college (a 院校 anywhere in the city), the
/// domain's rules, the review.
async fn check(
    conn: &mut AnyConnection,
    i: &EngagementInput,
) -> Result<(
    i64,
    gongjiang_domain::training::EngagementFields,
    Option<EngagementReview>,
)> {
    let mut errs = Vec::new();
    let college = match i.college.trim() {
        "" => {
            errs.push(FieldError::required("college", "院校", "College"));
            None
        }
        k => match orgs::find(conn, &Scope::All, k).await? {
            Some(o) if o.kind_enum() == Some(OrgKind::College) => Some(o.id),
            _ => {
                errs.push(FieldError::new(
                    "college",
                    Rule::UnknownValue,
                    format!("院校“{k}”不存在（须为单位库中的院校）"),
                    format!("college '{k}' not found (a college of the organisation register)"),
                ));
                None
            }
        },
    };
    let fields = check_engagement(&EngagementDraft {
        year: i.year,
        courses: i.courses.clone(),
        projects: i.projects.clone(),
        hours: i.hours,
    })
    .map_err(|e| errs.extend(e))
    .ok();
    let review = match i.review.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => {
            let v = EngagementReview::from_any(r);
            if v.is_none() {
                errs.push(FieldError::new(
                    "review",
                    Rule::UnknownValue,
                    format!("年度考核结果“{r}”无效，应为：优秀、合格、不合格"),
                    format!("unknown review '{r}': use excellent, pass or fail"),
                ));
            }
            v
        }
    };
    match (college, fields) {
        (Some(c), Some(f)) if errs.is_empty() => Ok((c, f, review)),
        _ => Err(StoreError::Invalid(errs)),
    }
}

impl Service {
    /// 产业教授 in the actor's area (by their employer), newest title first.
    pub async fn list_professors(
        &self,
        actor: &Actor,
        f: &ProfessorFilter,
    ) -> Result<Page<Professor>> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        let mut w = Sql::new("");
        actor
            .read_scope()
            .org_filter_in(&mut conn, f.region.as_deref(), &mut w, "o")
            .await?;
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            w.contains_any(&["w.name", "o.name"], q);
        }
        let per_page = if f.per_page <= 0 {
            20
        } else {
            f.per_page.min(500)
        };
        crate::sql::page_of(
            &mut conn,
            (
                "SELECT COUNT(*) FROM designations d JOIN workers w ON w.id = d.holder_worker_id \
                 JOIN orgs o ON o.id = w.org_id WHERE d.dtype = 'industry_professor'",
                PROFESSOR,
            ),
            &w,
            " ORDER BY d.year DESC, w.name, d.id",
            (f.page.max(1), per_page),
            professor_row,
        )
        .await
    }

    /// One professor and their engagements (404 outside the actor's area).
    pub async fn professor(&self, actor: &Actor, id: i64) -> Result<(Professor, Vec<Engagement>)> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        let scope = actor.read_scope().resolve(&mut conn).await?;
        let p = professor_in(&mut conn, &scope, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let e = engagements_where(&mut conn, "designation_id", id).await?;
        Ok((p, e))
    }

    /// A worker's engagements as 产业教授 (for the worker's page).
    pub async fn worker_engagements(
        &self,
        actor: &Actor,
        worker_id: i64,
    ) -> Result<Vec<Engagement>> {
        self.get_worker(actor, worker_id).await?;
        let mut conn = self.db.pool.acquire().await?;
        engagements_where(&mut conn, "worker_id", worker_id).await
    }

    /// Adds a year's engagement at a college.
    pub async fn add_engagement(
        &self,
        actor: &Actor,
        professor: i64,
        i: &EngagementInput,
    ) -> Result<Engagement> {
        access::check(actor, Permission::Coordinate)?;
        let mut w = self.write(actor).await?;
        let scope = w.scope().await?;
        let p = professor_in(w.conn(), &scope, professor)
            .await?
            .ok_or(StoreError::NotFound)?;
        let (college, f, review) = check(w.conn(), i).await?;
        let twice = sqlx::query(
            "SELECT 1 FROM professor_engagements WHERE designation_id = $1 AND college_org_id = $2 AND year = $3",
        )
        .bind(professor)
        .bind(college)
        .bind(f.year)
        .fetch_optional(w.conn())
        .await?
        .is_some();
        if twice {
            return Err(StoreError::invalid(FieldError::new(
                "year",
                Rule::Duplicate,
                format!("{}在该院校已有 {} 年度的聘任记录", p.worker_name, f.year),
                format!(
                    "{} already has an engagement at that college for {}",
                    p.worker_name, f.year
                ),
            )));
        }
        let now = w.now;
        let id: i64 = sqlx::query(
            "INSERT INTO professor_engagements (designation_id, worker_id, college_org_id, year, courses, projects, hours, \
             review, review_note, reviewed_at, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11) RETURNING id",
        )
        .bind(professor)
        .bind(p.worker_id)
        .bind(college)
        .bind(f.year)
        .bind(f.courses.as_deref())
        .bind(f.projects.as_deref())
        .bind(f.hours)
        .bind(review.map(|r| r.code()))
        .bind(i.review_note.as_deref().map(str::trim).filter(|n| !n.is_empty()))
        .bind(review.map(|_| now))
        .bind(now)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        let e = engagements_where(w.conn(), "id", id)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        w.audit(
            Note::new(action::CREATE, "engagement", id)
                .summary(format!(
                    "{} · {} · {}",
                    p.worker_name, e.college_name, e.year
                ))
                .after(&e),
        )
        .await?;
        w.commit().await?;
        Ok(e)
    }

    /// Changes an engagement or records its yearly review, at the version read.
    pub async fn update_engagement(
        &self,
        actor: &Actor,
        professor: i64,
        id: i64,
        i: &EngagementInput,
    ) -> Result<Engagement> {
        access::check(actor, Permission::Coordinate)?;
        let mut w = self.write(actor).await?;
        let scope = w.scope().await?;
        let p = professor_in(w.conn(), &scope, professor)
            .await?
            .ok_or(StoreError::NotFound)?;
        let before = engagements_where(w.conn(), "id", id)
            .await?
            .pop()
            .filter(|e| e.designation_id == professor)
            .ok_or(StoreError::NotFound)?;
        w.check_version(i.version, before.version)?;
        let (college, f, review) = check(w.conn(), i).await?;
        let now = w.now;
        let n = sqlx::query(
            "UPDATE professor_engagements SET college_org_id = $1, year = $2, courses = $3, projects = $4, hours = $5, \
             review = $6, review_note = $7, reviewed_at = CASE WHEN $6 IS NULL THEN NULL ELSE COALESCE(reviewed_at, $8) END, \
             version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10",
        )
        .bind(college)
        .bind(f.year)
        .bind(f.courses.as_deref())
        .bind(f.projects.as_deref())
        .bind(f.hours)
        .bind(review.map(|r| r.code()))
        .bind(i.review_note.as_deref().map(str::trim).filter(|n| !n.is_empty()))
        .bind(now)
        .bind(id)
        .bind(before.version)
        .execute(w.conn())
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.message().to_lowercase().contains("unique") => {
                StoreError::invalid(FieldError::new(
                    "year",
                    Rule::Duplicate,
                    "该院校该年度已有聘任记录",
                    "there is already an engagement at that college for that year",
                ))
            }
            other => other.into(),
        })?
        .rows_affected();
        w.expect_one(n)?;
        let after = engagements_where(w.conn(), "id", id)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        w.audit(
            Note::new(action::UPDATE, "engagement", id)
                .summary(format!(
                    "{} · {} · {}",
                    p.worker_name, after.college_name, after.year
                ))
                .before(&before)
                .after(&after),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }
}
