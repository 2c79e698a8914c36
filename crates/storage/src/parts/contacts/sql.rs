//! The SQL and helpers the use cases share: the select lists and row mapping, the
//! indicator facts, the assignment check and the field-error form of a refusal.

use crate::error::{Result, StoreError};
use crate::indicators::Facts;
use crate::scope::Actor;
use chrono::NaiveDate;
use gongjiang_domain::contacts::{
    self as dc, ProblemCategory, ProblemSource, ProblemStatus, VisitForm,
};
use gongjiang_domain::{FieldError, Rule};
use sqlx::{AnyConnection, Row};

use super::types::{Problem, Visit};

/// Today in China (UTC+8), for date checks.
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

fn label_of<E: Copy>(
    code: &str,
    parse: fn(&str) -> Option<E>,
    label: fn(E, bool) -> &'static str,
    en: bool,
) -> String {
    parse(code)
        .map(|e| label(e, en))
        .unwrap_or(code)
        .to_string()
}

pub(super) const PROBLEM_SELECT: &str = "SELECT p.id, p.org_id, o.name AS org_name, p.visit_id, p.source, p.category, p.description, p.raised_on, p.responsible_unit, \
    p.status, p.resolution, p.resolved_on, p.closed_reason, p.version, p.created_at, p.updated_at FROM contact_problems p JOIN orgs o ON o.id = p.org_id";

pub(super) fn problem_row(r: &sqlx::any::AnyRow, en: bool) -> Result<Problem> {
    let source: String = r.try_get("source")?;
    let category: String = r.try_get("category")?;
    let status: String = r.try_get("status")?;
    let raised_on: String = r.try_get("raised_on")?;
    let resolved_on: Option<String> = r.try_get("resolved_on")?;
    Ok(Problem {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        visit_id: r.try_get("visit_id")?,
        source_label: label_of(&source, ProblemSource::from_any, ProblemSource::label, en),
        category_label: label_of(
            &category,
            ProblemCategory::from_any,
            ProblemCategory::label,
            en,
        ),
        status_label: label_of(&status, ProblemStatus::from_any, ProblemStatus::label, en),
        days_to_resolve: (status == "resolved")
            .then(|| {
                resolved_on
                    .as_deref()
                    .and_then(|d| dc::days_between(&raised_on, d))
            })
            .flatten(),
        source,
        category,
        description: r.try_get("description")?,
        raised_on,
        responsible_unit: r.try_get("responsible_unit")?,
        status,
        resolution: r.try_get("resolution")?,
        resolved_on,
        closed_reason: r.try_get("closed_reason")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub(super) const VISIT_SELECT: &str = "SELECT v.id, v.org_id, o.name AS org_name, v.official_user_id, v.official_name, v.visited_on, v.form, v.summary, v.created_by, v.version, v.created_at \
    FROM contact_visits v JOIN orgs o ON o.id = v.org_id";

pub(super) fn visit_row(r: &sqlx::any::AnyRow, en: bool) -> Result<Visit> {
    let form: String = r.try_get("form")?;
    Ok(Visit {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        official_user_id: r.try_get("official_user_id")?,
        official_name: r.try_get("official_name")?,
        visited_on: r.try_get("visited_on")?,
        form_label: label_of(&form, VisitForm::from_any, VisitForm::label, en),
        form,
        summary: r.try_get("summary")?,
        created_by: r.try_get("created_by")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The measures of one organisation's contact work (see [`crate::indicators::facts`]).
pub(crate) async fn facts(conn: &mut AnyConnection, org_id: i64, f: &mut Facts) -> Result<()> {
    let mut add = |m: &str, date: &str, v: i64| {
        for p in periods(date) {
            *f.entry((m.to_string(), p)).or_default() += v;
        }
    };
    let rows = sqlx::query(
        "SELECT visited_on, COUNT(*) FROM contact_visits WHERE org_id = $1 GROUP BY visited_on",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let d: String = r.try_get(0)?;
        let n: i64 = r.try_get(1)?;
        add("contact:visits", &d, n);
    }
    let rows = sqlx::query(
        "SELECT raised_on, status, resolved_on FROM contact_problems WHERE org_id = $1",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let raised: String = r.try_get(0)?;
        let status: String = r.try_get(1)?;
        let resolved: Option<String> = r.try_get(2)?;
        add("contact:problems_raised", &raised, 1);
        if let (true, Some(d)) = (status == "resolved", resolved.as_deref()) {
            add("contact:problems_resolved", d, 1);
            add(
                "contact:resolve_days",
                d,
                dc::days_between(&raised, d).unwrap_or(0),
            );
        }
    }
    Ok(())
}

/// The periods a dated fact counts in: its year, quarter and month (`2024`, `2024Q2`,
/// `2024-05`), so that every period the indicator API accepts has its figures.
fn periods(date: &str) -> Vec<String> {
    let (Some(y), Some(m)) = (
        date.get(..4),
        date.get(5..7).and_then(|m| m.parse::<u32>().ok()),
    ) else {
        return Vec::new();
    };
    vec![
        y.to_string(),
        format!("{y}Q{}", m.div_ceil(3)),
        format!("{y}-{m:02}"),
    ]
}

pub(super) fn nz(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// True when `actor` is an official assigned (today) to the organisation.
pub(super) async fn is_assigned(
    conn: &mut AnyConnection,
    actor: &Actor,
    org_id: i64,
) -> Result<bool> {
    let Some(uid) = actor.user_id else {
        return Ok(false);
    };
    let today = today().to_string();
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) FROM contact_points WHERE org_id = $1 AND official_user_id = $2 AND start_on <= $3 AND (end_on IS NULL OR end_on >= $3) AND ended_at IS NULL",
    )
    .bind(org_id)
    .bind(uid)
    .bind(&today)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    Ok(n > 0)
}

impl StoreError {
    /// The field errors of an `Invalid` error as one (for merging with others).
    pub(super) fn into_fields(self) -> FieldError {
        match self {
            StoreError::Invalid(mut v) if !v.is_empty() => v.remove(0),
            _ => FieldError::new(
                "org",
                Rule::UnknownValue,
                "企业不存在或不在您的管辖范围内",
                "the enterprise does not exist or is outside your area",
            ),
        }
    }
}
