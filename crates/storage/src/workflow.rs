//! Cases of the workflow engine ([`gongjiang_domain::workflow`]): create and edit the
//! form, act on a case (exactly one of two simultaneous reviewers wins; the other gets a
//! conflict), the history of every case, the inbox of what waits for a user, in-app
//! notifications, deadline reminders, and bulk actions that are chunked, resumable and
//! never act twice.
use crate::audit;
use crate::error::{Result, StoreError};
use crate::orgs;
use crate::registers::PilotInput;
use crate::scope::{Actor, Resolved, Scope};
use crate::service::Service;
use crate::sql::{like_escape, Sql};
use crate::{now_ms, Page};
use gongjiang_domain::workflow::{
    advance, may_review, Action, Effect, Path, Position, Process, Refusal, Status,
};
use gongjiang_domain::{FieldError, Role, Rule};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Case {
    pub id: i64,
    pub process: String,
    pub process_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    /// draft, in_review, returned, notice, approved, rejected, withdrawn
    pub status: String,
    pub status_label: String,
    /// Index of the review step; the number of steps means the public notice.
    pub step: Option<i64>,
    /// Who acts now (e.g. 区产改办审核).
    pub step_label: String,
    pub data: BTreeMap<String, String>,
    /// When the current step is due (ms since the epoch).
    pub due_at: Option<i64>,
    pub overdue: bool,
    /// What approval produced, e.g. `pilot:42`.
    pub result_ref: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// Attached material (filled on the detail; empty in lists).
    pub files: Vec<crate::files::FileMeta>,
    #[serde(skip)]
    pub file_ids: Vec<i64>,
    #[serde(skip)]
    pub submitted_by: Option<i64>,
    #[serde(skip)]
    pub created_by: Option<i64>,
    #[serde(skip)]
    path: Path,
}

impl Case {
    pub fn position(&self) -> Position {
        Position {
            status: Status::parse(&self.status).unwrap_or(Status::Draft),
            step: self.step.and_then(|s| usize::try_from(s).ok()),
        }
    }

    pub fn def(&self) -> Option<&'static Process> {
        Process::find(&self.process)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub action: String,
    pub action_label: String,
    pub from_status: String,
    pub to_status: String,
    pub step_label: String,
    pub username: String,
    pub display_name: String,
    pub comment: Option<String>,
    /// Fields a reviewer corrected: {"field": ["before", "after"]}.
    #[schema(value_type = Object)]
    pub changes: Option<serde_json::Value>,
    pub at: i64,
}

/// A new case: the process, the applicant (units: their own organisation) and the form.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// pilot_application, pilot_yearly_check, pilot_acceptance
    pub process: String,
    /// The applicant organisation (credit code or id); a unit's own by default.
    #[serde(default)]
    pub org: Option<String>,
    #[serde(default)]
    pub data: BTreeMap<String, String>,
}

/// An action on a case.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActInput {
    /// submit, accept, return, reject, withdraw
    pub action: String,
    /// Required to return or reject.
    #[serde(default)]
    pub comment: Option<String>,
    /// The version the actor saw; a different current version is a conflict.
    #[serde(default)]
    pub version: Option<i64>,
    /// Corrections by the reviewer (only the fields the step may edit).
    #[serde(default)]
    pub changes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub process: Option<String>,
    pub status: Option<String>,
    pub region: Option<String>,
    pub org_id: Option<i64>,
    pub q: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

const SELECT: &str = "SELECT c.id, c.process, c.org_id, o.name AS org_name, c.title, c.status, c.step, c.data, c.due_at, c.result_ref, \
    c.version, c.created_at, c.updated_at, c.submitted_by, c.created_by, o.region_l2, o.region_l3, c.file_ids FROM wf_cases c JOIN orgs o ON o.id = c.org_id";

