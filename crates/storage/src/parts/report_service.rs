//! Service use cases for the yearly statistics: entry with validation on entry, the
//! review flow (submit → approve / return with a reason → lock), completeness and
//! reminders. Approval changes the indicators in the same transaction.
use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::indicators;
use crate::orgs;
use crate::reports::{self, Completeness, Report};
use crate::scope::{Actor, Resolved, Scope};
use crate::service::Service;
use crate::{now_ms, Page};
use gongjiang_domain::report::{
    check_rules, element, parse_value, ReportAction, ReportStatus, Values,
};
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Period, Rule};
use serde::Deserialize;
use serde_json::json;
use sqlx::Row;
use std::collections::BTreeMap;

/// A report as entered: the organisation, the period, the values by element code (or
/// Chinese label), and whether to submit it for review straight away.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// 统一社会信用代码 or org id.
    pub org: String,
    /// 2023, 2023Q4 or 2023-06.
    pub period: String,
    /// Element → number or text (workers, frontline_workers, high_skilled, …).
    #[schema(value_type = Object)]
    pub values: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub submit: bool,
}

fn may_report(actor: &Actor) -> Result<()> {
    crate::access::check(actor, crate::access::Permission::FileReports)
}

/// The organisation's region and every region above it.
async fn region_chain(conn: &mut sqlx::AnyConnection, org_id: i64) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if let Some(r) =
        sqlx::query("SELECT region_l1, region_l2, region_l3, region_l4 FROM orgs WHERE id = $1")
            .bind(org_id)
            .fetch_optional(&mut *conn)
            .await?
    {
        for i in 0..4 {
            if let Some(c) = r.try_get::<Option<String>, _>(i)? {
                out.push(c);
            }
        }
    }
    Ok(out)
}

/// Approving and returning are for the level above the reporting organisation, never
/// for the person who submitted the report ([`gongjiang_domain::report::check_reviewer`]).
async fn check_reviewer(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    report: &Report,
) -> Result<()> {
    let chain = region_chain(conn, report.org_id).await?;
    gongjiang_domain::report::check_reviewer(
        &actor.username,
        actor.region_code.as_deref(),
        &chain,
        report.submitted_by.as_deref(),
    )
    .map_err(|r| StoreError::denied(r.code(), r.message_zh(), r.message_en()))
}

fn values_json(v: &Values) -> serde_json::Value {
    json!(v
        .iter()
        .map(|(k, x)| (k.to_string(), *x))
        .collect::<BTreeMap<_, _>>())
}

/// Parses every value, then checks the cross-field rules; all errors at once.
pub fn parse_values(
    raw: &BTreeMap<String, serde_json::Value>,
) -> std::result::Result<Values, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut v = Values::new();
    for (k, x) in raw {
        let Some(e) = element(k.trim()) else {
            errors.push(FieldError::new(
                k.clone(),
                Rule::UnknownValue,
                format!("未知的数据项“{k}”"),
                format!("unknown data element '{k}'"),
            ));
            continue;
        };
        let text = match x {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            other => {
                errors.push(FieldError::new(
                    e.code,
                    Rule::BadFormat,
                    format!("{}应为数字", e.label_zh),
                    format!("{} must be a number ({other})", e.label_en),
                ));
                continue;
            }
        };
        match parse_value(e, &text) {
            Ok(Some(n)) => {
                v.insert(e.code, n);
            }
            Ok(None) => {}
            Err(err) => errors.push(err),
        }
    }
    errors.extend(check_rules(&v));
    if errors.is_empty() {
        Ok(v)
    } else {
        Err(errors)
    }
}

