//! Use cases: the yearly review — filed by the studio's enterprise (or its area's staff)
//! as a case on the engine; the expert score decides the outcome and the studio's level
//! and designation follow.
use super::register::studio;
use super::{StudioReview, StudioReviewInput, REVIEW_PROCESS};
use crate::access::{self, Permission};
use crate::audit::{action, Note};
use crate::engines::workflow::{Case, SubjectCase};
use crate::error::{Result, StoreError};
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::studios::{outcome, StudioLevel};
use gongjiang_domain::{FieldError, Rule};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

const REVIEW: &str = "SELECT id, studio_id, year, case_id, status, score_x100, outcome, level_before, level_after FROM studio_reviews";

fn review_row(r: &sqlx::any::AnyRow) -> Result<StudioReview> {
    Ok(StudioReview {
        id: r.try_get(0)?,
        studio_id: r.try_get(1)?,
        year: r.try_get(2)?,
        case_id: r.try_get(3)?,
        status: r.try_get(4)?,
        score: r.try_get::<Option<i64>, _>(5)?.map(|s| s as f64 / 100.0),
        outcome: r.try_get(6)?,
        level_before: r.try_get(7)?,
        level_after: r.try_get(8)?,
    })
}

/// The page of a review's studio, given the subject key after `studio_review:`.
pub fn subject_page(key: &str) -> Option<String> {
    let (studio, _) = key.split_once('/')?;
    Some(format!("/studios/{}#reviews", studio.parse::<i64>().ok()?))
}

fn subject_ids(subject: &str) -> Option<(i64, i64)> {
    crate::workflow::subject_pair(subject, "studio_review")
}