fn from_row(r: &sqlx::any::AnyRow, en: bool, now: i64) -> Result<Case> {
    let process: String = r.try_get("process")?;
    let def = Process::find(&process);
    let status: String = r.try_get("status")?;
    let step: Option<i64> = r.try_get("step")?;
    let data: String = r.try_get("data")?;
    let due_at: Option<i64> = r.try_get("due_at")?;
    let st = Status::parse(&status);
    Ok(Case {
        id: r.try_get("id")?,
        process_name: def.map(|d| d.name(en)).unwrap_or("").to_string(),
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        title: r.try_get("title")?,
        status_label: st.map(|s| s.label(en)).unwrap_or("").to_string(),
        step_label: def
            .map(|d| d.step_label(step.and_then(|s| usize::try_from(s).ok()), en))
            .unwrap_or("")
            .to_string(),
        overdue: due_at.is_some_and(|d| d < now) && st.is_some_and(|s| !s.is_final()),
        process,
        status,
        step,
        data: serde_json::from_str(&data).unwrap_or_default(),
        due_at,
        result_ref: r.try_get("result_ref")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        submitted_by: r.try_get("submitted_by")?,
        created_by: r.try_get("created_by")?,
        files: Vec::new(),
        file_ids: serde_json::from_str(&r.try_get::<String, _>("file_ids")?).unwrap_or_default(),
        path: Path {
            district: r.try_get("region_l2")?,
            town: r.try_get("region_l3")?,
        },
    })
}

fn refusal(r: Refusal, action: Action, status: &str) -> StoreError {
    match r {
        Refusal::CommentRequired => StoreError::Invalid(vec![FieldError::new(
            "comment",
            Rule::Required,
            format!("{}须填写理由", action.label(false)),
            format!("{} needs a reason", action.label(true)),
        )]),
        Refusal::WrongState => StoreError::conflict(
            "case_wrong_state",
            None,
            format!(
                "当前状态为“{}”,不能“{}”",
                Status::parse(status)
                    .map(|s| s.label(false))
                    .unwrap_or(status),
                action.label(false)
            ),
            format!(
                "a case that is '{}' cannot be '{}'",
                Status::parse(status)
                    .map(|s| s.label(true))
                    .unwrap_or(status),
                action.label(true)
            ),
        ),
    }
}

fn changed_elsewhere() -> StoreError {
    StoreError::conflict(
        "case_changed",
        None,
        "该事项刚刚已被他人处理,请刷新后查看最新状态",
        "someone else acted on this case a moment ago; reload to see where it stands",
    )
}