impl Service {
    pub async fn list_reports(&self, actor: &Actor, f: &reports::Filter) -> Result<Page<Report>> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        reports::list(&mut conn, &actor.read_scope(), f).await
    }

    pub async fn get_report(&self, actor: &Actor, id: i64) -> Result<Report> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        reports::get(&mut conn, &actor.read_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Creates or updates a draft (or a returned report) and optionally submits it.
    pub async fn save_report(&self, actor: &Actor, input: &ReportInput) -> Result<Report> {
        may_report(actor)?;
        let mut errors = Vec::new();
        let period = match Period::parse(&input.period) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let values = match parse_values(&input.values) {
            Ok(v) => Some(v),
            Err(mut e) => {
                errors.append(&mut e);
                None
            }
        };
        let mut w = self.write(actor).await?;
        let org = orgs::find(w.conn(), &actor.write_scope(), &input.org).await?;
        match &org {
            None => errors.push(FieldError::new(
                "org",
                Rule::UnknownValue,
                format!("单位“{}”不存在或不在您的管辖范围内", input.org.trim()),
                format!(
                    "organisation '{}' does not exist or is outside your area",
                    input.org.trim()
                ),
            )),
            Some(o) if o.kind != "enterprise" && o.kind != "park" => errors.push(FieldError::new(
                "org",
                Rule::Forbidden,
                format!("“{}”不是企业或园区，无须填报产改统计表", o.name),
                "only enterprises and parks report",
            )),
            _ => {}
        }
        let (Some(org), Some(period), Some(values)) = (org, period, values) else {
            return Err(StoreError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let period = period.to_string();
        let now = w.now;
        let id = match reports::by_key(w.conn(), org.id, &period).await? {
            Some(existing) => {
                let status =
                    ReportStatus::from_any(&existing.status).unwrap_or(ReportStatus::Draft);
                if !status.editable() {
                    return Err(StoreError::conflict(
                        Code::ReportNotEditable,
                        None,
                        format!(
                            "该报表状态为“{}”，不能修改；如需更正，请审核人先退回",
                            status.label_zh()
                        ),
                        format!(
                            "the report is {}; it must be returned before it can change",
                            status.label_en()
                        ),
                    ));
                }
                reports::set_values(w.conn(), existing.id, &values, now).await?;
                w.audit(
                    audit::Note::new(audit::action::UPDATE, "report", existing.id)
                        .summary(format!("{} {period}", org.name))
                        .before(&values_json(&existing.raw()))
                        .after(&values_json(&values)),
                )
                .await?;
                existing.id
            }
            None => {
                let id = reports::insert(w.conn(), org.id, &period, &values, now)
                    .await
                    .map_err(|e| {
                        if e.is_unique_violation() {
                            StoreError::conflict(
                                Code::StaleVersion,
                                None,
                                "该报表刚被他人创建，请刷新后再试",
                                "someone else created this report just now; reload",
                            )
                        } else {
                            e
                        }
                    })?;
                w.audit(
                    audit::Note::new(audit::action::CREATE, "report", id)
                        .summary(format!("{} {period}", org.name))
                        .after(&values_json(&values)),
                )
                .await?;
                id
            }
        };
        w.commit().await?;
        if input.submit {
            return self
                .transition_report(actor, id, ReportAction::Submit, None)
                .await;
        }
        self.get_report(actor, id).await
    }

    /// Whether the actor may approve or return this report (the same rule as
    /// [`Service::transition_report`]; for showing only the buttons that will work).
    pub async fn may_review_report(&self, actor: &Actor, report: &Report) -> Result<()> {
        access::check(actor, Permission::Coordinate)?;
        let mut conn = self.db.pool.acquire().await?;
        check_reviewer(&mut conn, actor, report).await
    }

    /// One step of the review flow. Two reviewers acting on the same report at the same
    /// moment: exactly one succeeds, the other gets `stale_version`.
    pub async fn transition_report(
        &self,
        actor: &Actor,
        id: i64,
        action: ReportAction,
        reason: Option<&str>,
    ) -> Result<Report> {
        may_report(actor)?;
        let reviewer = match action {
            ReportAction::Submit => true,
            ReportAction::Approve | ReportAction::Return => {
                access::may(actor, Permission::ReviewReports)
            }
            ReportAction::Lock | ReportAction::Unlock => {
                access::may(actor, Permission::LockReports)
            }
        };
        let mut w = self.write(actor).await?;
        // Out of scope is not found, whatever the role; then the role decides.
        let before = reports::get(w.conn(), &actor.write_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !reviewer {
            return Err(StoreError::Forbidden);
        }
        if matches!(action, ReportAction::Approve | ReportAction::Return) {
            check_reviewer(w.conn(), actor, &before).await?;
        }
        let from = ReportStatus::from_any(&before.status).unwrap_or(ReportStatus::Draft);
        let Some(to) = from.after(action) else {
            return Err(StoreError::conflict(
                Code::BadTransition,
                None,
                format!(
                    "报表当前状态为“{}”，不能执行“{}”",
                    from.label_zh(),
                    action.label_zh()
                ),
                format!(
                    "a {} report cannot be '{}'",
                    from.label_en(),
                    action.label_en()
                ),
            ));
        };
        let reason = match action {
            ReportAction::Return => match gongjiang_domain::error::text(
                "reason",
                ("退回原因", "Reason"),
                reason.unwrap_or(""),
                true,
                500,
            ) {
                Ok(r) => r,
                Err(e) => return Err(StoreError::invalid(e)),
            },
            _ => None,
        };
        let snap = indicators::snapshot(w.conn(), before.org_id).await?;
        let now = w.now;
        let ok = reports::transition(
            w.conn(),
            id,
            from.code(),
            to.code(),
            &actor.username,
            reason.as_deref(),
            action == ReportAction::Submit,
            now,
        )
        .await?;
        if !ok {
            return Err(StoreError::conflict(
                Code::StaleVersion,
                None,
                "该报表刚被他人处理，请刷新后查看",
                "someone else acted on this report just now; reload",
            ));
        }
        if from.counts() != to.counts() {
            indicators::settle(w.conn(), snap).await?;
        }
        w.audit(
            audit::Note::new(&format!("report_{}", action.code()), "report", id)
                .summary(format!(
                    "{} {} {}",
                    before.org_name,
                    before.period,
                    reason.clone().unwrap_or_default()
                ))
                .before(&json!({"status": from.code()}))
                .after(&json!({"status": to.code(), "reason": reason})),
        )
        .await?;
        w.commit().await?;
        self.get_report(actor, id).await
    }

    /// Locks every approved report of a period in a region (city only).
    pub async fn lock_reports(&self, actor: &Actor, region: &str, period: &str) -> Result<u64> {
        access::check(actor, Permission::LockReports)?;
        let period = Period::parse(period)
            .map_err(StoreError::invalid)?
            .to_string();
        let mut w = self.write(actor).await?;
        let mut sql = crate::sql::Sql::new(
            "UPDATE reports SET status = 'locked', version = version + 1, reviewed_by = ",
        );
        sql.bind_text(actor.username.clone())
            .push(", reviewed_at = ")
            .bind_int(now_ms())
            .push(" WHERE status = 'approved' AND period = ")
            .bind_text(period.clone());
        sql.push(" AND org_id IN (SELECT o.id FROM orgs o WHERE 1 = 1");
        actor
            .write_scope()
            .resolve(w.conn())
            .await?
            .org_filter(&mut sql, "o");
        Resolved::region(w.conn(), region)
            .await?
            .org_filter(&mut sql, "o");
        sql.push(")");
        let n = sql.query().execute(w.conn()).await?.rows_affected();
        audit::Note::new("report_lock", "report", format!("{region}/{period}"))
            .summary(format!("{n}"))
            .write(w.conn(), actor, now_ms())
            .await?;
        w.commit().await?;
        Ok(n)
    }

    pub async fn report_completeness(
        &self,
        actor: &Actor,
        region: &str,
        period: &str,
    ) -> Result<Vec<Completeness>> {
        access::check(actor, Permission::ReadCompleteness)?;
        let period = Period::parse(period)
            .map_err(StoreError::invalid)?
            .to_string();
        let mut conn = self.db.pool.acquire().await?;
        if crate::regions::get(&mut conn, &actor.read_scope(), region)
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }
        reports::completeness(&mut conn, &actor.read_scope(), region, &period).await
    }

    pub async fn missing_reports(
        &self,
        actor: &Actor,
        region: &str,
        period: &str,
        limit: i64,
    ) -> Result<Vec<(i64, String, String)>> {
        access::check(actor, Permission::Coordinate)?;
        let period = Period::parse(period)
            .map_err(StoreError::invalid)?
            .to_string();
        let mut conn = self.db.pool.acquire().await?;
        // A region outside the caller's area does not exist for them (404, as
        // everywhere), rather than an empty list that looks like "all reported".
        if crate::regions::get(&mut conn, &actor.read_scope(), region.trim())
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }
        reports::missing(
            &mut conn,
            &actor.read_scope(),
            region.trim(),
            &period,
            limit,
        )
        .await
    }

    /// Sends a reminder to every organisation in the region that has not submitted.
    pub async fn remind_missing(&self, actor: &Actor, region: &str, period: &str) -> Result<usize> {
        let missing = self.missing_reports(actor, region, period, 100_000).await?;
        let period = Period::parse(period)
            .map_err(StoreError::invalid)?
            .to_string();
        let mut w = self.write(actor).await?;
        let now = w.now;
        for (org_id, _, _) in &missing {
            sqlx::query(
                "INSERT INTO reminders (org_id, period, sent_by, sent_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(org_id)
            .bind(&period)
            .bind(&actor.username)
            .bind(now)
            .execute(w.conn())
            .await?;
        }
        w.audit(
            audit::Note::new("remind", "report", format!("{region}/{period}"))
                .summary(missing.len().to_string()),
        )
        .await?;
        w.commit().await?;
        Ok(missing.len())
    }

    /// Reminders for the caller's own organisation whose report is still missing.
    pub async fn my_reminders(&self, actor: &Actor) -> Result<Vec<(String, String, i64)>> {
        let Some(org) = actor.org_id else {
            return Ok(Vec::new());
        };
        let mut conn = self.db.pool.acquire().await?;
        let rows = sqlx::query(
            "SELECT m.period, m.sent_by, MAX(m.sent_at) FROM reminders m LEFT JOIN reports rp ON rp.org_id = m.org_id AND rp.period = m.period \
             WHERE m.org_id = $1 AND (rp.status IS NULL OR rp.status IN ('draft', 'returned')) GROUP BY m.period, m.sent_by ORDER BY m.period DESC",
        )
        .bind(org)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }

    /// The year every page and API opens on when none is asked for: the latest one with
    /// approved statistics in the caller's scope, else in the whole programme, else the
    /// last calendar year. Pages say it ("数据截至2025年度").
    pub async fn latest_approved_year(&self, actor: &Actor) -> Result<i32> {
        let mut conn = self.db.pool.acquire().await?;
        if let Some(y) = reports::latest_approved_year(&mut conn, &actor.read_scope()).await? {
            return Ok(y);
        }
        if let Some(y) = reports::latest_approved_year(&mut conn, &Scope::All).await? {
            return Ok(y);
        }
        Ok(chrono::Datelike::year(&crate::contacts::today()) - 1)
    }

    /// The caller's own reports that were returned for correction.
    pub async fn my_returned(&self, actor: &Actor) -> Result<Vec<Report>> {
        let Some(org) = actor.org_id else {
            return Ok(Vec::new());
        };
        let f = reports::Filter {
            org_id: Some(org),
            status: Some("returned".into()),
            per_page: 20,
            page: 1,
            ..Default::default()
        };
        let mut conn = self.db.pool.acquire().await?;
        Ok(reports::list(&mut conn, &Scope::Org(org), &f).await?.items)
    }
}

impl Service {
    /// The audit trail of one record, for anyone who may read that record (the caller
    /// checks read access first).
    pub async fn entity_history(
        &self,
        _actor: &Actor,
        kind: &str,
        id: &str,
    ) -> Result<Vec<crate::audit::Entry>> {
        let mut conn = self.db.pool.acquire().await?;
        let f = crate::audit::Filter {
            entity_kind: Some(kind.into()),
            entity_id: Some(id.into()),
            per_page: 100,
            page: 1,
            ..Default::default()
        };
        Ok(crate::audit::list(&mut conn, &f).await?.items)
    }
}
