//! 晋级 from training: a completion with a certificate opens a `skill_promotion` case on
//! the workflow engine (subject `promotion:<class>:<trainee>`), submitted at once to the
//! 人社 department's review. Only its approval raises the worker's level on the ladder,
//! records the certificate among the worker's certificates and moves the registry's
//! high-skilled counts in the same transaction; a return or rejection changes nothing.
use super::sql;
use crate::audit::{action, Note};
use crate::engines::workflow::{Case, SubjectCase};
use crate::error::{Result, StoreError};
use crate::indicators;
use crate::scope::Actor;
use crate::service::Service;
use crate::workers::{parse_certificates, Certificate};
use gongjiang_domain::{FieldError, Rule, SkillLevel};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

/// The process a promotion runs on.
pub const PROCESS: &str = "skill_promotion";

/// What a promotion is about.
pub(super) struct Promotion<'a> {
    pub class_id: i64,
    pub class_code: &'a str,
    pub trainee_id: i64,
    pub worker_id: i64,
    pub worker_name: &'a str,
    pub from: Option<SkillLevel>,
    pub to: SkillLevel,
    pub certificate_no: &'a str,
}

impl Service {
    /// Opens the promotion case in the caller's transaction and submits it for review.
    pub(super) async fn open_promotion(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        p: &Promotion<'_>,
        now: i64,
    ) -> Result<i64> {
        let org: i64 = sqlx::query("SELECT org_id FROM workers WHERE id = $1")
            .bind(p.worker_id)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        let mut data = BTreeMap::new();
        data.insert("worker_name".to_string(), p.worker_name.to_string());
        if let Some(f) = p.from {
            data.insert("from_level".into(), f.code().into());
        }
        data.insert("to_level".into(), p.to.code().into());
        data.insert("certificate_no".into(), p.certificate_no.into());
        data.insert("source".into(), "training".into());
        let title = format!(
            "{} 晋升{}（{}）",
            p.worker_name,
            p.to.label_zh(),
            p.class_code
        );
        let subject = format!("promotion:{}:{}", p.class_id, p.trainee_id);
        let new = SubjectCase {
            process: PROCESS,
            org_id: org,
            title: &title,
            data: &data,
            subject: &subject,
        };
        let id = self.start_subject_case(conn, actor, &new, now).await?;
        sqlx::query("UPDATE class_trainees SET promotion_case_id = $1 WHERE id = $2")
            .bind(id)
            .bind(p.trainee_id)
            .execute(conn)
            .await?;
        Ok(id)
    }
}

/// The page of a promotion's record: its class's roster.
pub fn subject_page(key: &str) -> Option<String> {
    let (class, _) = key.split_once(':')?;
    let class: i64 = class.parse().ok()?;
    Some(format!("/training/{class}#roster"))
}

/// Approval: the worker's level goes up one step (still one step: the ladder may have
/// moved since), with the certificate; the registry's counts follow.
pub(crate) async fn approve(
    conn: &mut AnyConnection,
    actor: &Actor,
    case: &Case,
    data: &BTreeMap<String, String>,
    now: i64,
) -> Result<Option<String>> {
    let trainee_id: i64 = case
        .subject
        .as_deref()
        .and_then(|s| s.rsplit(':').next())
        .and_then(|t| t.parse().ok())
        .ok_or(StoreError::NotFound)?;
    let t = sql::trainee(conn, trainee_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let promoted = Promoted {
        source: "training",
        worker_id: t.worker_id,
        worker_name: &t.worker_name,
        on: t.completed_on.clone(),
        case_id: case.id,
    };
    raise_level(conn, actor, &promoted, data, now).await
}

/// Who is promoted, by which case, as of which day (today when `None`).
pub(crate) struct Promoted<'a> {
    /// What opened it: `training` or `contest` (kept on the certificate).
    pub source: &'static str,
    pub worker_id: i64,
    pub worker_name: &'a str,
    pub on: Option<String>,
    pub case_id: i64,
}

/// What an approved promotion does, whatever opened it (a class's certificate, a
/// contest's result): the worker's level goes up one step (still one step: the ladder
/// may have moved since), the certificate joins the worker's, the counts follow.
pub(crate) async fn raise_level(
    conn: &mut AnyConnection,
    actor: &Actor,
    t: &Promoted<'_>,
    data: &BTreeMap<String, String>,
    now: i64,
) -> Result<Option<String>> {
    let to = data
        .get("to_level")
        .and_then(|l| SkillLevel::parse(l))
        .ok_or_else(|| {
            StoreError::invalid(FieldError::new(
                "to_level",
                Rule::Required,
                "缺少晋升等级",
                "the level promoted to is missing",
            ))
        })?;
    let row = sqlx::query(
        "SELECT org_id, skill_level, certificates, occupation FROM workers WHERE id = $1",
    )
    .bind(t.worker_id)
    .fetch_one(&mut *conn)
    .await?;
    let org: i64 = row.try_get(0)?;
    let from = row
        .try_get::<Option<String>, _>(1)?
        .as_deref()
        .and_then(SkillLevel::parse);
    super::check_promotion(from, to).map_err(|mut e| {
        e.field = "to_level".into();
        StoreError::invalid(e)
    })?;
    let mut certificates = parse_certificates(&row.try_get::<String, _>(2)?);
    let occupation: Option<String> = row.try_get(3)?;
    let no = data.get("certificate_no").cloned().unwrap_or_default();
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let on = t.on.clone().unwrap_or(today);
    if !certificates.iter().any(|c| c.no == no) {
        certificates.push(Certificate {
            no: no.clone(),
            skill_level: Some(to.code().into()),
            occupation,
            certified_on: Some(on.clone()),
            issuer: None,
            source: Some(t.source.to_string()),
        });
    }
    let json =
        serde_json::to_string(&certificates).map_err(|e| StoreError::Other(e.to_string()))?;
    let snap = indicators::snapshot(conn, org).await?;
    sqlx::query(
        "UPDATE workers SET skill_level = $1, certificate_no = $2, certified_on = $3, certificates = $4, \
         version = version + 1, updated_at = $5 WHERE id = $6",
    )
    .bind(to.code())
    .bind(&no)
    .bind(&on)
    .bind(&json)
    .bind(now)
    .bind(t.worker_id)
    .execute(&mut *conn)
    .await?;
    indicators::settle(conn, snap).await?;
    Note::new(action::UPDATE, "worker", t.worker_id)
        .summary(format!(
            "{} 晋升为{}（证书 {no}，事项 {}）",
            t.worker_name,
            to.label_zh(),
            t.case_id
        ))
        .write(conn, actor, now)
        .await?;
    Ok(Some(format!("/workers/{}", t.worker_id)))
}