impl Service {
    async fn case_in(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        id: i64,
        en: bool,
    ) -> Result<Option<Case>> {
        let resolved = scope.resolve(&mut *conn).await?;
        let mut sql = Sql::new(&format!("{SELECT} WHERE c.id = "));
        sql.bind_int(id);
        resolved.org_filter(&mut sql, "o");
        let now = now_ms();
        sql.query()
            .fetch_optional(conn)
            .await?
            .as_ref()
            .map(|r| from_row(r, en, now))
            .transpose()
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
        if !(actor.role == Role::Unit || actor.role.is_region_staff()) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let org = match (
            actor.role,
            i.org.as_deref().map(str::trim).filter(|s| !s.is_empty()),
        ) {
            (Role::Unit, _) => match actor.org_id {
                Some(o) => orgs::get(tx.conn(), &Scope::All, o).await?,
                None => None,
            },
            (_, Some(k)) => orgs::find(tx.conn(), &actor.write_scope(), k).await?,
            (_, None) => {
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
        if def.effect == Effect::CreatePilot && !matches!(org.kind.as_str(), "enterprise" | "park")
        {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "org",
                Rule::Forbidden,
                "只有企业和园区可以申报试点",
                "only enterprises and parks can apply to be pilots",
            )]));
        }
        let data = check_draft(def, &i.data)?;
        // One open case per process and applicant — per year when the form has a year
        // (a yearly check for 2023 and one for 2024 may both be open).
        let open_years: Vec<String> = sqlx::query(
            "SELECT data FROM wf_cases WHERE process = $1 AND org_id = $2 AND status IN ('draft', 'in_review', 'returned', 'notice')",
        )
        .bind(def.code)
        .bind(org.id)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<std::result::Result<_, _>>()?;
        let year_of = |json: &str| {
            serde_json::from_str::<BTreeMap<String, String>>(json)
                .ok()
                .and_then(|d| d.get("year").cloned())
        };
        let open = open_years
            .iter()
            .filter(|d| match (year_of(d), data.get("year")) {
                (Some(a), Some(b)) => &a == b,
                _ => true,
            })
            .count();
        if open > 0 {
            return Err(StoreError::conflict(
                "case_open",
                Some("process"),
                format!(
                    "“{}”已有一件未办结的{},请在原事项中继续",
                    org.name, def.name_zh
                ),
                format!("{} already has an open {}", org.name, def.name_en),
            ));
        }
        let now = now_ms();
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
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        audit::append(
            tx.conn(),
            actor,
            audit::action::CREATE,
            "case",
            &id.to_string(),
            &title,
            None,
            None,
            now,
        )
        .await?;
        let c = self
            .case_in(tx.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(c)
    }

    /// The applicant: the unit's own contact, or the region staff member who started
    /// the case on its behalf. (Reviewers are not applicants: a district cannot submit
    /// or withdraw a unit's application.)
    fn is_applicant(&self, actor: &Actor, c: &Case) -> bool {
        (actor.role == Role::Unit && actor.org_id == Some(c.org_id))
            || (actor.role.is_region_staff()
                && actor.user_id.is_some()
                && actor.user_id == c.created_by)
    }

    /// Edits the form of a draft or returned case (the applicant).
    pub async fn update_case(
        &self,
        actor: &Actor,
        id: i64,
        data: &BTreeMap<String, String>,
        version: Option<i64>,
    ) -> Result<Case> {
        let mut tx = self.db.begin().await?;
        let c = self
            .case_in(tx.conn(), &actor.write_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !self.is_applicant(actor, &c) {
            return Err(StoreError::Forbidden);
        }
        if !matches!(c.status.as_str(), "draft" | "returned") {
            return Err(StoreError::conflict(
                "case_locked",
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
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(changed_elsewhere());
        }
        let c = self
            .case_in(tx.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(c)
    }

    /// One case with its history and what `actor` may do with it now.
    pub async fn get_case(
        &self,
        actor: &Actor,
        id: i64,
        en: bool,
    ) -> Result<(Case, Vec<Event>, Vec<Action>)> {
        let mut conn = self.db.pool.acquire().await?;
        let c = self
            .case_in(&mut conn, &actor.read_scope(), id, en)
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
                        None => "",
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
        Ok((c, events, actions))
    }

    /// What `actor` may do with a case now (for buttons; [`Service::act`] re-checks).
    pub fn allowed_actions(&self, actor: &Actor, c: &Case) -> Vec<Action> {
        let Some(def) = c.def() else {
            return Vec::new();
        };
        let at = c.position();
        let reviewer = may_review(def, at, actor.role, actor.region_code.as_deref(), &c.path)
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

    /// Acts on a case. Exactly one of several simultaneous actors wins; the others get
    /// `case_changed`. Approval of a pilot application creates the pilot in the same
    /// transaction.
    pub async fn act(&self, actor: &Actor, id: i64, i: &ActInput) -> Result<Case> {
        let action = Action::parse(i.action.trim()).ok_or_else(|| {
            StoreError::Invalid(vec![FieldError::new(
                "action",
                Rule::UnknownValue,
                format!(
                    "未知的操作“{}”,应为 submit、accept、return、reject、withdraw",
                    i.action
                ),
                format!("unknown action '{}'", i.action),
            )])
        })?;
        let comment = i.comment.as_deref().map(str::trim).unwrap_or("");
        if comment.chars().count() > 2000 {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "comment",
                Rule::TooLong,
                "意见不能超过2000字",
                "the comment is longer than 2000 characters",
            )]));
        }
        let mut tx = self.db.begin().await?;
        let c = self
            .case_in(tx.conn(), &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        if i.version.is_some_and(|v| v != c.version) {
            return Err(changed_elsewhere());
        }
        let def = c.def().ok_or(StoreError::NotFound)?;
        let at = c.position();
        if action.by_applicant() {
            if !self.is_applicant(actor, &c) {
                return Err(StoreError::Forbidden);
            }
        } else {
            if !may_review(def, at, actor.role, actor.region_code.as_deref(), &c.path) {
                return Err(StoreError::Denied {
                    code: "not_your_step",
                    zh: format!(
                        "该事项当前由“{}”办理,您无权操作",
                        def.step_label(at.step, false)
                    ),
                    en: format!(
                        "this case waits for '{}', not for you",
                        def.step_label(at.step, true)
                    ),
                });
            }
            if actor.user_id.is_some() && actor.user_id == c.submitted_by {
                return Err(StoreError::Denied {
                    code: "own_submission",
                    zh: "不能审核自己提交的事项".into(),
                    en: "you cannot review a case you submitted".into(),
                });
            }
        }
        let next = advance(def, at, action, &c.path, comment)
            .map_err(|r| refusal(r, action, &c.status))?;
        // Data: a full check on submit; reviewer corrections limited to the step's fields.
        let mut data = c.data.clone();
        let mut changes = serde_json::Map::new();
        if !i.changes.is_empty() {
            let editable: &[&str] = match at.step {
                Some(s) if !action.by_applicant() && s < def.steps.len() => def.steps[s].may_edit,
                _ => &[],
            };
            for (k, v) in &i.changes {
                if !editable.contains(&k.as_str()) {
                    return Err(StoreError::Invalid(vec![FieldError::new(
                        k.clone(),
                        Rule::Forbidden,
                        format!("本环节不能修改“{k}”"),
                        format!("'{k}' cannot be changed at this step"),
                    )]));
                }
                let before = data.insert(k.clone(), v.clone()).unwrap_or_default();
                changes.insert(k.clone(), serde_json::json!([before, v]));
            }
        }
        if action == Action::Submit || !changes.is_empty() {
            data = def
                .check(
                    &data,
                    chrono::Datelike::year(&chrono::Utc::now().date_naive()),
                )
                .map_err(StoreError::Invalid)?;
        }
        // An applicant cannot become a pilot twice at the same level: said on submit and
        // at every review, not first at the final decision.
        if def.effect == Effect::CreatePilot
            && matches!(action, Action::Submit | Action::Accept)
            && next.status != Status::Approved
        {
            if let Some(level) = data.get("level") {
                if crate::pilots::id_by_key(tx.conn(), c.org_id, level)
                    .await?
                    .is_some()
                {
                    return Err(StoreError::Invalid(vec![FieldError::new(
                        "level",
                        Rule::Forbidden,
                        "该单位已是这一级别的试点,请选择其他级别",
                        "the applicant is already a pilot at this level",
                    )]));
                }
            }
        }
        let now = now_ms();
        let due = def
            .deadline_days(next.step)
            .filter(|_| !next.status.is_final() && next.status != Status::Returned)
            .map(|d| now + d * DAY_MS);
        let mut result_ref = c.result_ref.clone();
        if next.status == Status::Approved && def.effect == Effect::CreatePilot {
            let p = self
                .create_pilot_in(
                    tx.conn(),
                    actor,
                    &PilotInput {
                        org: Some(c.org_id.to_string()),
                        level: data.get("level").cloned(),
                        ptype: None,
                        year: data.get("year").cloned(),
                        feature: data.get("feature").cloned(),
                        benchmark: Some(false),
                        version: None,
                    },
                )
                .await?;
            result_ref = Some(format!("pilot:{}", p.id));
        }
        let json = serde_json::to_string(&data).map_err(|e| StoreError::Other(e.to_string()))?;
        let submitted_by = if action == Action::Submit {
            actor.user_id
        } else {
            c.submitted_by
        };
        let n = sqlx::query(
            "UPDATE wf_cases SET status = $1, step = $2, due_at = $3, data = $4, result_ref = $5, submitted_by = $6, reminded_at = NULL, \
             version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
        )
        .bind(next.status.code())
        .bind(next.step.map(|s| s as i64))
        .bind(due)
        .bind(&json)
        .bind(result_ref.as_deref())
        .bind(submitted_by)
        .bind(now)
        .bind(id)
        .bind(c.version)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(changed_elsewhere());
        }
        sqlx::query(
            "INSERT INTO wf_events (case_id, action, from_status, to_status, step, user_id, username, display_name, comment, changes, at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id)
        .bind(action.code())
        .bind(&c.status)
        .bind(next.status.code())
        .bind(c.step)
        .bind(actor.user_id)
        .bind(&actor.username)
        .bind(&actor.display_name)
        .bind(Some(comment).filter(|c| !c.is_empty()))
        .bind((!changes.is_empty()).then(|| serde_json::Value::Object(changes).to_string()))
        .bind(now)
        .execute(tx.conn())
        .await?;
        audit::append(
            tx.conn(),
            actor,
            &format!("case_{}", action.code()),
            "case",
            &id.to_string(),
            &format!("{}:{} → {}", c.title, c.status, next.status.code()),
            None,
            None,
            now,
        )
        .await?;
        let after = self
            .case_in(tx.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.notify_for(tx.conn(), &after, action, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Tells the next reviewers that a case waits for them, and the applicant's contacts
    /// when it comes back to them or is decided.
    async fn notify_for(
        &self,
        conn: &mut AnyConnection,
        c: &Case,
        action: Action,
        now: i64,
    ) -> Result<()> {
        let link = format!("/cases/{}", c.id);
        let at = c.position();
        let users = match at.status {
            Status::InReview | Status::Notice => self.reviewers_of(conn, c).await?,
            Status::Returned | Status::Approved | Status::Rejected => {
                crate::notify::unit_contacts(conn, c.org_id).await?
            }
            _ => Vec::new(),
        };
        let msg = match at.status {
            Status::InReview => format!("待您审核:{}", c.title),
            Status::Notice => format!("公示中,待市产改办决定:{}", c.title),
            Status::Returned => format!("已退回修改:{}", c.title),
            Status::Approved => format!("已通过:{}", c.title),
            Status::Rejected => format!("未通过:{}", c.title),
            _ => format!("{}:{}", action.label(false), c.title),
        };
        crate::notify::notify(conn, &users, &msg, &link, now).await
    }

    /// The accounts that may act on a case now.
    async fn reviewers_of(&self, conn: &mut AnyConnection, c: &Case) -> Result<Vec<i64>> {
        let Some(def) = c.def() else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT id, role, region_code FROM users WHERE role IN ('city', 'district', 'town') AND disabled = 0",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let role: String = r.try_get(1)?;
            let region: Option<String> = r.try_get(2)?;
            let Some(role) = Role::from_any(&role) else {
                continue;
            };
            if may_review(def, c.position(), role, region.as_deref(), &c.path) {
                out.push(r.try_get(0)?);
            }
        }
        Ok(out)
    }

    /// Cases in the actor's area, newest first.
    pub async fn list_cases(&self, actor: &Actor, f: &CaseFilter, en: bool) -> Result<Page<Case>> {
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
        if let Some(r) = &f.region {
            Resolved::region(&mut conn, r)
                .await?
                .org_filter(&mut w, "o");
        }
        if let Some(p) = &f.process {
            w.push(" AND c.process = ").bind_text(p.clone());
        }
        if let Some(s) = &f.status {
            w.push(" AND c.status = ").bind_text(s.clone());
        }
        if let Some(o) = f.org_id {
            w.push(" AND c.org_id = ").bind_int(o);
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            w.push(" AND c.title LIKE ")
                .bind_text(format!("%{}%", like_escape(q)))
                .push(" ESCAPE '\\'");
        }
        let per_page = f.per_page.clamp(1, 500);
        let page = f.page.max(1);
        let mut count = Sql::new(&format!(
            "SELECT COUNT(*) FROM wf_cases c JOIN orgs o ON o.id = c.org_id{}",
            w.text()
        ));
        count.set_args(w.args().to_vec());
        let total: i64 = count.query().fetch_one(&mut *conn).await?.try_get(0)?;
        let mut q = Sql::new(&format!(
            "{SELECT}{} ORDER BY c.updated_at DESC, c.id DESC LIMIT ",
            w.text()
        ));
        q.set_args(w.args().to_vec());
        q.bind_int(per_page)
            .push(" OFFSET ")
            .bind_int((page - 1) * per_page);
        let now = now_ms();
        let rows = q.query().fetch_all(&mut *conn).await?;
        Ok(Page {
            items: rows
                .iter()
                .map(|r| from_row(r, en, now))
                .collect::<Result<_>>()?,
            total,
            page,
            per_page,
        })
    }

    /// What waits for the actor: cases at a step they review (most urgent first), and
    /// for a unit its drafts and returned cases.
    pub async fn inbox(&self, actor: &Actor, en: bool) -> Result<Vec<Case>> {
        let mut conn = self.db.pool.acquire().await?;
        let mut sql = Sql::new(&format!("{SELECT} WHERE "));
        match actor.role {
            Role::Unit => {
                let Some(o) = actor.org_id else {
                    return Ok(Vec::new());
                };
                sql.push("c.status IN ('draft', 'returned') AND c.org_id = ")
                    .bind_int(o);
            }
            Role::City | Role::Sysadmin => {
                sql.push("c.status IN ('in_review', 'notice')");
            }
            Role::District => {
                sql.push("c.status = 'in_review' AND o.region_l2 = ")
                    .bind_text(actor.region_code.clone().unwrap_or_default());
            }
            Role::Town => {
                sql.push("c.status = 'in_review' AND o.region_l3 = ")
                    .bind_text(actor.region_code.clone().unwrap_or_default());
            }
            _ => return Ok(Vec::new()),
        }
        actor
            .read_scope()
            .resolve(&mut conn)
            .await?
            .org_filter(&mut sql, "o");
        sql.push(" ORDER BY c.due_at, c.id");
        let now = now_ms();
        let rows = sql.query().fetch_all(&mut *conn).await?;
        let mut out = Vec::new();
        for r in &rows {
            let c = from_row(r, en, now)?;
            let mine = match actor.role {
                Role::Unit => true,
                _ => {
                    c.def().is_some_and(|d| {
                        may_review(
                            d,
                            c.position(),
                            actor.role,
                            actor.region_code.as_deref(),
                            &c.path,
                        )
                    }) && (actor.user_id.is_none() || actor.user_id != c.submitted_by)
                }
            };
            if mine {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// The actor's unread notifications (newest first) and how many there are.
    pub async fn notifications(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(i64, String, Option<String>, i64)>> {
        let Some(uid) = actor.user_id else {
            return Ok(Vec::new());
        };
        let mut conn = self.db.pool.acquire().await?;
        let rows = sqlx::query(
            "SELECT id, message, link, created_at FROM notifications WHERE user_id = $1 AND read_at IS NULL ORDER BY id DESC LIMIT 50",
        )
        .bind(uid)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect()
    }

    pub async fn mark_notifications_read(&self, actor: &Actor) -> Result<()> {
        let Some(uid) = actor.user_id else {
            return Ok(());
        };
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(now_ms())
            .bind(uid)
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reminders before and after deadlines: a case due within two days, or overdue, and
    /// not yet reminded at this step, notifies its reviewers once. Returns how many cases
    /// were reminded. Run periodically by the server.
    pub async fn remind_deadlines(&self, now: i64) -> Result<usize> {
        let mut tx = self.db.begin().await?;
        let mut sql = Sql::new(&format!(
            "{SELECT} WHERE c.status IN ('in_review', 'notice') AND c.due_at IS NOT NULL AND c.due_at < "
        ));
        sql.bind_int(now + 2 * DAY_MS)
            .push(" AND (c.reminded_at IS NULL OR (c.reminded_at < c.due_at AND c.due_at < ")
            .bind_int(now)
            .push("))");
        let rows = sql.query().fetch_all(tx.conn()).await?;
        let cases = rows
            .iter()
            .map(|r| from_row(r, false, now))
            .collect::<Result<Vec<_>>>()?;
        for c in &cases {
            let msg = if c.overdue {
                format!("已逾期,请尽快办理:{}", c.title)
            } else {
                format!("即将到期(两日内),请及时办理:{}", c.title)
            };
            let users = self.reviewers_of(tx.conn(), c).await?;
            crate::notify::notify(tx.conn(), &users, &msg, &format!("/cases/{}", c.id), now)
                .await?;
            sqlx::query("UPDATE wf_cases SET reminded_at = $1 WHERE id = $2")
                .bind(now)
                .bind(c.id)
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await?;
        Ok(cases.len())
    }
}

/// A draft may be incomplete: everything but "required" is checked.
fn check_draft(def: &Process, data: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>> {
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    let (out, errs) = def.normalise(data, year);
    let real: Vec<FieldError> = errs
        .into_iter()
        .filter(|e| e.rule != Rule::Required)
        .collect();
    if real.is_empty() {
        Ok(out)
    } else {
        Err(StoreError::Invalid(real))
    }
}

/// A bulk action over many cases: chunked, resumable after a restart, never acting twice
/// (each case is acted on at the version it had when the job started).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BulkJob {
    pub id: String,
    pub action: String,
    pub total: i64,
    pub done: i64,
    pub succeeded: i64,
    pub skipped: i64,
    /// running, done, failed
    pub status: String,
}

const BULK_CHUNK: usize = 100;

impl Service {
    /// Records a bulk action; [`Service::run_bulk`] carries it out. Ids of cases that do
    /// not exist are dropped here.
    pub async fn start_bulk(
        &self,
        actor: &Actor,
        ids: &[i64],
        action: &str,
        comment: Option<&str>,
    ) -> Result<BulkJob> {
        let Some(a) = Action::parse(action) else {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "action",
                Rule::UnknownValue,
                format!("未知的操作“{action}”"),
                format!("unknown action '{action}'"),
            )]));
        };
        if a.by_applicant() {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "action",
                Rule::Forbidden,
                "批量操作只用于审核(通过、退回、不予通过)",
                "bulk actions are for reviewers (accept, return, reject)",
            )]));
        }
        if a.needs_comment() && comment.map(str::trim).unwrap_or("").is_empty() {
            return Err(refusal(Refusal::CommentRequired, a, ""));
        }
        if ids.is_empty() || ids.len() > 20_000 {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "ids",
                Rule::BadLength,
                "请选择1至20000件事项",
                "choose 1 to 20,000 cases",
            )]));
        }
        let uid = actor.user_id.ok_or(StoreError::Forbidden)?;
        let mut tx = self.db.begin().await?;
        // The version of every case now: acting at exactly that version makes a resumed
        // job skip what it already did.
        let mut pairs: Vec<(i64, i64)> = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let list = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            for r in sqlx::query(&format!(
                "SELECT id, version FROM wf_cases WHERE id IN ({list})"
            ))
            .fetch_all(tx.conn())
            .await?
            {
                pairs.push((r.try_get(0)?, r.try_get(1)?));
            }
        }
        pairs.sort_unstable();
        let id = crate::users::random_token()[..16].to_string();
        let now = now_ms();
        let json = serde_json::to_string(&pairs).map_err(|e| StoreError::Other(e.to_string()))?;
        sqlx::query(
            "INSERT INTO wf_bulk (id, user_id, action, comment, case_ids, done, succeeded, skipped, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 0, 0, $6, 'running', $7, $7)",
        )
        .bind(&id)
        .bind(uid)
        .bind(a.code())
        .bind(comment)
        .bind(&json)
        .bind(0i64)
        .bind(now)
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        self.bulk_job(actor, &id).await
    }

    pub async fn bulk_job(&self, actor: &Actor, id: &str) -> Result<BulkJob> {
        let mut conn = self.db.pool.acquire().await?;
        let r = sqlx::query(
            "SELECT id, action, case_ids, done, succeeded, skipped, status, user_id FROM wf_bulk WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        let owner: i64 = r.try_get(7)?;
        if actor.user_id != Some(owner) {
            return Err(StoreError::NotFound);
        }
        let pairs: Vec<(i64, i64)> =
            serde_json::from_str(&r.try_get::<String, _>(2)?).unwrap_or_default();
        let skipped: i64 = r.try_get(5)?;
        Ok(BulkJob {
            id: r.try_get(0)?,
            action: r.try_get(1)?,
            total: pairs.len() as i64,
            done: r.try_get(3)?,
            succeeded: r.try_get(4)?,
            skipped,
            status: r.try_get(6)?,
        })
    }

    /// Jobs left running by a stopped server.
    pub async fn unfinished_bulk_jobs(&self) -> Result<Vec<String>> {
        let mut conn = self.db.pool.acquire().await?;
        sqlx::query("SELECT id FROM wf_bulk WHERE status = 'running' ORDER BY created_at")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok(r.try_get(0)?))
            .collect()
    }

    /// Carries out (or resumes) a bulk job, chunk by chunk; progress is saved after each
    /// chunk. A case that moved on since the job started is skipped, not acted on again.
    pub async fn run_bulk(&self, id: &str) -> Result<()> {
        let mut conn = self.db.pool.acquire().await?;
        let r = sqlx::query(
            "SELECT user_id, action, comment, case_ids, done, status FROM wf_bulk WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        let uid: i64 = r.try_get(0)?;
        let action: String = r.try_get(1)?;
        let comment: Option<String> = r.try_get(2)?;
        let pairs: Vec<(i64, i64)> =
            serde_json::from_str(&r.try_get::<String, _>(3)?).unwrap_or_default();
        let done: i64 = r.try_get(4)?;
        let status: String = r.try_get(5)?;
        if status != "running" {
            return Ok(());
        }
        let user = crate::users::get(&mut conn, uid)
            .await?
            .ok_or(StoreError::NotFound)?;
        drop(conn);
        let actor = user.actor("bulk");
        let start = usize::try_from(done).unwrap_or(0).min(pairs.len());
        for (n, chunk) in pairs[start..].chunks(BULK_CHUNK).enumerate() {
            let (mut ok, mut skip) = (0i64, 0i64);
            for (case, version) in chunk {
                let input = ActInput {
                    action: action.clone(),
                    comment: comment.clone(),
                    version: Some(*version),
                    changes: BTreeMap::new(),
                };
                match self.act(&actor, *case, &input).await {
                    Ok(_) => ok += 1,
                    Err(StoreError::Db(e)) => return Err(StoreError::Db(e)),
                    Err(StoreError::Other(e)) => return Err(StoreError::Other(e)),
                    Err(_) => skip += 1,
                }
            }
            let done = (start + n * BULK_CHUNK + chunk.len()) as i64;
            let mut tx = self.db.begin().await?;
            sqlx::query(
                "UPDATE wf_bulk SET done = $1, succeeded = succeeded + $2, skipped = skipped + $3, updated_at = $4 WHERE id = $5",
            )
            .bind(done)
            .bind(ok)
            .bind(skip)
            .bind(now_ms())
            .bind(id)
            .execute(tx.conn())
            .await?;
            tx.commit().await?;
        }
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE wf_bulk SET status = 'done', updated_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(id)
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Service {
    /// Attaches material to a case: the applicant while it is a draft or returned, or
    /// the reviewer of the current step (a review memo). Files are checked by content
    /// and size; the history records the upload.
    pub async fn attach_case_files(
        &self,
        actor: &Actor,
        id: i64,
        files: &[(String, Vec<u8>)],
    ) -> Result<Case> {
        if files.is_empty() {
            return Err(StoreError::Invalid(vec![FieldError::required(
                "file", "附件", "File",
            )]));
        }
        if files.len() > 10 {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "file",
                Rule::TooLong,
                "一次最多上传10个文件",
                "at most 10 files at a time",
            )]));
        }
        let mut tx = self.db.begin().await?;
        let c = self
            .case_in(tx.conn(), &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let def = c.def().ok_or(StoreError::NotFound)?;
        let at = c.position();
        let applicant =
            self.is_applicant(actor, &c) && matches!(at.status, Status::Draft | Status::Returned);
        let reviewer = may_review(def, at, actor.role, actor.region_code.as_deref(), &c.path);
        if !(applicant || reviewer) {
            return Err(StoreError::conflict(
                "case_locked",
                Some("file"),
                "该事项当前不能由您上传材料(申报单位只能在草稿或退回后补充材料)",
                "you cannot attach material to this case now",
            ));
        }
        let mut ids = c.file_ids.clone();
        let mut names = Vec::new();
        for (name, bytes) in files {
            let m = self
                .store_file(tx.conn(), actor, Some(c.org_id), name, bytes)
                .await?;
            ids.push(m.id);
            names.push(m.name);
        }
        let now = now_ms();
        let json = serde_json::to_string(&ids).map_err(|e| StoreError::Other(e.to_string()))?;
        let n = sqlx::query(
            "UPDATE wf_cases SET file_ids = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(&json)
        .bind(now)
        .bind(id)
        .bind(c.version)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(changed_elsewhere());
        }
        sqlx::query(
            "INSERT INTO wf_events (case_id, action, from_status, to_status, step, user_id, username, display_name, comment, changes, at_ms) \
             VALUES ($1, 'attach', $2, $2, $3, $4, $5, $6, $7, NULL, $8)",
        )
        .bind(id)
        .bind(&c.status)
        .bind(c.step)
        .bind(actor.user_id)
        .bind(&actor.username)
        .bind(&actor.display_name)
        .bind(names.join("、"))
        .bind(now)
        .execute(tx.conn())
        .await?;
        audit::append(
            tx.conn(),
            actor,
            audit::action::UPDATE,
            "case",
            &id.to_string(),
            &format!("{}:上传材料 {}", c.title, names.join("、")),
            None,
            None,
            now,
        )
        .await?;
        let mut after = self
            .case_in(tx.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        after.files = Self::file_metas(tx.conn(), &after.file_ids).await?;
        tx.commit().await?;
        Ok(after)
    }
}
