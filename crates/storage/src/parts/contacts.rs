//! Enterprise contact points (企业联系点, 双沟通双促进): officials (user accounts of
//! region staff or member units) assigned to enterprises for a period, their visit logs,
//! and the problems enterprises raise, tracked open → in_progress → resolved / closed.
//!
//! Visits and problems feed the indicator engine (measures `contact:*` in
//! [`crate::indicators::facts`]); every write settles the aggregates in its own
//! transaction. Access: region staff work in their write scope; an official assigned to an
//! enterprise works on that enterprise; a unit raises and reads its own problems only.
//!
//! Corrections: region staff over the enterprise edit a contact point (another official,
//! the period, the note) or end it (结束联系): an ended point stays listed with its
//! visits and accepts no visit dated after its end. A visit is corrected by its author
//! or region staff over the enterprise; the indicators follow a changed date.
use crate::audit;
use crate::error::{Result, StoreError};
use crate::indicators::{self, Facts};
use crate::orgs;
use crate::scope::{Actor, Resolved, Scope};
use crate::service::Service;
use crate::sql::{like_escape, Sql};
use crate::{now_ms, Page};
use chrono::NaiveDate;
use gongjiang_domain::contacts::{
    self as dc, ProblemAction, ProblemCategory, ProblemSource, ProblemStatus, VisitForm,
};
use gongjiang_domain::error::text;
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Role, Rule};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{AnyConnection, Row};

/// Today in China (UTC+8), for date checks.
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactPoint {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub official_user_id: i64,
    pub official_username: String,
    pub official_name: String,
    pub start_on: String,
    pub end_on: Option<String>,
    pub note: Option<String>,
    /// Assigned today (started, not ended).
    pub active: bool,
    /// Ended (结束联系) on `end_on`: listed as ended, keeps its visits, takes no new ones
    /// after that day.
    pub ended: bool,
    pub end_reason: Option<String>,
    pub visits: i64,
    pub version: i64,
}

/// Assigns an official to an enterprise for a period.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// The enterprise: id or 统一社会信用代码.
    pub org: String,
    /// The official's user name (region staff or member-unit staff).
    pub official: String,
    /// YYYY-MM-DD
    pub start_on: String,
    /// YYYY-MM-DD; empty = open-ended.
    #[serde(default)]
    pub end_on: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Visit {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub official_user_id: Option<i64>,
    pub official_name: String,
    pub visited_on: String,
    /// on_site, phone, online
    pub form: String,
    pub form_label: String,
    pub summary: String,
    /// The account that logged it (its author).
    pub created_by: Option<i64>,
    pub version: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitInput {
    /// The enterprise: id or 统一社会信用代码.
    pub org: String,
    /// YYYY-MM-DD, not in the future.
    pub visited_on: String,
    /// on_site, phone, online (or 现场走访 / 电话沟通 / 线上沟通)
    pub form: String,
    pub summary: String,
    /// The official's user name; the caller by default.
    #[serde(default)]
    pub official: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub visit_id: Option<i64>,
    /// head, worker, official
    pub source: String,
    pub source_label: String,
    /// employment, training, pay, safety, policy, other
    pub category: String,
    pub category_label: String,
    pub description: String,
    pub raised_on: String,
    pub responsible_unit: Option<String>,
    /// open, in_progress, resolved, closed
    pub status: String,
    pub status_label: String,
    pub resolution: Option<String>,
    pub resolved_on: Option<String>,
    pub closed_reason: Option<String>,
    /// Days from raising to resolution (resolved problems).
    pub days_to_resolve: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemInput {
    /// The enterprise (id or 统一社会信用代码); a unit's own by default.
    #[serde(default)]
    pub org: Option<String>,
    /// The visit during which an official recorded it.
    #[serde(default)]
    pub visit_id: Option<i64>,
    /// head, worker, official
    pub source: String,
    /// employment, training, pay, safety, policy, other (or 用工 / 培训 / 薪酬 / 安全 / 政策 / 其他)
    pub category: String,
    pub description: String,
    /// YYYY-MM-DD, not in the future.
    pub raised_on: String,
    /// The unit responsible for solving it.
    #[serde(default)]
    pub responsible_unit: Option<String>,
}

/// Moves a problem on: start, resolve (resolution and resolved_on), close (reason).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemActInput {
    /// start, resolve, close
    pub action: String,
    #[serde(default)]
    pub resolution: Option<String>,
    /// YYYY-MM-DD, not before raised_on, not in the future.
    #[serde(default)]
    pub resolved_on: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub responsible_unit: Option<String>,
    /// The version the caller saw; a different current version is a conflict.
    #[serde(default)]
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    pub status: Option<String>,
    pub category: Option<String>,
    pub region: Option<String>,
    pub org_id: Option<i64>,
    pub q: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Default)]
