//! The training part's SQL: classes and their rosters, always inside a resolved scope.
use super::{Class, Filter, Trainee};
use crate::error::Result;
use crate::scope::Resolved;
use crate::sql::Sql;
use crate::Page;
use gongjiang_domain::training::ClassFields;
use sqlx::{AnyConnection, Row};

const SELECT: &str = "SELECT c.id, c.code, c.name, c.ctype, c.provider_org_id, p.name AS provider_name, \
    p.uscc AS provider_uscc, c.enterprise_org_id, e.name AS enterprise_name, e.uscc AS enterprise_uscc, \
    c.org_id, c.occupation, c.target_level, c.year, c.starts_on, c.ends_on, c.trainees, c.completed, \
    (SELECT COUNT(*) FROM class_trainees t WHERE t.class_id = c.id) AS roster, c.version, c.updated_at \
    FROM training_classes c JOIN orgs o ON o.id = c.org_id JOIN orgs p ON p.id = c.provider_org_id \
    LEFT JOIN orgs e ON e.id = c.enterprise_org_id";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Class> {
    Ok(Class {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        ctype: r.try_get("ctype")?,
        provider_org_id: r.try_get("provider_org_id")?,
        provider_name: r.try_get("provider_name")?,
        provider_uscc: r.try_get("provider_uscc")?,
        enterprise_org_id: r.try_get("enterprise_org_id")?,
        enterprise_name: r.try_get("enterprise_name")?,
        enterprise_uscc: r.try_get("enterprise_uscc")?,
        org_id: r.try_get("org_id")?,
        occupation: r.try_get("occupation")?,
        target_level: r.try_get("target_level")?,
        year: r.try_get("year")?,
        starts_on: r.try_get("starts_on")?,
        ends_on: r.try_get("ends_on")?,
        trainees: r.try_get("trainees")?,
        completed: r.try_get("completed")?,
        roster: r.try_get("roster")?,
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub(super) async fn list(
    conn: &mut AnyConnection,
    scope: &Resolved,
    f: &Filter,
) -> Result<Page<Class>> {
    let mut w = Sql::new(" WHERE 1 = 1");
    scope.org_filter(&mut w, "o");
    if let Some(r) = f.region.as_deref().filter(|r| !r.trim().is_empty()) {
        Resolved::region(&mut *conn, r.trim())
            .await?
            .org_filter(&mut w, "o");
    }
    if let Some(t) = f.ctype.as_deref().filter(|t| !t.is_empty()) {
        let code = gongjiang_domain::training::ClassType::from_any(t)
            .map(|t| t.code())
            .unwrap_or(t);
        w.push(" AND c.ctype = ").bind_text(code);
    }
    if let Some(y) = f.year {
        w.push(" AND c.year = ").bind_int(y);
    }
    if let Some(p) = f.provider {
        w.push(" AND c.provider_org_id = ").bind_int(p);
    }
    if let Some(o) = f.org {
        w.push(" AND (c.org_id = ")
            .bind_int(o)
            .push(" OR c.provider_org_id = ")
            .bind_int(o)
            .push(")");
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.contains_any(&["c.code", "c.name", "c.occupation"], q);
    }
    let per_page = if f.per_page <= 0 {
        20
    } else {
        f.per_page.min(500)
    };
    let page = f.page.max(1);
    crate::sql::page_of(
        &mut *conn,
        (
            "SELECT COUNT(*) FROM training_classes c JOIN orgs o ON o.id = c.org_id",
            SELECT,
        ),
        &w,
        " ORDER BY c.year DESC, c.code",
        (page, per_page),
        from_row,
    )
    .await
}

pub(super) async fn get(
    conn: &mut AnyConnection,
    scope: &Resolved,
    id: i64,
) -> Result<Option<Class>> {
    crate::scope::one_in(
        conn,
        &format!("{SELECT} WHERE c.id = "),
        id,
        (scope, "o"),
        from_row,
    )
    .await
}

pub(super) async fn id_by_code(conn: &mut AnyConnection, code: &str) -> Result<Option<i64>> {
    Ok(
        sqlx::query("SELECT id FROM training_classes WHERE code = $1")
            .bind(code)
            .fetch_optional(conn)
            .await?
            .map(|r| r.try_get::<i64, _>(0))
            .transpose()?,
    )
}

/// Where a class sits: its provider, enterprise and scope organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Place {
    pub provider: i64,
    pub enterprise: Option<i64>,
}

impl Place {
    pub fn org(self) -> i64 {
        self.enterprise.unwrap_or(self.provider)
    }
}

pub(super) async fn insert(
    conn: &mut AnyConnection,
    c: &ClassFields,
    at: Place,
    by: Option<i64>,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO training_classes (code, name, ctype, provider_org_id, enterprise_org_id, org_id, occupation, \
         target_level, year, starts_on, ends_on, trainees, completed, created_by, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $15) RETURNING id",
    )
    .bind(&c.code)
    .bind(&c.name)
    .bind(c.ctype.code())
    .bind(at.provider)
    .bind(at.enterprise)
    .bind(at.org())
    .bind(c.occupation.as_deref())
    .bind(c.target_level.map(|l| l.code()))
    .bind(c.year)
    .bind(c.starts_on.as_deref())
    .bind(c.ends_on.as_deref())
    .bind(c.trainees)
    .bind(c.completed)
    .bind(by)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// Updates a class at `version`; 0 rows when someone changed it in between. With a
/// roster the figures stay the roster's.
pub(super) async fn update(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    c: &ClassFields,
    at: Place,
    now: i64,
) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE training_classes SET code = $1, name = $2, ctype = $3, provider_org_id = $4, enterprise_org_id = $5, \
         org_id = $6, occupation = $7, target_level = $8, year = $9, starts_on = $10, ends_on = $11, \
         trainees = CASE WHEN EXISTS (SELECT 1 FROM class_trainees t WHERE t.class_id = $14) THEN trainees ELSE $12 END, \
         completed = CASE WHEN EXISTS (SELECT 1 FROM class_trainees t WHERE t.class_id = $14) THEN completed ELSE $13 END, \
         version = version + 1, updated_at = $15 WHERE id = $14 AND version = $16",
    )
    .bind(&c.code)
    .bind(&c.name)
    .bind(c.ctype.code())
    .bind(at.provider)
    .bind(at.enterprise)
    .bind(at.org())
    .bind(c.occupation.as_deref())
    .bind(c.target_level.map(|l| l.code()))
    .bind(c.year)
    .bind(c.starts_on.as_deref())
    .bind(c.ends_on.as_deref())
    .bind(c.trainees)
    .bind(c.completed)
    .bind(id)
    .bind(now)
    .bind(version)
    .execute(conn)
    .await?
    .rows_affected())
}

