//! Visits: logging and listing them, and correcting one (its author or region staff);
//! no visit after the official's contact point ended.

use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::indicators;
use crate::orgs;
use crate::scope::{Actor, Resolved, Scope};
use crate::service::Service;
use crate::sql::{like_escape, Sql};
use crate::Page;
use gongjiang_domain::contacts as dc;
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::sql::{nz, today, visit_row, VISIT_SELECT};
use super::types::{Visit, VisitEdit, VisitFilter, VisitInput};

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

fn visit_changed() -> StoreError {
    StoreError::conflict(
        Code::StaleVersion,
        None,
        "该走访记录刚刚已被他人修改，请刷新后再编辑",
        "someone else changed this visit a moment ago; reload and edit again",
    )
}

fn visit_json(v: &Visit) -> serde_json::Value {
    json!({"org_id": v.org_id, "official": v.official_name, "visited_on": v.visited_on, "form": v.form, "summary": v.summary})
}

impl Service {
    /// Logs a visit (region staff in their area, or the enterprise's assigned official).
    pub async fn log_visit(&self, actor: &Actor, i: &VisitInput, en: bool) -> Result<Visit> {
        crate::access::check(actor, crate::access::Permission::VisitUnits)?;
        let mut w = self.write(actor).await?;
        let org = self.contact_org(w.conn(), actor, i.org.trim()).await;
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
            Some(name) => match crate::users::by_username(w.conn(), name).await? {
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
        if let Some(end) = ended_before(w.conn(), org.id, uid, &date.to_string()).await? {
            return Err(StoreError::invalid(visit_after_end(&name, &org.name, &end)));
        }
        let snap = indicators::snapshot(w.conn(), org.id).await?;
        let now = w.now;
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
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        indicators::settle(w.conn(), snap).await?;
        w.audit(
            audit::Note::new(audit::action::CREATE, "visit", id)
                .summary(format!("{} {} 走访 {}", date, name, org.name))
                .after(
                    &json!({"org_id": org.id, "visited_on": date.to_string(), "form": form.code()}),
                ),
        )
        .await?;
        let mut sql = Sql::new(&format!("{VISIT_SELECT} WHERE v.id = "));
        sql.bind_int(id);
        let v = sql
            .query()
            .fetch_one(w.conn())
            .await
            .map_err(StoreError::from)
            .and_then(|r| visit_row(&r, en))?;
        w.commit().await?;
        Ok(v)
    }

    /// Visits in the caller's area, newest first.
    pub async fn list_visits(
        &self,
        actor: &Actor,
        f: &VisitFilter,
        en: bool,
    ) -> Result<Page<Visit>> {
        access::check(actor, Permission::ReadRegisters)?;
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
        crate::sql::page_of(
            &mut conn,
            (
                "SELECT COUNT(*) FROM contact_visits v JOIN orgs o ON o.id = v.org_id",
                VISIT_SELECT,
            ),
            &w,
            " ORDER BY v.visited_on DESC, v.id DESC",
            (f.page, f.per_page),
            |r| visit_row(r, en),
        )
        .await
    }

    async fn visit_in(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        id: i64,
        en: bool,
    ) -> Result<Option<Visit>> {
        let resolved = scope.resolve(&mut *conn).await?;
        crate::scope::one_in(
            conn,
            &format!("{VISIT_SELECT} WHERE v.id = "),
            id,
            (&resolved, "o"),
            |r| visit_row(r, en),
        )
        .await
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
        Ok(access::may(actor, Permission::Coordinate)
            && orgs::get(&mut *conn, &actor.write_scope(), v.org_id)
                .await?
                .is_some())
    }

    /// One visit (404 outside the caller's area) and whether the caller may correct it.
    pub async fn get_visit(&self, actor: &Actor, id: i64, en: bool) -> Result<(Visit, bool)> {
        if !access::may(actor, Permission::ReadRegisters) {
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
        let mut w = self.write(actor).await?;
        let v = self
            .visit_in(w.conn(), &actor.read_scope(), id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !self.may_edit_visit(w.conn(), actor, &v).await? {
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
            if let Some(end) = ended_before(w.conn(), v.org_id, v.official_user_id, &date).await? {
                return Err(StoreError::invalid(visit_after_end(
                    &v.official_name,
                    &v.org_name,
                    &end,
                )));
            }
        }
        let snap = indicators::snapshot(w.conn(), v.org_id).await?;
        let now = w.now;
        let n = sqlx::query(
            "UPDATE contact_visits SET visited_on = $1, form = $2, summary = $3, version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6",
        )
        .bind(&date)
        .bind(form.code())
        .bind(&summary)
        .bind(now)
        .bind(id)
        .bind(v.version)
        .execute(w.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(visit_changed());
        }
        indicators::settle(w.conn(), snap).await?;
        let after = self
            .visit_in(w.conn(), &Scope::All, id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            audit::Note::new(audit::action::UPDATE, "visit", id)
                .summary(format!(
                    "{} {} 走访 {}",
                    after.visited_on, after.official_name, after.org_name
                ))
                .before(&visit_json(&v))
                .after(&visit_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }
}