pub struct VisitFilter {
    pub region: Option<String>,
    pub org_id: Option<i64>,
    pub year: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// Problems by status and category in the caller's area (for the charts).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ProblemStats {
    /// (status code, count)
    pub by_status: Vec<(String, i64)>,
    /// (category code, raised, resolved)
    pub by_category: Vec<(String, i64, i64)>,
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

const PROBLEM_SELECT: &str = "SELECT p.id, p.org_id, o.name AS org_name, p.visit_id, p.source, p.category, p.description, p.raised_on, p.responsible_unit, \
    p.status, p.resolution, p.resolved_on, p.closed_reason, p.version, p.created_at, p.updated_at FROM contact_problems p JOIN orgs o ON o.id = p.org_id";

fn problem_row(r: &sqlx::any::AnyRow, en: bool) -> Result<Problem> {
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

const VISIT_SELECT: &str = "SELECT v.id, v.org_id, o.name AS org_name, v.official_user_id, v.official_name, v.visited_on, v.form, v.summary, v.created_by, v.version, v.created_at \
    FROM contact_visits v JOIN orgs o ON o.id = v.org_id";

fn visit_row(r: &sqlx::any::AnyRow, en: bool) -> Result<Visit> {
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

fn nz(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn bad_org() -> StoreError {
    StoreError::invalid(FieldError::new(
        "org",
        Rule::UnknownValue,
        "企业不存在或不在您的管辖范围内",
        "the enterprise does not exist or is outside your area",
    ))
}

/// True when `actor` is an official assigned (today) to the organisation.
async fn is_assigned(conn: &mut AnyConnection, actor: &Actor, org_id: i64) -> Result<bool> {
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

impl Service {
    /// An enterprise the actor may work on as region staff (write scope) or as its
    /// assigned official. `key` is an id or a 统一社会信用代码.
    async fn contact_org(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        key: &str,
    ) -> Result<orgs::Org> {
        if actor.role.is_region_staff() {
            if let Some(o) = orgs::find(&mut *conn, &actor.write_scope(), key).await? {
                return Ok(o);
            }
        }
        if let Some(o) = orgs::find(&mut *conn, &Scope::All, key).await? {
            if is_assigned(&mut *conn, actor, o.id).await? {
                return Ok(o);
            }
        }
        Err(bad_org())
    }

    /// May `actor` record visits and move problems of this organisation on?
    async fn may_work(&self, conn: &mut AnyConnection, actor: &Actor, org_id: i64) -> Result<bool> {
        if actor.role.is_region_staff()
            && orgs::get(&mut *conn, &actor.write_scope(), org_id)
                .await?
                .is_some()
        {
            return Ok(true);
        }
        is_assigned(conn, actor, org_id).await
    }

    /// Assigns an official to an enterprise (region staff, in their area).
    pub async fn assign_contact(&self, actor: &Actor, i: &ContactInput) -> Result<ContactPoint> {
        if !actor.role.is_region_staff() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let mut errs = Vec::new();
        let org = orgs::find(tx.conn(), &actor.write_scope(), i.org.trim()).await?;
        match &org {
            None => errs.push(bad_org().into_fields()),
            Some(o) if o.kind != "enterprise" => errs.push(FieldError::new(
                "org",
                Rule::Forbidden,
                format!("“{}”不是企业，联系点只设在企业", o.name),
                format!("'{}' is not an enterprise", o.name),
            )),
            _ => {}
        }
        let official = check_official(tx.conn(), &i.official)
            .await?
            .map_err(|e| errs.push(e))
            .ok();
        let far = NaiveDate::from_ymd_opt(2100, 1, 1).unwrap_or_else(today);
        let start = dc::date("start_on", ("开始日期", "Start"), &i.start_on, far);
        let end = match nz(i.end_on.as_deref()) {
            Some(e) => dc::date("end_on", ("结束日期", "End"), e, far).map(Some),
            None => Ok(None),
        };
        let note = text(
            "note",
            ("备注", "Note"),
            i.note.as_deref().unwrap_or(""),
            false,
            500,
        );
        if let (Ok(s), Ok(Some(e))) = (&start, &end) {
            if e < s {
                errs.push(FieldError::new(
                    "end_on",
                    Rule::Forbidden,
                    "结束日期不能早于开始日期",
                    "the end cannot be before the start",
                ));
            }
        }
        let (start, end, note) = match (start, end, note) {
            (Ok(s), Ok(e), Ok(n)) if errs.is_empty() => (s, e, n),
            (s, e, n) => {
                errs.extend(s.err());
                errs.extend(e.err());
                errs.extend(n.err());
                return Err(StoreError::Invalid(errs));
            }
        };
        let (Some(org), Some(official)) = (org, official) else {
            return Err(StoreError::Invalid(errs));
        };
        let open: i64 = sqlx::query(
            "SELECT COUNT(*) FROM contact_points WHERE org_id = $1 AND official_user_id = $2 AND (end_on IS NULL OR end_on >= $3)",
        )
        .bind(org.id)
        .bind(official.id)
        .bind(start.to_string())
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        if open > 0 {
            return Err(StoreError::conflict(
                Code::ContactExists,
                Some("official"),
                format!("{}已是“{}”的联系干部", official.display_name, org.name),
                format!(
                    "{} is already assigned to {}",
                    official.display_name, org.name
                ),
            ));
        }
        let now = now_ms();
        let id: i64 = sqlx::query(
            "INSERT INTO contact_points (org_id, official_user_id, start_on, end_on, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(org.id)
        .bind(official.id)
        .bind(start.to_string())
        .bind(end.map(|e| e.to_string()))
        .bind(note)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        audit::append(
            tx.conn(),
            actor,
            audit::action::CREATE,
            "contact_point",
            &id.to_string(),
            &format!("{} 联系 {}", official.display_name, org.name),
            None,
            Some(&json!({"org_id": org.id, "official": official.username, "start_on": start.to_string()})),
            now,
        )
        .await?;
        tx.commit().await?;
        let mut conn = self.db.pool.acquire().await?;
        self.contact_points_where(&mut conn, &Scope::All, Some(id), None, None)
            .await?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound)
    }

    async fn contact_points_where(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        id: Option<i64>,
        org_id: Option<i64>,
        region: Option<&str>,
    ) -> Result<Vec<ContactPoint>> {
        let resolved = scope.resolve(&mut *conn).await?;
        let mut sql = Sql::new(
            "SELECT c.id, c.org_id, o.name, c.official_user_id, u.username, u.display_name, c.start_on, c.end_on, c.note, \
             (SELECT COUNT(*) FROM contact_visits v WHERE v.org_id = c.org_id AND v.official_user_id = c.official_user_id), \
             c.ended_at, c.end_reason, c.version \
             FROM contact_points c JOIN orgs o ON o.id = c.org_id JOIN users u ON u.id = c.official_user_id WHERE 1 = 1",
        );
        resolved.org_filter(&mut sql, "o");
        if let Some(id) = id {
            sql.push(" AND c.id = ").bind_int(id);
        }
        if let Some(o) = org_id {
            sql.push(" AND c.org_id = ").bind_int(o);
        }
        if let Some(r) = region {
            Resolved::region(&mut *conn, r)
                .await?
                .org_filter(&mut sql, "o");
        }
        sql.push(" ORDER BY CASE WHEN c.ended_at IS NULL THEN 0 ELSE 1 END, o.region_l2, o.name, c.start_on DESC LIMIT 500");
        let today = today().to_string();
        sql.query()
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                let start_on: String = r.try_get(6)?;
                let end_on: Option<String> = r.try_get(7)?;
                let ended = r.try_get::<Option<i64>, _>(10)?.is_some();
                Ok(ContactPoint {
                    id: r.try_get(0)?,
                    org_id: r.try_get(1)?,
                    org_name: r.try_get(2)?,
                    official_user_id: r.try_get(3)?,
                    official_username: r.try_get(4)?,
                    official_name: r.try_get(5)?,
                    active: !ended
                        && start_on <= today
                        && end_on.as_ref().is_none_or(|e| *e >= today),
                    ended,
                    start_on,
                    end_on,
                    note: r.try_get(8)?,
                    visits: r.try_get(9)?,
                    end_reason: r.try_get(11)?,
                    version: r.try_get(12)?,
                })
            })
            .collect()
    }

    /// Contact points in the caller's area (at most 500, by district and enterprise).
    pub async fn list_contact_points(
        &self,
        actor: &Actor,
        org_id: Option<i64>,
        region: Option<&str>,
    ) -> Result<Vec<ContactPoint>> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        self.contact_points_where(&mut conn, &actor.read_scope(), None, org_id, region)
            .await
    }

    /// Logs a visit (region staff in their area, or the enterprise's assigned official).
    pub async fn log_visit(&self, actor: &Actor, i: &VisitInput, en: bool) -> Result<Visit> {
        if !(actor.role.is_region_staff() || actor.role == Role::Department) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let org = self.contact_org(tx.conn(), actor, i.org.trim()).await;
        let date = dc::date(
            "visited_on",
            ("走访日期", "Visit date"),
            &i.visited_on,
            today(),
        );
        let form = dc::visit_form(&i.form);
        let summary = dc::long_text("summary", ("走访情况", "Summary"), &i.summary, true);
        let official = match nz(i.official.as_deref()) {
            None => Ok(None),
            Some(name) => match crate::users::by_username(tx.conn(), name).await? {
                Some((u, _)) if !u.disabled => Ok(Some(u)),
                _ => Err(FieldError::new(
                    "official",
                    Rule::UnknownValue,
                    format!("账号“{name}”不存在或已停用"),
                    format!("no active account '{name}'"),
                )),
            },
        };
        let (org, date, form, summary, official) = match (org, date, form, summary, official) {
            (Ok(o), Ok(d), Ok(f), Ok(Some(s)), Ok(u)) => (o, d, f, s, u),
            (o, d, f, s, u) => {
                let mut errs = Vec::new();
                if let Err(e) = o {
                    errs.push(e.into_fields());
                }
                errs.extend(d.err());
                errs.extend(f.err());
                errs.extend(s.err());
                errs.extend(u.err());
                return Err(StoreError::Invalid(errs));
            }
        };
        let (uid, name) = match official {
            Some(u) => (Some(u.id), u.display_name),
            None => (actor.user_id, actor.display_name.clone()),
        };
        if let Some(end) = ended_before(tx.conn(), org.id, uid, &date.to_string()).await? {
            return Err(StoreError::invalid(visit_after_end(&name, &org.name, &end)));
        }
        let snap = indicators::snapshot(tx.conn(), org.id).await?;
        let now = now_ms();
        let id: i64 = sqlx::query(
            "INSERT INTO contact_visits (org_id, official_user_id, official_name, visited_on, form, summary, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(org.id)
        .bind(uid)
        .bind(&name)
        .bind(date.to_string())
        .bind(form.code())
        .bind(&summary)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        indicators::settle(tx.conn(), snap).await?;
        audit::append(
            tx.conn(),
            actor,
            audit::action::CREATE,
            "visit",
            &id.to_string(),
            &format!("{} {} 走访 {}", date, name, org.name),
            None,
            Some(&json!({"org_id": org.id, "visited_on": date.to_string(), "form": form.code()})),
            now,
        )
        .await?;
        let mut sql = Sql::new(&format!("{VISIT_SELECT} WHERE v.id = "));
        sql.bind_int(id);
        let v = sql
            .query()
            .fetch_one(tx.conn())
            .await
            .map_err(StoreError::from)
            .and_then(|r| visit_row(&r, en))?;
        tx.commit().await?;
        Ok(v)
    }

    /// Visits in the caller's area, newest first.
    pub async fn list_visits(
        &self,
        actor: &Actor,
        f: &VisitFilter,
        en: bool,
    ) -> Result<Page<Visit>> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        let mut w = Sql::new(" WHERE 1 = 1");
        actor
            .read_scope()
            .resolve(&mut conn)
            .await?
            .org_filter(&mut w, "o");
        if let Some(r) = nz(f.region.as_deref()) {
            Resolved::region(&mut conn, r)
                .await?
                .org_filter(&mut w, "o");
        }
        if let Some(o) = f.org_id {
            w.push(" AND v.org_id = ").bind_int(o);
        }
        if let Some(y) = nz(f.year.as_deref()) {
            w.push(" AND v.visited_on LIKE ")
                .bind_text(format!("{}%", like_escape(y)))
                .push(" ESCAPE '\\'");
        }
        let per_page = f.per_page.clamp(1, 500);
        let page = f.page.max(1);
        let mut count = Sql::new(&format!(
            "SELECT COUNT(*) FROM contact_visits v JOIN orgs o ON o.id = v.org_id{}",
            w.text()
        ));
        count.set_args(w.args().to_vec());
        let total: i64 = count.query().fetch_one(&mut *conn).await?.try_get(0)?;
        let mut q = Sql::new(&format!(
            "{VISIT_SELECT}{} ORDER BY v.visited_on DESC, v.id DESC LIMIT ",
            w.text()
        ));
        q.set_args(w.args().to_vec());
        q.bind_int(per_page)
            .push(" OFFSET ")
            .bind_int((page - 1).saturating_mul(per_page));
        let items = q
            .query()
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| visit_row(r, en))
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// Raises a problem. A unit raises it for its own enterprise (as its head or for
    /// its workers); region staff and assigned officials record it for an enterprise in
    /// their care, optionally against a visit.
    pub async fn raise_problem(
        &self,
        actor: &Actor,
        i: &ProblemInput,
        en: bool,
    ) -> Result<Problem> {
        let mut tx = self.db.begin().await?;
        let org = match actor.role {
            Role::Unit => orgs::unit_own(tx.conn(), actor, i.org.as_deref()).await?,
            r if r.is_region_staff() || r == Role::Department => match nz(i.org.as_deref()) {
                Some(k) => self.contact_org(tx.conn(), actor, k).await?,
                None => {
                    return Err(StoreError::invalid(FieldError::required(
                        "org",
                        "企业",
                        "Enterprise",
                    )))
                }
            },
            _ => return Err(StoreError::Forbidden),
        };
        let mut errs = Vec::new();
        let source = dc::problem_source(&i.source);
        if actor.role == Role::Unit && source == Ok(ProblemSource::Official) {
            errs.push(FieldError::new(
                "source",
                Rule::Forbidden,
                "企业只能以“企业负责人”或“职工”身份反映问题",
                "an enterprise raises problems as its head or for its workers",
            ));
        }
        let category = dc::problem_category(&i.category);
        let description = dc::long_text(
            "description",
            ("问题描述", "Description"),
            &i.description,
            true,
        );
        let raised = dc::date(
            "raised_on",
            ("提出日期", "Raised on"),
            &i.raised_on,
            today(),
        );
        let unit = text(
            "responsible_unit",
            ("责任单位", "Responsible unit"),
            i.responsible_unit.as_deref().unwrap_or(""),
            false,
            100,
        );
        if let Some(v) = i.visit_id {
            let n: i64 =
                sqlx::query("SELECT COUNT(*) FROM contact_visits WHERE id = $1 AND org_id = $2")
                    .bind(v)
                    .bind(org.id)
                    .fetch_one(tx.conn())
                    .await?
                    .try_get(0)?;
            if n == 0 {
                errs.push(FieldError::new(
                    "visit_id",
                    Rule::UnknownValue,
                    "该走访记录不存在或不属于这家企业",
                    "no such visit to this enterprise",
                ));
            }
        }
        let (source, category, description, raised, unit) =
            match (source, category, description, raised, unit) {
                (Ok(s), Ok(c), Ok(Some(d)), Ok(r), Ok(u)) if errs.is_empty() => (s, c, d, r, u),
                (s, c, d, r, u) => {
                    errs.extend(s.err());
                    errs.extend(c.err());
                    errs.extend(d.err());
                    errs.extend(r.err());
                    errs.extend(u.err());
                    return Err(StoreError::Invalid(errs));
                }
            };
        let snap = indicators::snapshot(tx.conn(), org.id).await?;
        let now = now_ms();
        let id: i64 = sqlx::query(
            "INSERT INTO contact_problems (org_id, visit_id, source, category, description, raised_on, responsible_unit, status, created_by, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, 1, $9, $9) RETURNING id",
        )
        .bind(org.id)
        .bind(i.visit_id)
        .bind(source.code())
        .bind(category.code())
        .bind(&description)
        .bind(raised.to_string())
        .bind(unit)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        indicators::settle(tx.conn(), snap).await?;
        audit::append(
            tx.conn(),
            actor,
            audit::action::CREATE,
            "problem",
            &id.to_string(),
            &format!("{} {}:{}", org.name, category.label_zh(), description.chars().take(40).collect::<String>()),
            None,
            Some(&json!({"org_id": org.id, "category": category.code(), "raised_on": raised.to_string()})),
            now,
        )
        .await?;
        let p = problem_in(tx.conn(), &Scope::All, id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(p)
    }

    /// One problem (404 outside the caller's area) and the actions they may take.
    pub async fn get_problem(
        &self,
        actor: &Actor,
        id: i64,
        en: bool,
    ) -> Result<(Problem, Vec<ProblemAction>)> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::NotFound);
        }
        let mut conn = self.db.pool.acquire().await?;
        let p = problem_in(&mut conn, &actor.read_scope(), id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        let may = self.may_work(&mut conn, actor, p.org_id).await?;
        let st = ProblemStatus::from_any(&p.status);
        let actions = ProblemAction::ALL
            .into_iter()
            .filter(|a| may && st.and_then(|s| s.next(*a)).is_some())
            .collect();
        Ok((p, actions))
    }

    /// Moves a problem on. Resolving needs the resolution and its date (not before the
    /// problem was raised); closing needs a reason. Exactly one of two simultaneous
    /// actors wins.
    pub async fn act_on_problem(
        &self,
        actor: &Actor,
        id: i64,
        i: &ProblemActInput,
        en: bool,
    ) -> Result<Problem> {
        let action = ProblemAction::parse(&i.action).ok_or_else(|| {
            StoreError::invalid(FieldError::new(
                "action",
                Rule::UnknownValue,
                format!(
                    "未知的操作“{}”，应为 start、resolve、close",
                    i.action.trim()
                ),
                format!(
                    "unknown action '{}' (start, resolve, close)",
                    i.action.trim()
                ),
            ))
        })?;
        let mut tx = self.db.begin().await?;
        let p = problem_in(tx.conn(), &actor.read_scope(), id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !self.may_work(tx.conn(), actor, p.org_id).await? {
            return Err(StoreError::denied(
                Code::ProblemNotYours,
                "只有辖区工作人员或该企业的联系干部可以办理问题",
                "only region staff of the area or the enterprise's official can work on its problems",
            ));
        }
        if i.version.is_some_and(|v| v != p.version) {
            return Err(changed());
        }
        let from = ProblemStatus::from_any(&p.status).unwrap_or(ProblemStatus::Open);
        let Some(to) = from.next(action) else {
            return Err(StoreError::conflict(
                Code::ProblemWrongState,
                None,
                format!(
                    "问题当前为“{}”，不能“{}”",
                    from.label_zh(),
                    action.label(false)
                ),
                format!(
                    "a problem that is '{}' cannot be '{}'",
                    from.label_en(),
                    action.label(true)
                ),
            ));
        };
        let unit = text(
            "responsible_unit",
            ("责任单位", "Responsible unit"),
            i.responsible_unit.as_deref().unwrap_or(""),
            false,
            100,
        )
        .map_err(StoreError::invalid)?
        .or(p.responsible_unit.clone());
        let (mut resolution, mut resolved_on, mut reason) = (None, None, None);
        match action {
            ProblemAction::Start => {}
            ProblemAction::Resolve => {
                let mut errs = Vec::new();
                match dc::long_text(
                    "resolution",
                    ("解决情况", "Resolution"),
                    i.resolution.as_deref().unwrap_or(""),
                    true,
                ) {
                    Ok(r) => resolution = r,
                    Err(e) => errs.push(e),
                }
                match dc::date(
                    "resolved_on",
                    ("解决日期", "Resolved on"),
                    i.resolved_on.as_deref().unwrap_or(""),
                    today(),
                ) {
                    Ok(d) if d.to_string() < p.raised_on => errs.push(FieldError::new(
                        "resolved_on",
                        Rule::Forbidden,
                        format!("解决日期不能早于问题提出日期（{}）", p.raised_on),
                        format!(
                            "resolved_on cannot be before the problem was raised ({})",
                            p.raised_on
                        ),
                    )),
                    Ok(d) => resolved_on = Some(d.to_string()),
                    Err(e) => errs.push(e),
                }
                if !errs.is_empty() {
                    return Err(StoreError::Invalid(errs));
                }
            }
            ProblemAction::Close => {
                reason = dc::long_text(
                    "reason",
                    ("关闭理由", "Reason"),
                    i.reason.as_deref().unwrap_or(""),
                    true,
                )
                .map_err(StoreError::invalid)?;
            }
        }
        let snap = indicators::snapshot(tx.conn(), p.org_id).await?;
        let now = now_ms();
        let n = sqlx::query(
            "UPDATE contact_problems SET status = $1, resolution = COALESCE($2, resolution), resolved_on = COALESCE($3, resolved_on), \
             closed_reason = COALESCE($4, closed_reason), responsible_unit = $5, version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8",
        )
        .bind(to.code())
        .bind(resolution.as_deref())
        .bind(resolved_on.as_deref())
        .bind(reason.as_deref())
        .bind(unit.as_deref())
        .bind(now)
        .bind(id)
        .bind(p.version)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(changed());
        }
        indicators::settle(tx.conn(), snap).await?;
        audit::append(
            tx.conn(),
            actor,
            match action {
                ProblemAction::Start => "problem_start",
                ProblemAction::Resolve => "problem_resolve",
                ProblemAction::Close => "problem_close",
            },
            "problem",
            &id.to_string(),
            &format!("{}:{} → {}", p.org_name, from.label_zh(), to.label_zh()),
            Some(&json!({"status": p.status})),
            Some(&json!({"status": to.code(), "resolved_on": resolved_on, "resolution": resolution, "reason": reason})),
            now,
        )
        .await?;
        let p = problem_in(tx.conn(), &Scope::All, id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(p)
    }

    /// Problems in the caller's area (a unit: its own), newest first.
    pub async fn list_problems(
        &self,
        actor: &Actor,
        f: &ProblemFilter,
        en: bool,
    ) -> Result<Page<Problem>> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        let w = problem_where(&mut conn, actor, f).await?;
        let per_page = f.per_page.clamp(1, 500);
        let page = f.page.max(1);
        let mut count = Sql::new(&format!(
            "SELECT COUNT(*) FROM contact_problems p JOIN orgs o ON o.id = p.org_id{}",
            w.text()
        ));
        count.set_args(w.args().to_vec());
        let total: i64 = count.query().fetch_one(&mut *conn).await?.try_get(0)?;
        let mut q = Sql::new(&format!(
            "{PROBLEM_SELECT}{} ORDER BY p.raised_on DESC, p.id DESC LIMIT ",
            w.text()
        ));
        q.set_args(w.args().to_vec());
        q.bind_int(per_page)
            .push(" OFFSET ")
            .bind_int((page - 1).saturating_mul(per_page));
        let items = q
            .query()
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| problem_row(r, en))
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// Counts by status and by category (raised / resolved) of the filtered problems.
    pub async fn problem_stats(&self, actor: &Actor, f: &ProblemFilter) -> Result<ProblemStats> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        let w = problem_where(&mut conn, actor, f).await?;
        let mut q = Sql::new(&format!(
            "SELECT p.status, p.category, COUNT(*) FROM contact_problems p JOIN orgs o ON o.id = p.org_id{} GROUP BY p.status, p.category",
            w.text()
        ));
        q.set_args(w.args().to_vec());
        let mut by_status: Vec<(String, i64)> = ProblemStatus::ALL
            .iter()
            .map(|s| (s.code().to_string(), 0))
            .collect();
        let mut by_category: Vec<(String, i64, i64)> = ProblemCategory::ALL
            .iter()
            .map(|c| (c.code().to_string(), 0, 0))
            .collect();
        for r in q.query().fetch_all(&mut *conn).await? {
            let s: String = r.try_get(0)?;
            let c: String = r.try_get(1)?;
            let n: i64 = r.try_get(2)?;
            if let Some(e) = by_status.iter_mut().find(|e| e.0 == s) {
                e.1 += n;
            }
            if let Some(e) = by_category.iter_mut().find(|e| e.0 == c) {
                e.1 += n;
                if s == "resolved" {
                    e.2 += n;
                }
            }
        }
        Ok(ProblemStats {
            by_status,
            by_category,
        })
    }
}