pub(super) async fn delete(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM class_trainees WHERE class_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM training_classes WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// With a roster, the class's figures are its counts (withdrawn trainees excluded).
pub(super) async fn recount(conn: &mut AnyConnection, class_id: i64, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE training_classes SET \
         trainees = (SELECT COUNT(*) FROM class_trainees t WHERE t.class_id = $1 AND t.status <> 'withdrawn'), \
         completed = (SELECT COUNT(*) FROM class_trainees t WHERE t.class_id = $1 AND t.status = 'completed'), \
         version = version + 1, updated_at = $2 WHERE id = $1",
    )
    .bind(class_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

const TRAINEE: &str = "SELECT t.id, t.class_id, t.worker_id, w.name AS worker_name, w.id_masked, o.name AS org_name, \
    w.skill_level, t.master_worker_id, m.name AS master_name, t.status, t.completed_on, t.certificate_no, \
    t.certified_level, t.promotion_case_id, pc.status AS promotion_status FROM class_trainees t \
    JOIN workers w ON w.id = t.worker_id JOIN orgs o ON o.id = w.org_id \
    LEFT JOIN workers m ON m.id = t.master_worker_id LEFT JOIN wf_cases pc ON pc.id = t.promotion_case_id";

fn trainee_row(r: &sqlx::any::AnyRow) -> Result<Trainee> {
    Ok(Trainee {
        id: r.try_get("id")?,
        class_id: r.try_get("class_id")?,
        worker_id: r.try_get("worker_id")?,
        worker_name: r.try_get("worker_name")?,
        worker_id_masked: r.try_get("id_masked")?,
        worker_org_name: r.try_get("org_name")?,
        worker_level: r.try_get("skill_level")?,
        master_worker_id: r.try_get("master_worker_id")?,
        master_name: r.try_get("master_name")?,
        status: r.try_get("status")?,
        completed_on: r.try_get("completed_on")?,
        certificate_no: r.try_get("certificate_no")?,
        certified_level: r.try_get("certified_level")?,
        promotion_case_id: r.try_get("promotion_case_id")?,
        promotion_status: r.try_get("promotion_status")?,
    })
}

pub(super) async fn roster(conn: &mut AnyConnection, class_id: i64) -> Result<Vec<Trainee>> {
    let rows = sqlx::query(&format!("{TRAINEE} WHERE t.class_id = $1 ORDER BY t.id"))
        .bind(class_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(trainee_row).collect()
}

pub(super) async fn trainee(conn: &mut AnyConnection, id: i64) -> Result<Option<Trainee>> {
    sqlx::query(&format!("{TRAINEE} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(trainee_row)
        .transpose()
}

/// The classes a worker took part in (for the worker's page).
pub(super) async fn of_worker(
    conn: &mut AnyConnection,
    worker_id: i64,
) -> Result<Vec<(Trainee, String, String)>> {
    let rows = sqlx::query(&format!(
        "SELECT x.*, c.code AS class_code, c.name AS class_name FROM ({TRAINEE}) x \
         JOIN training_classes c ON c.id = x.class_id WHERE x.worker_id = $1 ORDER BY c.year DESC, c.id"
    ))
    .bind(worker_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                trainee_row(r)?,
                r.try_get("class_code")?,
                r.try_get("class_name")?,
            ))
        })
        .collect()
}
