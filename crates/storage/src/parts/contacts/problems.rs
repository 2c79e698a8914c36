//! Problems raised by enterprises, tracked open → in_progress → resolved / closed:
//! raising, reading, acting on them, the list and the statistics.

use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::indicators;
use crate::orgs;
use crate::scope::{Actor, Scope};
use crate::service::Service;
use crate::sql::Sql;
use crate::Page;
use gongjiang_domain::contacts::{
    self as dc, ProblemAction, ProblemCategory, ProblemSource, ProblemStatus,
};
use gongjiang_domain::error::text;
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::sql::{nz, problem_row, today, PROBLEM_SELECT};
use super::types::{Problem, ProblemActInput, ProblemFilter, ProblemInput, ProblemStats};

impl Service {
    /// Raises a problem. A unit raises it for its own enterprise (as its head or for
    /// its workers); region staff and assigned officials record it for an enterprise in
    /// their care, optionally against a visit.
    pub async fn raise_problem(
        &self,
        actor: &Actor,
        i: &ProblemInput,
        en: bool,
    ) -> Result<Problem> {
        let mut w = self.write(actor).await?;
        let org = if access::bound_to_own_org(actor) {
            orgs::unit_own(w.conn(), actor, i.org.as_deref()).await?
        } else {
            access::check(actor, Permission::RaiseProblem { official: true })?;
            match nz(i.org.as_deref()) {
                Some(k) => self.contact_org(w.conn(), actor, k).await?,
                None => {
                    return Err(StoreError::invalid(FieldError::required(
                        "org",
                        "企业",
                        "Enterprise",
                    )))
                }
            }
        };
        let mut errs = Vec::new();
        let source = dc::problem_source(&i.source);
        if source == Ok(ProblemSource::Official)
            && !crate::access::may(
                actor,
                crate::access::Permission::RaiseProblem { official: true },
            )
        {
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
                    .fetch_one(w.conn())
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
        let snap = indicators::snapshot(w.conn(), org.id).await?;
        let now = w.now;
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
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        indicators::settle(w.conn(), snap).await?;
        w.audit(
            audit::Note::new(audit::action::CREATE, "problem", id)
                .summary(format!(
                    "{} {}:{}",
                    org.name,
                    category.label_zh(),
                    description.chars().take(40).collect::<String>()
                ))
                .after(&json!({
                    "org_id": org.id,
                    "category": category.code(),
                    "raised_on": raised.to_string(),
                })),
        )
        .await?;
        let p = problem_in(w.conn(), &Scope::All, id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(p)
    }

    /// One problem (404 outside the caller's area) and the actions they may take.
    pub async fn get_problem(
        &self,
        actor: &Actor,
        id: i64,
        en: bool,
    ) -> Result<(Problem, Vec<ProblemAction>)> {
        if !access::may(actor, Permission::ReadRegisters) {
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
        let mut w = self.write(actor).await?;
        let p = problem_in(w.conn(), &actor.read_scope(), id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !self.may_work(w.conn(), actor, p.org_id).await? {
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
        let snap = indicators::snapshot(w.conn(), p.org_id).await?;
        let now = w.now;
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
        .execute(w.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(changed());
        }
        indicators::settle(w.conn(), snap).await?;
        let act = match action {
            ProblemAction::Start => "problem_start",
            ProblemAction::Resolve => "problem_resolve",
            ProblemAction::Close => "problem_close",
        };
        w.audit(
            audit::Note::new(act, "problem", id)
                .summary(format!(
                    "{}:{} → {}",
                    p.org_name,
                    from.label_zh(),
                    to.label_zh()
                ))
                .before(&json!({"status": p.status}))
                .after(&json!({
                    "status": to.code(),
                    "resolved_on": resolved_on,
                    "resolution": resolution,
                    "reason": reason,
                })),
        )
        .await?;
        let p = problem_in(w.conn(), &Scope::All, id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(p)
    }

    /// Problems in the caller's area (a unit: its own), newest first.
    pub async fn list_problems(
        &self,
        actor: &Actor,
        f: &ProblemFilter,
        en: bool,
    ) -> Result<Page<Problem>> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        let w = problem_where(&mut conn, actor, f).await?;
        crate::sql::page_of(
            &mut conn,
            (
                "SELECT COUNT(*) FROM contact_problems p JOIN orgs o ON o.id = p.org_id",
                PROBLEM_SELECT,
            ),
            &w,
            " ORDER BY p.raised_on DESC, p.id DESC",
            (f.page, f.per_page),
            |r| problem_row(r, en),
        )
        .await
    }

    /// Counts by status and by category (raised / resolved) of the filtered problems.
    pub async fn problem_stats(&self, actor: &Actor, f: &ProblemFilter) -> Result<ProblemStats> {
        access::check(actor, Permission::ReadRegisters)?;
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
        .org_filter_in(&mut *conn, f.region.as_deref(), &mut w, "o")
        .await?;
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
        w.contains_any(&["p.description", "o.name"], q);
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
    crate::scope::one_in(
        conn,
        &format!("{PROBLEM_SELECT} WHERE p.id = "),
        id,
        (&resolved, "o"),
        |r| problem_row(r, en),
    )
    .await
}

fn changed() -> StoreError {
    StoreError::conflict(
        Code::StaleVersion,
        None,
        "该问题刚刚已被他人办理，请刷新后查看最新状态",
        "someone else worked on this problem a moment ago; reload to see where it stands",
    )
}