/// On approval: the score decides the outcome; the studio's level, status and
/// designation follow, with the indicators settled.
pub(crate) async fn approve_review(
    _svc: &Service,
    conn: &mut AnyConnection,
    actor: &Actor,
    case: &Case,
    _data: &BTreeMap<String, String>,
    now: i64,
) -> Result<Option<String>> {
    let Some((studio_id, id)) = case.subject.as_deref().and_then(subject_ids) else {
        return Ok(None);
    };
    // The experts' mean score (the engine keeps each expert's ×100).
    let score = match case.score {
        Some(s) => s,
        None => sqlx::query(
            "SELECT CAST(COALESCE(SUM(score_x100), 0) AS BIGINT), COUNT(score_x100) FROM wf_scores WHERE case_id = $1",
        )
        .bind(case.id)
        .fetch_one(&mut *conn)
        .await
        .and_then(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?)))
        .map(|(sum, n)| if n > 0 { sum as f64 / n as f64 / 100.0 } else { 0.0 })?,
    };
    let r = sqlx::query("SELECT org_id, level, designation_id, name FROM studios WHERE id = $1")
        .bind(studio_id)
        .fetch_one(&mut *conn)
        .await?;
    let (org, level, designation, name): (i64, String, Option<i64>, String) =
        (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
    let before = StudioLevel::from_any(&level).unwrap_or(StudioLevel::City);
    let (result, after) = outcome(score, before);
    let snap = crate::indicators::snapshot(conn, org).await?;
    match (after, designation) {
        (Some(l), Some(d)) if l != before => {
            // The designation moves with the studio; one already at that level and year
            // for the enterprise takes its place.
            let clash: Option<i64> = sqlx::query(
                "SELECT o.id FROM designations o JOIN designations d ON d.id = $1 WHERE o.dtype = d.dtype AND o.level = $2 \
                 AND o.year = d.year AND o.holder_org_id = d.holder_org_id AND o.holder_worker_id = d.holder_worker_id",
            )
            .bind(d)
            .bind(l.code())
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
            let keep = match clash {
                Some(other) => {
                    sqlx::query("DELETE FROM designations WHERE id = $1")
                        .bind(d)
                        .execute(&mut *conn)
                        .await?;
                    other
                }
                None => {
                    sqlx::query("UPDATE designations SET level = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                        .bind(l.code())
                        .bind(now)
                        .bind(d)
                        .execute(&mut *conn)
                        .await?;
                    d
                }
            };
            sqlx::query("UPDATE studios SET level = $1, designation_id = $2, version = version + 1, updated_at = $3 WHERE id = $4")
                .bind(l.code())
                .bind(keep)
                .bind(now)
                .bind(studio_id)
                .execute(&mut *conn)
                .await?;
        }
        (None, d) => {
            if let Some(d) = d {
                sqlx::query("DELETE FROM designations WHERE id = $1")
                    .bind(d)
                    .execute(&mut *conn)
                    .await?;
            }
            sqlx::query("UPDATE studios SET status = 'revoked', designation_id = NULL, version = version + 1, updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(studio_id)
                .execute(&mut *conn)
                .await?;
        }
        _ => {}
    }
    sqlx::query(
        "UPDATE studio_reviews SET status = 'approved', score_x100 = $1, outcome = $2, level_after = $3, version = version + 1, updated_at = $4 WHERE id = $5",
    )
    .bind((score * 100.0).round() as i64)
    .bind(result.code())
    .bind(after.map(|l| l.code()))
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    crate::indicators::settle(conn, snap).await?;
    Note::new(action::UPDATE, "studio", studio_id)
        .summary(format!(
            "{name}：年度评估{}（{:.1} 分）",
            result.label_zh(),
            score
        ))
        .write(conn, actor, now)
        .await?;
    Ok(Some(format!("/studios/{studio_id}#reviews")))
}

impl Service {
    /// A studio's reviews, newest first.
    pub async fn studio_reviews(&self, actor: &Actor, id: i64) -> Result<Vec<StudioReview>> {
        let mut conn = self.db.pool.acquire().await?;
        studio(&mut conn, actor, id).await?;
        let rows = sqlx::query(&format!("{REVIEW} WHERE studio_id = $1 ORDER BY year DESC"))
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
        rows.iter().map(review_row).collect()
    }

    /// Files a year's review: a `studio_review` case, submitted at once.
    pub async fn file_studio_review(
        &self,
        actor: &Actor,
        id: i64,
        i: &StudioReviewInput,
    ) -> Result<StudioReview> {
        let mut w = self.write(actor).await?;
        let s = studio(w.conn(), actor, id).await?;
        crate::orgs::get(w.conn(), &actor.write_scope(), s.org_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        access::check(actor, Permission::KeepStudio { org_id: s.org_id })?;
        if s.status != "active" {
            return Err(StoreError::invalid(FieldError::new(
                "year",
                Rule::Forbidden,
                format!("{}已撤销，不再参加年度评估", s.name),
                format!("{} is revoked and no longer reviewed", s.name),
            )));
        }
        let year = match i.year {
            Some(y) if (2000..=2100).contains(&y) => y,
            _ => {
                return Err(StoreError::invalid(FieldError::required(
                    "year",
                    "评估年度",
                    "Year",
                )))
            }
        };
        let report = gongjiang_domain::error::text(
            "report",
            ("年度工作报告", "Yearly report"),
            &i.report,
            true,
            5000,
        )
        .map_err(StoreError::invalid)?
        .unwrap_or_default();
        if sqlx::query("SELECT 1 FROM studio_reviews WHERE studio_id = $1 AND year = $2")
            .bind(id)
            .bind(year)
            .fetch_optional(w.conn())
            .await?
            .is_some()
        {
            return Err(StoreError::invalid(FieldError::new(
                "year",
                Rule::Duplicate,
                format!("{}的{year}年度评估已经提交", s.name),
                format!("{}'s review of {year} is filed already", s.name),
            )));
        }
        let now = w.now;
        let rid: i64 = sqlx::query(
            "INSERT INTO studio_reviews (studio_id, year, status, level_before, version, created_at, updated_at) \
             VALUES ($1, $2, 'draft', $3, 1, $4, $4) RETURNING id",
        )
        .bind(id)
        .bind(year)
        .bind(&s.level)
        .bind(now)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        let mut data = BTreeMap::new();
        data.insert("year".to_string(), year.to_string());
        data.insert(
            "report".to_string(),
            format!(
                "工作室：{}（{}）\n领办人：{}\n{report}",
                s.name, s.org_name, s.leader_name
            ),
        );
        let title = format!("创新工作室年度评估：{}（{year}年）", s.name);
        let subject = format!("studio_review:{id}/{rid}");
        let case = self
            .start_subject_case(
                w.conn(),
                actor,
                &SubjectCase {
                    process: REVIEW_PROCESS,
                    org_id: s.org_id,
                    title: &title,
                    data: &data,
                    subject: &subject,
                },
                now,
            )
            .await?;
        sqlx::query("UPDATE studio_reviews SET case_id = $1 WHERE id = $2")
            .bind(case)
            .bind(rid)
            .execute(w.conn())
            .await?;
        let r = sqlx::query(&format!("{REVIEW} WHERE id = $1"))
            .bind(rid)
            .fetch_one(w.conn())
            .await?;
        let review = review_row(&r)?;
        w.audit(
            Note::new(action::CREATE, "studio_review", rid)
                .summary(format!("{}：{year}年度评估", s.name))
                .after(&review),
        )
        .await?;
        w.commit().await?;
        Ok(review)
    }
}
