//! Cases: create and edit the form, read one case with what the actor may do.

use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::now_ms;
use crate::orgs;
use crate::scope::{Actor, Scope};
use crate::service::Service;
use gongjiang_domain::workflow::{advance, Action, Process};
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

use super::attachments::open_case_id;
use super::hooks::hooks_of;
use super::rules::{changed_elsewhere, check_draft, extra_action_label};
use super::sql::{assigned, case_experts, case_items, from_row, SELECT};
use super::types::{Case, CaseInput, Event};

/// A case a part opens for its record ([`Service::open_subject_case`]).
pub struct SubjectCase<'a> {
    pub process: &'a str,
    pub org_id: i64,
    pub title: &'a str,
    pub data: &'a BTreeMap<String, String>,
    /// `<prefix>:<key>` of the record (the part's registered prefix).
    pub subject: &'a str,
}

impl Service {
    pub(super) async fn case_in(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        id: i64,
        en: bool,
    ) -> Result<Option<Case>> {
        let resolved = scope.resolve(&mut *conn).await?;
        let now = now_ms();
        crate::scope::one_in(
            conn,
            &format!("{SELECT} WHERE c.id = "),
            id,
            (&resolved, "o"),
            |r| from_row(r, en, now),
        )
        .await
    }

    /// Starts a case as a draft. Units apply for their own organisation; region staff
    /// may start one for an organisation in their area.
    pub async fn create_case(&self, actor: &Actor, i: &CaseInput) -> Result<Case> {
        let def = Process::find(&i.process).ok_or_else(|| {
            StoreError::Invalid(vec![FieldError::new(
                "process",
                Rule::UnknownValue,
                format!("未知的事项类型“{}”", i.process),
                format!("unknown process '{}'", i.process),
            )])
        })?;
        if def.subject.is_some() {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "process",
                Rule::Forbidden,
                format!("“{}”在其业务页面中提交，不能单独新建", def.name_zh),
                format!("a {} is started from its own page", def.name_en),
            )]));
        }
        access::check(actor, Permission::StartCase)?;
        let mut w = self.write(actor).await?;
        let given = i.org.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let org = match (access::bound_to_own_org(actor), given) {
            (true, given) => Some(orgs::unit_own(w.conn(), actor, given).await?),
            (false, Some(k)) => orgs::find(w.conn(), &actor.write_scope(), k).await?,
            (false, None) => {
                return Err(StoreError::Invalid(vec![FieldError::required(
                    "org",
                    "申报单位",
                    "Applicant",
                )]))
            }
        };
        let org = org.ok_or_else(|| {
            StoreError::Invalid(vec![FieldError::new(
                "org",
                Rule::UnknownValue,
                "申报单位不存在或不在您的管辖范围内",
                "the applicant does not exist or is outside your area",
            )])
        })?;
        let data = check_draft(def, &i.data)?;
        // One open case per process and applicant — per year when the form has a year
        // (a yearly check for 2023 and one for 2024 may both be open).
        if let Some(open) = open_case_id(
            w.conn(),
            def.code,
            org.id,
            data.get("year").map(String::as_str),
        )
        .await?
        {
            return Err(StoreError::conflict(
                Code::CaseOpen,
                Some("process"),
                format!(
                    "“{}”已有一件未办结的{}（事项编号{open}），请在原事项中继续:/cases/{open}",
                    org.name, def.name_zh
                ),
                format!(
                    "{} already has an open {} (case {open}): continue there:/cases/{open}",
                    org.name, def.name_en
                ),
            ));
        }
        // The part's own refusals (e.g. a pilot level the applicant already holds): no
        // draft is kept of an application that cannot be submitted.
        if let Some(check) = hooks_of(def.code).check_start {
            check(w.conn(), &org, &data).await?;
        }
        let now = w.now;
        let title = format!(
            "{} {}{}",
            org.name,
            data.get("year")
                .map(|y| format!("{y}年"))
                .unwrap_or_default(),
            def.name_zh
        );
        let json = serde_json::to_string(&data).map_err(|e| StoreError::Other(e.to_string()))?;
        let id: i64 = sqlx::query(
            "INSERT INTO wf_cases (process, org_id, title, status, data, created_by, version, created_at, updated_at) \
             VALUES ($1, $2, $3, 'draft', $4, $5, 1, $6, $6) RETURNING id",
        )
        .bind(def.code)
        .bind(org.id)
        .bind(&title)
        .bind(&json)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        w.audit(audit::Note::new(audit::action::CREATE, "case", id).summary(&title))
            .await?;
        let c = self
            .case_in(w.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(c)
    }

    /// Opens a draft case that drives a part's record (`subject`), in the caller's
    /// transaction: for a part whose own action starts the case (a class's completion
    /// with a certificate opens a promotion). The part then submits it with `act_in`.
    pub(crate) async fn open_subject_case(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        new: &SubjectCase<'_>,
        now: i64,
    ) -> Result<i64> {
        let def = Process::find(new.process).ok_or(StoreError::NotFound)?;
        let json = serde_json::to_string(new.data).map_err(|e| StoreError::Other(e.to_string()))?;
        let id: i64 = sqlx::query(
            "INSERT INTO wf_cases (process, org_id, title, status, data, created_by, subject, version, created_at, updated_at) \
             VALUES ($1, $2, $3, 'draft', $4, $5, $6, 1, $7, $7) RETURNING id",
        )
        .bind(def.code)
        .bind(new.org_id)
        .bind(new.title)
        .bind(&json)
        .bind(actor.user_id)
        .bind(new.subject)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
        crate::audit::Note::new(audit::action::CREATE, "case", id)
            .summary(new.title)
            .write(conn, actor, now)
            .await?;
        Ok(id)
    }

    /// Opens a case for a part's record and submits it at once, in the caller's
    /// transaction: what a part does when its own action is the application (a
    /// nomination, a studio's yearly review, a promotion). Returns the case's id.
    pub(crate) async fn start_subject_case(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        new: &SubjectCase<'_>,
        now: i64,
    ) -> Result<i64> {
        let id = self.open_subject_case(conn, actor, new, now).await?;
        let submit = super::ActInput {
            action: "submit".into(),
            comment: None,
            version: None,
            changes: BTreeMap::new(),
        };
        self.act_in(conn, actor, id, &submit).await?;
        Ok(id)
    }

    /// The applicant: the unit's own contact, or the region staff member who started
    /// the case on its behalf. (Reviewers are not applicants: a district cannot submit
    /// or withdraw a unit's application.)
    pub(super) fn is_applicant(&self, actor: &Actor, c: &Case) -> bool {
        if let Some(acts_for) = hooks_of(&c.process).acts_for {
            return acts_for(actor, c);
        }
        access::may(
            actor,
            Permission::ActAsApplicant {
                org_id: c.org_id,
                started_by: c.created_by,
            },
        )
    }

    /// Edits the form of a draft or returned case (the applicant).
    pub async fn update_case(
        &self,
        actor: &Actor,
        id: i64,
        data: &BTreeMap<String, String>,
        version: Option<i64>,
    ) -> Result<Case> {
        let mut w = self.write(actor).await?;
        let c = self
            .case_in(w.conn(), &actor.write_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !self.is_applicant(actor, &c) {
            return Err(StoreError::Forbidden);
        }
        if !matches!(c.status.as_str(), "draft" | "returned") {
            return Err(StoreError::conflict(
                Code::CaseLocked,
                None,
                "只有草稿或被退回的事项可以修改",
                "only drafts and returned cases can be edited",
            ));
        }
        if version.is_some_and(|v| v != c.version) {
            return Err(changed_elsewhere());
        }
        let def = c.def().ok_or(StoreError::NotFound)?;
        let data = check_draft(def, data)?;
        let json = serde_json::to_string(&data).map_err(|e| StoreError::Other(e.to_string()))?;
        let n = sqlx::query(
            "UPDATE wf_cases SET data = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(&json)
        .bind(now_ms())
        .bind(id)
        .bind(c.version)
        .execute(w.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(changed_elsewhere());
        }
        let c = self
            .case_in(w.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(c)
    }

    /// Replaces the form of a draft or returned case on behalf of the module that drives
    /// it (checked like a draft; the submit that follows checks it in full).
    pub(crate) async fn set_case_data(
        &self,
        conn: &mut AnyConnection,
        id: i64,
        data: &BTreeMap<String, String>,
    ) -> Result<()> {
        let process: String = sqlx::query_scalar("SELECT process FROM wf_cases WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        let def = Process::find(&process).ok_or(StoreError::NotFound)?;
        let data = check_draft(def, data)?;
        let json = serde_json::to_string(&data).map_err(|e| StoreError::Other(e.to_string()))?;
        sqlx::query(
            "UPDATE wf_cases SET data = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND status IN ('draft', 'returned')",
        )
        .bind(&json)
        .bind(now_ms())
        .bind(id)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// One case with its history and what `actor` may do with it now.
    pub async fn get_case(
        &self,
        actor: &Actor,
        id: i64,
        en: bool,
    ) -> Result<(Case, Vec<Event>, Vec<Action>)> {
        let mut conn = self.db.pool.acquire().await?;
        // An expert sees exactly the cases assigned to them.
        let scope = if access::may(actor, Permission::ScoreAsExpert) {
            if !assigned(&mut conn, id, actor.user_id).await? {
                return Err(StoreError::NotFound);
            }
            Scope::All
        } else {
            actor.read_scope()
        };
        let c = self
            .case_in(&mut conn, &scope, id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        let def = c.def().ok_or(StoreError::NotFound)?;
        let rows = sqlx::query(
            "SELECT action, from_status, to_status, step, username, display_name, comment, changes, at_ms FROM wf_events WHERE case_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let events = rows
            .iter()
            .map(|r| {
                let action: String = r.try_get(0)?;
                let step: Option<i64> = r.try_get(3)?;
                let changes: Option<String> = r.try_get(7)?;
                Ok(Event {
                    action_label: match Action::parse(&action) {
                        Some(a) => a.label(en),
                        None if action == "attach" => {
                            if en {
                                "Attached material"
                            } else {
                                "上传材料"
                            }
                        }
                        None => extra_action_label(&action, en),
                    }
                    .to_string(),
                    action,
                    from_status: r.try_get(1)?,
                    to_status: r.try_get(2)?,
                    step_label: def
                        .step_label(step.and_then(|s| usize::try_from(s).ok()), en)
                        .to_string(),
                    username: r.try_get(4)?,
                    display_name: r.try_get(5)?,
                    comment: r.try_get(6)?,
                    changes: changes.and_then(|c| serde_json::from_str(&c).ok()),
                    at: r.try_get(8)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let actions = self.allowed_actions(actor, &c);
        let mut c = c;
        c.files = Self::file_metas(&mut conn, &c.file_ids).await?;
        c.items = case_items(&mut conn, def, id, en).await?;
        c.objections = self.objections_of(&mut conn, actor, id, en).await?;
        c.experts = case_experts(&mut conn, actor, def, id, en).await?;
        Ok((c, events, actions))
    }

    /// What `actor` may do with a case now (for buttons; [`Service::act`] re-checks).
    pub fn allowed_actions(&self, actor: &Actor, c: &Case) -> Vec<Action> {
        let Some(def) = c.def() else {
            return Vec::new();
        };
        let at = c.position();
        let reviewer = access::reviews_case(actor, def, at, &c.path)
            && (actor.user_id.is_none() || actor.user_id != c.submitted_by);
        let applicant = self.is_applicant(actor, c);
        Action::ALL
            .into_iter()
            .filter(|a| {
                let who = if a.by_applicant() {
                    applicant
                } else {
                    reviewer
                };
                who && advance(def, at, *a, &c.path, "reason").is_ok()
            })
            .collect()
    }
}