async fn problem_where(conn: &mut AnyConnection, actor: &Actor, f: &ProblemFilter) -> Result<Sql> {
    let mut w = Sql::new(" WHERE 1 = 1");
    actor
        .read_scope()
        .resolve(&mut *conn)
        .await?
        .org_filter(&mut w, "o");
    if let Some(r) = nz(f.region.as_deref()) {
        Resolved::region(&mut *conn, r)
            .await?
            .org_filter(&mut w, "o");
    }
    if let Some(o) = f.org_id {
        w.push(" AND p.org_id = ").bind_int(o);
    }
    if let Some(s) = nz(f.status.as_deref()) {
        w.push(" AND p.status = ").bind_text(s);
    }
    if let Some(c) = nz(f.category.as_deref()) {
        w.push(" AND p.category = ").bind_text(c);
    }
    if let Some(q) = nz(f.q.as_deref()) {
        w.push(" AND (p.description LIKE ")
            .bind_text(format!("%{}%", like_escape(q)))
            .push(" ESCAPE '\\' OR o.name LIKE ")
            .bind_text(format!("%{}%", like_escape(q)))
            .push(" ESCAPE '\\')");
    }
    Ok(w)
}

async fn problem_in(
    conn: &mut AnyConnection,
    scope: &Scope,
    id: i64,
    en: bool,
) -> Result<Option<Problem>> {
    let resolved = scope.resolve(&mut *conn).await?;
    let mut sql = Sql::new(&format!("{PROBLEM_SELECT} WHERE p.id = "));
    sql.bind_int(id);
    resolved.org_filter(&mut sql, "o");
    sql.query()
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(|r| problem_row(r, en))
        .transpose()
}

