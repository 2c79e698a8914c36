//! Contact points: assigning an official to an enterprise, listing them, and the
//! corrections (editing, ending with 结束联系).

use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::orgs;
use crate::scope::{Actor, Resolved, Scope};
use crate::service::Service;
use crate::sql::Sql;
use chrono::NaiveDate;
use gongjiang_domain::contacts as dc;
use gongjiang_domain::error::text;
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::sql::{is_assigned, nz, today};
use super::types::{ContactEdit, ContactEndInput, ContactInput, ContactPoint};

fn bad_org() -> StoreError {
    StoreError::invalid(FieldError::new(
        "org",
        Rule::UnknownValue,
        "企业不存在或不在您的管辖范围内",
        "the enterprise does not exist or is outside your area",
    ))
}

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
        Some((u, _)) if !u.disabled && crate::access::serves_as_official(u.role_enum()) => Ok(u),
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

fn contact_changed() -> StoreError {
    StoreError::conflict(
        Code::StaleVersion,
        None,
        "该联系点刚刚已被他人修改，请刷新后再编辑",
        "someone else changed this contact point a moment ago; reload and edit again",
    )
}

fn contact_json(c: &ContactPoint) -> serde_json::Value {
    json!({"org_id": c.org_id, "official": c.official_username, "start_on": c.start_on, "end_on": c.end_on, "note": c.note, "ended": c.ended, "end_reason": c.end_reason})
}

impl Service {
    /// An enterprise the actor may work on as region staff (write scope) or as its
    /// assigned official. `key` is an id or a 统一社会信用代码.
    pub(super) async fn contact_org(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        key: &str,
    ) -> Result<orgs::Org> {
        if access::may(actor, Permission::Coordinate) {
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
    pub(super) async fn may_work(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        org_id: i64,
    ) -> Result<bool> {
        if access::may(actor, Permission::Coordinate)
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
        access::check(actor, Permission::Coordinate)?;
        let mut w = self.write(actor).await?;
        let mut errs = Vec::new();
        let org = orgs::find(w.conn(), &actor.write_scope(), i.org.trim()).await?;
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
        let official = check_official(w.conn(), &i.official)
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
        .fetch_one(w.conn())
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
        let now = w.now;
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
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        w.audit(
            audit::Note::new(audit::action::CREATE, "contact_point", id)
                .summary(format!("{} 联系 {}", official.display_name, org.name))
                .after(&json!({
                    "org_id": org.id,
                    "official": official.username,
                    "start_on": start.to_string(),
                })),
        )
        .await?;
        w.commit().await?;
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
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        self.contact_points_where(&mut conn, &actor.read_scope(), None, org_id, region)
            .await
    }

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
        if !access::may(actor, Permission::ReadRegisters) {
            return Err(StoreError::NotFound);
        }
        let mut conn = self.db.pool.acquire().await?;
        let c = self
            .contact_point_in(&mut conn, &actor.read_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let may = access::may(actor, Permission::Coordinate)
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
        access::check(actor, Permission::Coordinate)?;
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
        let mut w = self.write(actor).await?;
        let c = self
            .contact_for_change(w.conn(), actor, id, i.version)
            .await?;
        let mut errs = Vec::new();
        let official = match i.official.as_deref() {
            None => Some((c.official_user_id, c.official_name.clone())),
            Some(k) if k.trim() == c.official_username => {
                Some((c.official_user_id, c.official_name.clone()))
            }
            Some(k) => check_official(w.conn(), k)
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
            .fetch_one(w.conn())
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
        let now = w.now;
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
        .execute(w.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(contact_changed());
        }
        let after = self
            .contact_point_in(w.conn(), &Scope::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            audit::Note::new(audit::action::UPDATE, "contact_point", id)
                .summary(format!("{} 联系 {}", after.official_name, after.org_name))
                .before(&contact_json(&c))
                .after(&contact_json(&after)),
        )
        .await?;
        w.commit().await?;
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
        let mut w = self.write(actor).await?;
        let c = self
            .contact_for_change(w.conn(), actor, id, i.version)
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
                .fetch_one(w.conn())
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
        let now = w.now;
        let n = sqlx::query(
            "UPDATE contact_points SET end_on = $1, ended_at = $2, end_reason = $3, version = version + 1, updated_at = $2 \
             WHERE id = $4 AND version = $5 AND ended_at IS NULL",
        )
        .bind(&end)
        .bind(now)
        .bind(reason.as_deref())
        .bind(id)
        .bind(c.version)
        .execute(w.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(contact_changed());
        }
        let after = self
            .contact_point_in(w.conn(), &Scope::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            audit::Note::new("contact_end", "contact_point", id)
                .summary(format!(
                    "{} 结束联系 {}（{end}）",
                    after.official_name, after.org_name
                ))
                .before(&contact_json(&c))
                .after(&contact_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }
}