fn changed() -> StoreError {
    StoreError::conflict(
        Code::StaleVersion,
        None,
        "该问题刚刚已被他人办理，请刷新后查看最新状态",
        "someone else worked on this problem a moment ago; reload to see where it stands",
    )
}

impl StoreError {
    /// The field errors of an `Invalid` error as one (for merging with others).
    fn into_fields(self) -> FieldError {
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

// ----- corrections: editing and ending contact points, editing visits -----

/// An active account of region or member-unit staff, by user name (the official of a
/// contact point).
async fn check_official(
    conn: &mut AnyConnection,
    key: &str,
) -> Result<std::result::Result<crate::users::User, FieldError>> {
    let key = key.trim();
    if key.is_empty() {
        return Ok(Err(FieldError::required(
            "official",
            "联系干部",
            "Official",
        )));
    }
    Ok(match crate::users::by_username(conn, key).await? {
        Some((u, _))
            if !u.disabled
                && matches!(
                    u.role_enum(),
                    Role::City | Role::District | Role::Town | Role::Department
                ) =>
        {
            Ok(u)
        }
        Some(_) => Err(FieldError::new(
            "official",
            Rule::Forbidden,
            "联系干部须为区域工作人员或成员单位人员的有效账号",
            "the official must be an active account of region or member-unit staff",
        )),
        None => Err(FieldError::new(
            "official",
            Rule::UnknownValue,
            format!("账号“{key}”不存在"),
            format!("no account '{key}'"),
        )),
    })
}

/// The end date of the official's contact point at the enterprise when it was ended
/// (结束联系) before `date` and no later assignment is open: visits after it are refused.
async fn ended_before(
    conn: &mut AnyConnection,
    org_id: i64,
    uid: Option<i64>,
    date: &str,
) -> Result<Option<String>> {
    let Some(uid) = uid else {
        return Ok(None);
    };
    let open: i64 = sqlx::query(
        "SELECT COUNT(*) FROM contact_points WHERE org_id = $1 AND official_user_id = $2 AND ended_at IS NULL",
    )
    .bind(org_id)
    .bind(uid)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    if open > 0 {
        return Ok(None);
    }
    Ok(sqlx::query(
        "SELECT MAX(end_on) FROM contact_points WHERE org_id = $1 AND official_user_id = $2 AND ended_at IS NOT NULL AND end_on < $3",
    )
    .bind(org_id)
    .bind(uid)
    .bind(date)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?)
}

fn visit_after_end(official: &str, org: &str, end: &str) -> FieldError {
    FieldError::new(
        "visited_on",
        Rule::Forbidden,
        format!("{official}与“{org}”的联系点已于 {end} 结束，不再接受此后的走访记录"),
        format!("{official}'s contact point at {org} ended on {end}; no visits after that day"),
    )
}

fn contact_changed() -> StoreError {
    StoreError::conflict(
        Code::StaleVersion,
        None,
        "该联系点刚刚已被他人修改，请刷新后再编辑",
        "someone else changed this contact point a moment ago; reload and edit again",
    )
}

fn visit_changed() -> StoreError {
    StoreError::conflict(
        Code::StaleVersion,
        None,
        "该走访记录刚刚已被他人修改，请刷新后再编辑",
        "someone else changed this visit a moment ago; reload and edit again",
    )
}

fn contact_json(c: &ContactPoint) -> serde_json::Value {
    json!({"org_id": c.org_id, "official": c.official_username, "start_on": c.start_on, "end_on": c.end_on, "note": c.note, "ended": c.ended, "end_reason": c.end_reason})
}

fn visit_json(v: &Visit) -> serde_json::Value {
    json!({"org_id": v.org_id, "official": v.official_name, "visited_on": v.visited_on, "form": v.form, "summary": v.summary})
}

/// Changes to a contact point: the official (reassigned), the period, the note. Left out
/// = unchanged; an empty `end_on` makes it open-ended.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactEdit {
    /// The version the client last saw (another answers 409 `stale_version`).
    #[serde(default)]
    pub version: Option<i64>,
    /// The official's user name.
    #[serde(default)]
    pub official: Option<String>,
    /// YYYY-MM-DD
    #[serde(default)]
    pub start_on: Option<String>,
    /// YYYY-MM-DD; empty = open-ended.
    #[serde(default)]
    pub end_on: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Ends a contact point (结束联系).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactEndInput {
    /// The last day, YYYY-MM-DD: not before the start or the official's latest visit
    /// there, not after today.
    pub end_on: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Changes to a visit log entry. Left out = unchanged.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitEdit {
    /// The version the client last saw (another answers 409 `stale_version`).
    #[serde(default)]
    pub version: Option<i64>,
    /// YYYY-MM-DD, not in the future.
    #[serde(default)]
    pub visited_on: Option<String>,
    /// on_site, phone, online
    #[serde(default)]
    pub form: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
}

impl Service {
    async fn contact_point_in(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        id: i64,
    ) -> Result<Option<ContactPoint>> {
        Ok(self
            .contact_points_where(conn, scope, Some(id), None, None)
            .await?
            .into_iter()
            .next())
    }

    /// One contact point (404 outside the caller's area) and whether the caller may edit
    /// or end it (region staff over the enterprise, while it is not ended).
    pub async fn get_contact_point(&self, actor: &Actor, id: i64) -> Result<(ContactPoint, bool)> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::NotFound);
        }
        let mut conn = self.db.pool.acquire().await?;
        let c = self
            .contact_point_in(&mut conn, &actor.read_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let may = actor.role.is_region_staff()
            && !c.ended
            && self
                .contact_point_in(&mut conn, &actor.write_scope(), id)
                .await?
                .is_some();
        Ok((c, may))
    }

    /// The contact point as `actor` may change it: region staff over the enterprise (as
    /// for assigning), not ended.
    async fn contact_for_change(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
    ) -> Result<ContactPoint> {
        if !actor.role.is_region_staff() {
            return Err(StoreError::Forbidden);
        }
        let c = self
            .contact_point_in(&mut *conn, &actor.write_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if c.ended {
            return Err(StoreError::conflict(
                Code::ContactEnded,
                None,
                format!(
                    "该联系点已于 {} 结束，不能再修改",
                    c.end_on.as_deref().unwrap_or("")
                ),
                "this contact point has ended; it can no longer be changed",
            ));
        }
        if version.is_some_and(|v| v != c.version) {
            return Err(contact_changed());
        }
        Ok(c)
    }

    /// Edits a contact point (another official, the period, the note); audit-logged with
    /// before and after. Visits already logged keep their official.
    pub async fn update_contact(
        &self,
        actor: &Actor,
        id: i64,
        i: &ContactEdit,
    ) -> Result<ContactPoint> {
        let mut tx = self.db.begin().await?;
        let c = self
            .contact_for_change(tx.conn(), actor, id, i.version)
            .await?;
        let mut errs = Vec::new();
        let official = match i.official.as_deref() {
            None => Some((c.official_user_id, c.official_name.clone())),
            Some(k) if k.trim() == c.official_username => {
                Some((c.official_user_id, c.official_name.clone()))
            }
            Some(k) => check_official(tx.conn(), k)
                .await?
                .map(|u| (u.id, u.display_name))
                .map_err(|e| errs.push(e))
                .ok(),
        };
        let far = NaiveDate::from_ymd_opt(2100, 1, 1).unwrap_or_else(today);
        let start = dc::date(
            "start_on",
            ("开始日期", "Start"),
            i.start_on.as_deref().unwrap_or(&c.start_on),
            far,
        );
        let end = match i.end_on.as_deref().map(str::trim) {
            None => match c.end_on.as_deref() {
                Some(e) => dc::date("end_on", ("结束日期", "End"), e, far).map(Some),
                None => Ok(None),
            },
            Some("") => Ok(None),
            Some(e) => dc::date("end_on", ("结束日期", "End"), e, far).map(Some),
        };
        let note = text(
            "note",
            ("备注", "Note"),
            i.note.as_deref().or(c.note.as_deref()).unwrap_or(""),
            false,
            500,
        );
        if let (Ok(s), Ok(Some(e))) = (&start, &end) {
            if e < s {
                errs.push(FieldError::new(
                    "end_on",
                    Rule::Forbidden,
                    "结束日期不能早于开始日期",
                    "the end cannot be before the start",
                ));
            }
        }
        let start = start.map_err(|e| errs.push(e)).ok();
        let end = end.map_err(|e| errs.push(e)).ok();
        let note = note.map_err(|e| errs.push(e)).ok();
        let (Some(start), Some(end), Some(note), Some((uid, uname)), true) =
            (start, end, note, official, errs.is_empty())
        else {
            return Err(StoreError::Invalid(errs));
        };
        let (start, end) = (start.to_string(), end.map(|e| e.to_string()));
        if uid == c.official_user_id && start == c.start_on && end == c.end_on && note == c.note {
            return Ok(c);
        }
        if uid != c.official_user_id {
            let open: i64 = sqlx::query(
                "SELECT COUNT(*) FROM contact_points WHERE org_id = $1 AND official_user_id = $2 AND id <> $3 AND ended_at IS NULL AND (end_on IS NULL OR end_on >= $4)",
            )
            .bind(c.org_id)
            .bind(uid)
            .bind(id)
            .bind(&start)
            .fetch_one(tx.conn())
            .await?
            .try_get(0)?;
            if open > 0 {
                return Err(StoreError::conflict(
                    Code::ContactExists,
                    Some("official"),
                    format!("{uname}已是“{}”的联系干部", c.org_name),
                    format!("{uname} is already assigned to {}", c.org_name),
                ));
            }
        }
        let now = now_ms();
        let n = sqlx::query(
            "UPDATE contact_points SET official_user_id = $1, start_on = $2, end_on = $3, note = $4, version = version + 1, updated_at = $5 \
             WHERE id = $6 AND version = $7 AND ended_at IS NULL",
        )
        .bind(uid)
        .bind(&start)
        .bind(end.as_deref())
        .bind(note.as_deref())
        .bind(now)
        .bind(id)
        .bind(c.version)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(contact_changed());
        }
        let after = self
            .contact_point_in(tx.conn(), &Scope::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        audit::append(
            tx.conn(),
            actor,
            audit::action::UPDATE,
            "contact_point",
            &id.to_string(),
            &format!("{} 联系 {}", after.official_name, after.org_name),
            Some(&contact_json(&c)),
            Some(&contact_json(&after)),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Ends a contact point (结束联系) on a day not after today: it stays listed (as
    /// ended) with its visits, and takes no visits after that day.
    pub async fn end_contact(
        &self,
        actor: &Actor,
        id: i64,
        i: &ContactEndInput,
    ) -> Result<ContactPoint> {
        let mut tx = self.db.begin().await?;
        let c = self
            .contact_for_change(tx.conn(), actor, id, i.version)
            .await?;
        let mut errs = Vec::new();
        let end = dc::date("end_on", ("结束日期", "End date"), &i.end_on, today())
            .map_err(|e| errs.push(e))
            .ok()
            .map(|d| d.to_string());
        let reason = text(
            "reason",
            ("结束原因", "Reason"),
            i.reason.as_deref().unwrap_or(""),
            false,
            500,
        )
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
        if let Some(e) = &end {
            if *e < c.start_on {
                errs.push(FieldError::new(
                    "end_on",
                    Rule::Forbidden,
                    format!("结束日期不能早于开始日期（{}）", c.start_on),
                    format!("the end cannot be before the start ({})", c.start_on),
                ));
            } else {
                let last: Option<String> = sqlx::query(
                    "SELECT MAX(visited_on) FROM contact_visits WHERE org_id = $1 AND official_user_id = $2",
                )
                .bind(c.org_id)
                .bind(c.official_user_id)
                .fetch_one(tx.conn())
                .await?
                .try_get(0)?;
                if let Some(l) = last.filter(|l| l > e) {
                    errs.push(FieldError::new(
                        "end_on",
                        Rule::Forbidden,
                        format!("结束日期不能早于该联系干部最近一次走访的日期（{l}）"),
                        format!("the end cannot be before the official's latest visit ({l})"),
                    ));
                }
            }
        }
        let (Some(end), true) = (end, errs.is_empty()) else {
            return Err(StoreError::Invalid(errs));
        };
        let now = now_ms();
        let n = sqlx::query(
            "UPDATE contact_points SET end_on = $1, ended_at = $2, end_reason = $3, version = version + 1, updated_at = $2 \
             WHERE id = $4 AND version = $5 AND ended_at IS NULL",
        )
        .bind(&end)
        .bind(now)
        .bind(reason.as_deref())
        .bind(id)
        .bind(c.version)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(contact_changed());
        }
        let after = self
            .contact_point_in(tx.conn(), &Scope::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        audit::append(
            tx.conn(),
            actor,
            "contact_end",
            "contact_point",
            &id.to_string(),
            &format!(
                "{} 结束联系 {}（{end}）",
                after.official_name, after.org_name
            ),
            Some(&contact_json(&c)),
            Some(&contact_json(&after)),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn visit_in(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        id: i64,
        en: bool,
    ) -> Result<Option<Visit>> {
        let resolved = scope.resolve(&mut *conn).await?;
        let mut sql = Sql::new(&format!("{VISIT_SELECT} WHERE v.id = "));
        sql.bind_int(id);
        resolved.org_filter(&mut sql, "o");
        sql.query()
            .fetch_optional(conn)
            .await?
            .as_ref()
            .map(|r| visit_row(r, en))
            .transpose()
    }

    /// May `actor` correct this visit: its author, or region staff over the enterprise.
    async fn may_edit_visit(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        v: &Visit,
    ) -> Result<bool> {
        if actor.user_id.is_some() && v.created_by == actor.user_id {
            return Ok(true);
        }
        Ok(actor.role.is_region_staff()
            && orgs::get(&mut *conn, &actor.write_scope(), v.org_id)
                .await?
                .is_some())
    }

    /// One visit (404 outside the caller's area) and whether the caller may correct it.
    pub async fn get_visit(&self, actor: &Actor, id: i64, en: bool) -> Result<(Visit, bool)> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::NotFound);
        }
        let mut conn = self.db.pool.acquire().await?;
        let v = self
            .visit_in(&mut conn, &actor.read_scope(), id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        let may = self.may_edit_visit(&mut conn, actor, &v).await?;
        Ok((v, may))
    }

    /// Corrects a visit log entry (its author, or region staff over the enterprise);
    /// a changed date moves the visit between periods in the indicators, in the same
    /// transaction; audit-logged with before and after.
    pub async fn update_visit(
        &self,
        actor: &Actor,
        id: i64,
        i: &VisitEdit,
        en: bool,
    ) -> Result<Visit> {
        let mut tx = self.db.begin().await?;
        let v = self
            .visit_in(tx.conn(), &actor.read_scope(), id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !self.may_edit_visit(tx.conn(), actor, &v).await? {
            return Err(StoreError::denied(
                Code::VisitNotYours,
                "只有走访记录的登记人或该企业所在区域及上级的工作人员可以修改",
                "only the author of a visit or region staff over the enterprise may correct it",
            ));
        }
        if i.version.is_some_and(|x| x != v.version) {
            return Err(visit_changed());
        }
        let date = dc::date(
            "visited_on",
            ("走访日期", "Visit date"),
            i.visited_on.as_deref().unwrap_or(&v.visited_on),
            today(),
        );
        let form = dc::visit_form(i.form.as_deref().unwrap_or(&v.form));
        let summary = dc::long_text(
            "summary",
            ("走访情况", "Summary"),
            i.summary.as_deref().unwrap_or(&v.summary),
            true,
        );
        let (date, form, summary) = match (date, form, summary) {
            (Ok(d), Ok(f), Ok(Some(s))) => (d.to_string(), f, s),
            (d, f, s) => {
                let mut errs = Vec::new();
                errs.extend(d.err());
                errs.extend(f.err());
                errs.extend(s.err());
                return Err(StoreError::Invalid(errs));
            }
        };
        if date == v.visited_on && form.code() == v.form && summary == v.summary {
            return Ok(v);
        }
        if date != v.visited_on {
            if let Some(end) = ended_before(tx.conn(), v.org_id, v.official_user_id, &date).await? {
                return Err(StoreError::invalid(visit_after_end(
                    &v.official_name,
                    &v.org_name,
                    &end,
                )));
            }
        }
        let snap = indicators::snapshot(tx.conn(), v.org_id).await?;
        let now = now_ms();
        let n = sqlx::query(
            "UPDATE contact_visits SET visited_on = $1, form = $2, summary = $3, version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6",
        )
        .bind(&date)
        .bind(form.code())
        .bind(&summary)
        .bind(now)
        .bind(id)
        .bind(v.version)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(visit_changed());
        }
        indicators::settle(tx.conn(), snap).await?;
        let after = self
            .visit_in(tx.conn(), &Scope::All, id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        audit::append(
            tx.conn(),
            actor,
            audit::action::UPDATE,
            "visit",
            &id.to_string(),
            &format!(
                "{} {} 走访 {}",
                after.visited_on, after.official_name, after.org_name
            ),
            Some(&visit_json(&v)),
            Some(&visit_json(&after)),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
