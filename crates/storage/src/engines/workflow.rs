//! Cases of the workflow engine ([`gongjiang_domain::workflow`]): create and edit the
//! form, act on a case (exactly one of two simultaneous reviewers wins; the other gets a
//! conflict), the history of every case, the inbox of what waits for a user, in-app
//! notifications, deadline reminders, and bulk actions that are chunked, resumable and
//! never act twice.
use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::orgs;
use crate::scope::{Actor, Resolved, Scope};
use crate::service::Service;
use crate::sql::{like_escape, Sql};
use crate::{now_ms, Page};
use gongjiang_domain::workflow::{
    advance, check_notice_decision, check_objection_text, items_outcome, may_review, Action,
    ItemStatus, ObjectionOutcome, Path, Position, Process, Refusal, Status,
};
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Role, Rule};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;

pub use crate::engines::indicators::PartFuture;

/// What a part plugs into the engine for the processes whose records it keeps. A part
/// registers one with `#[distributed_slice(CASE_HOOKS)]` in `crate::parts::registry`;
/// the engine calls the hooks and never names the part. Every hook is optional.
pub struct CaseHooks {
    /// The part, for documentation and tests.
    pub part: &'static str,
    /// The processes served (codes of [`gongjiang_domain::workflow::PROCESSES`]).
    pub processes: &'static [&'static str],
    /// The prefix of the subject keys the part keeps (`liuyou` in `liuyou:<org>:<year>`)
    /// and the page of such a record, given the key after `prefix:`.
    pub subject: Option<(&'static str, SubjectPage)>,
    /// Who acts as the applicant, in place of the engine's rule (the unit's own accounts,
    /// or the staff member who started the case).
    pub acts_for: Option<fn(&Actor, &Case) -> bool>,
    /// Refuses an applicant the process cannot take, before a draft is kept.
    pub check_start: Option<StartCheck>,
    /// Refuses a submit or a review's accept that does not yet approve.
    pub check_move: Option<MoveCheck>,
    /// What the record requires before a checklist case is submitted.
    pub check_submit: Option<SubmitCheck>,
    /// What approval does besides closing the case; returns the result's reference.
    pub on_approve: Option<OnApprove>,
    /// Keeps the record in step after every transition.
    pub sync: Option<SyncHook>,
}

/// The page of a record, given its subject key after the prefix.
pub type SubjectPage = fn(&str) -> Option<String>;
/// `(conn, applicant, the form as given)`.
pub type StartCheck = for<'a> fn(
    &'a mut AnyConnection,
    &'a orgs::Org,
    &'a BTreeMap<String, String>,
) -> PartFuture<'a, ()>;
/// `(conn, case, the form after the move)`.
pub type MoveCheck =
    for<'a> fn(&'a mut AnyConnection, &'a Case, &'a BTreeMap<String, String>) -> PartFuture<'a, ()>;
/// `(conn, case, subject key)`.
pub type SubmitCheck = for<'a> fn(&'a mut AnyConnection, &'a Case, &'a str) -> PartFuture<'a, ()>;
/// `(service, conn, actor, case, the approved form, now)` → the result's reference.
pub type OnApprove = for<'a> fn(
    &'a Service,
    &'a mut AnyConnection,
    &'a Actor,
    &'a Case,
    &'a BTreeMap<String, String>,
    i64,
) -> PartFuture<'a, Option<String>>;
/// `(conn, case after the move, subject key, actor, now)`.
pub type SyncHook =
    for<'a> fn(&'a mut AnyConnection, &'a Case, &'a str, &'a Actor, i64) -> PartFuture<'a, ()>;

impl CaseHooks {
    /// No hooks: the case is the record (the base for a registration's `..`).
    pub const NONE: CaseHooks = CaseHooks {
        part: "",
        processes: &[],
        subject: None,
        acts_for: None,
        check_start: None,
        check_move: None,
        check_submit: None,
        on_approve: None,
        sync: None,
    };
}

/// Every part's hooks, registered by the parts.
#[linkme::distributed_slice]
pub static CASE_HOOKS: [CaseHooks];

/// The hooks registered for a process ([`CaseHooks::NONE`] when none are).
pub fn hooks_of(process: &str) -> &'static CaseHooks {
    CASE_HOOKS
        .iter()
        .find(|h| h.processes.contains(&process))
        .unwrap_or(&CaseHooks::NONE)
}

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
    /// The module record the case drives, e.g. `liuyou:17:2023`.
    pub subject: Option<String>,
    /// Checklist items and their decisions (filled on the detail; empty in lists).
    pub items: Vec<CaseItem>,
    /// Objections lodged during the public notice (filled on the detail).
    pub objections: Vec<Objection>,
    /// The experts' aggregate score, once the city closed the scoring.
    pub score: Option<f64>,
    /// Assigned experts and their scores as the caller may see them (filled on the
    /// detail): all of them for the city, an expert's own row for that expert.
    pub experts: Vec<CaseExpert>,
    #[serde(skip)]
    path: Path,
}

/// An expert assigned to score a case.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseExpert {
    pub user_id: i64,
    /// The expert's name (the city and the expert); 专家A/B/C for everyone else.
    pub name: String,
    pub score: Option<f64>,
    pub comment: Option<String>,
    pub scored_at: Option<i64>,
    /// Far from the other experts (see the assessment's outlier rule).
    pub outlier: bool,
}

/// A checklist item of a case and its decision.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseItem {
    pub item: String,
    pub name: String,
    /// draft, submitted, accepted, returned
    pub status: String,
    pub status_label: String,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
}

/// An objection lodged during the public notice, with the city's answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Objection {
    pub id: i64,
    /// Who lodged it: shown to the city and to the objector only (公示异议人信息保密).
    pub by: Option<String>,
    /// Who raised it, when the office recorded an objection received by letter or phone.
    pub raised_by: Option<String>,
    pub body: String,
    /// open, upheld, dismissed
    pub outcome: String,
    pub outcome_label: String,
    pub response: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
    pub created_at: i64,
    /// Lodged by the caller.
    pub mine: bool,
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
    #[schema(value_type = Option<Object>)]
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
    c.version, c.created_at, c.updated_at, c.submitted_by, c.created_by, o.region_l2, o.region_l3, c.file_ids, c.subject, c.score_x100 FROM wf_cases c JOIN orgs o ON o.id = c.org_id";

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
        subject: r.try_get("subject")?,
        items: Vec::new(),
        objections: Vec::new(),
        score: r
            .try_get::<Option<i64>, _>("score_x100")?
            .map(|x| x as f64 / 100.0),
        experts: Vec::new(),
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
        Refusal::NoticeRunning => StoreError::conflict(
            Code::NoticeRunning,
            None,
            "公示期尚未结束，期满后方可作出决定",
            "the public notice has not run its days yet; decide when it ends",
        ),
        Refusal::ObjectionsOpen => StoreError::conflict(
            Code::ObjectionsOpen,
            None,
            "公示期间收到的异议尚未全部处理，请先逐条填写处理意见",
            "answer every objection lodged during the notice first",
        ),
        Refusal::ObjectionUpheld => StoreError::conflict(
            Code::ObjectionUpheld,
            None,
            "有异议经核查成立，不能通过；请退回修改或不予通过",
            "an objection was upheld: return or reject the case instead",
        ),
        Refusal::ScoringIncomplete => StoreError::conflict(
            Code::ScoringIncomplete,
            None,
            "专家评审尚未完成：还有专家未评分，或评分专家人数不足",
            "expert scoring is not complete: an assigned expert has not scored, or too few have",
        ),
        Refusal::WrongState => StoreError::conflict(
            Code::CaseWrongState,
            None,
            format!(
                "当前状态为“{}”，不能“{}”",
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
        Code::StaleVersion,
        None,
        "该事项刚刚已被他人处理，请刷新后查看最新状态",
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
        if def.subject.is_some() {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "process",
                Rule::Forbidden,
                format!("“{}”在其业务页面中提交，不能单独新建", def.name_zh),
                format!("a {} is started from its own page", def.name_en),
            )]));
        }
        access::check(actor, Permission::StartCase)?;
        let mut tx = self.db.begin().await?;
        let org = match (
            actor.role,
            i.org.as_deref().map(str::trim).filter(|s| !s.is_empty()),
        ) {
            (Role::Unit, given) => Some(orgs::unit_own(tx.conn(), actor, given).await?),
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
        let data = check_draft(def, &i.data)?;
        // One open case per process and applicant — per year when the form has a year
        // (a yearly check for 2023 and one for 2024 may both be open).
        if let Some(open) = open_case_id(
            tx.conn(),
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
            check(tx.conn(), &org, &data).await?;
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
    /// `stale_version`. Approval of a pilot application creates the pilot in the same
    /// transaction.
    pub async fn act(&self, actor: &Actor, id: i64, i: &ActInput) -> Result<Case> {
        let mut tx = self.db.begin().await?;
        let c = self.act_in(tx.conn(), actor, id, i).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// [`Service::act`] inside the caller's transaction (modules whose records a case
    /// drives, such as the 六有, submit through it).
    pub(crate) async fn act_in(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        i: &ActInput,
    ) -> Result<Case> {
        let mut action = Action::parse(i.action.trim()).ok_or_else(|| {
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
        let mut comment = i
            .comment
            .as_deref()
            .map(str::trim)
            .unwrap_or("")
            .to_string();
        if comment.chars().count() > 2000 {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "comment",
                Rule::TooLong,
                "意见不能超过2000字",
                "the comment is longer than 2000 characters",
            )]));
        }
        lock_case(conn, id).await?;
        let c = self
            .case_in(conn, &actor.read_scope(), id, false)
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
            self.check_reviewer(actor, def, &c)?;
        }
        let mut next = advance(def, at, action, &c.path, &comment)
            .map_err(|r| refusal(r, action, &c.status))?;
        let now = now_ms();
        if at.status == Status::Scoring && action == Action::Accept {
            if let Some(scoring) = def.scoring {
                let rows =
                    sqlx::query("SELECT score_x100 FROM wf_scores WHERE case_id = $1 ORDER BY id")
                        .bind(id)
                        .fetch_all(&mut *conn)
                        .await?;
                let scores: Vec<f64> = rows
                    .iter()
                    .filter_map(|r| r.try_get::<Option<i64>, _>(0).ok().flatten())
                    .map(|x| x as f64 / 100.0)
                    .collect();
                gongjiang_domain::workflow::check_scoring_close(&scoring, rows.len(), scores.len())
                    .map_err(|r| refusal(r, action, &c.status))?;
                let agg = gongjiang_domain::assessment::aggregate(&scores, scoring.max as f64);
                sqlx::query("UPDATE wf_cases SET score_x100 = $1 WHERE id = $2")
                    .bind(gongjiang_domain::assessment::cents(agg.value))
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                if comment.is_empty() {
                    comment = format!(
                        "专家评审结束：{} 位专家，{} {:.2} 分",
                        scores.len(),
                        if agg.method == gongjiang_domain::assessment::Method::TrimmedMean {
                            "去掉一个最高分和一个最低分后平均"
                        } else {
                            "平均"
                        },
                        agg.value
                    );
                }
            }
        }
        if at.status == Status::Notice {
            let outcomes = objection_outcomes(conn, id).await?;
            check_notice_decision(action, now, c.due_at, &outcomes)
                .map_err(|r| refusal(r, action, &c.status))?;
        }
        // Checklist items: a submit sends the items not yet accepted to review; a
        // reviewer's accept or return decides every item still waiting, and the items
        // then say where the case goes; a withdrawal takes the waiting items back.
        if !def.items.is_empty() {
            match (action, at.status) {
                (Action::Submit, _) => {
                    ensure_items(conn, def, id).await?;
                    self.check_subject_submit(conn, &c).await?;
                    sqlx::query(
                        "UPDATE wf_items SET status = 'submitted', reason = NULL WHERE case_id = $1 AND status <> 'accepted'",
                    )
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                }
                (Action::Accept | Action::Return, Status::InReview) => {
                    let accept = action == Action::Accept;
                    sqlx::query(
                        "UPDATE wf_items SET status = $1, reason = $2, decided_by = $3, decided_name = $4, decided_at = $5 \
                         WHERE case_id = $6 AND status = 'submitted'",
                    )
                    .bind(if accept { "accepted" } else { "returned" })
                    .bind((!accept).then_some(comment.as_str()))
                    .bind(actor.user_id)
                    .bind(&actor.display_name)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                    let items = item_rows(conn, id).await?;
                    let statuses: Vec<ItemStatus> = items.iter().map(|x| x.1).collect();
                    if let Some(outcome) = items_outcome(&statuses) {
                        if outcome == Action::Return && comment.is_empty() {
                            comment = returned_reasons(def, &items);
                        }
                        action = outcome;
                        next = advance(def, at, action, &c.path, &comment)
                            .map_err(|r| refusal(r, action, &c.status))?;
                    }
                }
                (Action::Withdraw, _) => {
                    sqlx::query(
                        "UPDATE wf_items SET status = 'draft' WHERE case_id = $1 AND status = 'submitted'",
                    )
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                }
                _ => {}
            }
        }
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
        // The part's checks on a move that does not yet approve (e.g. an applicant cannot
        // become a pilot twice at the same level: said on submit and at every review).
        if matches!(action, Action::Submit | Action::Accept) && next.status != Status::Approved {
            if let Some(check) = hooks_of(def.code).check_move {
                check(&mut *conn, &c, &data).await?;
            }
        }
        self.transition(
            conn,
            actor,
            &c,
            Move {
                action,
                next,
                comment: &comment,
                data,
                changes,
                now,
            },
        )
        .await
    }

    /// The reviewer rule of [`Service::act`]: the right level for the step, never the
    /// person who submitted the case.
    fn check_reviewer(&self, actor: &Actor, def: &Process, c: &Case) -> Result<()> {
        let at = c.position();
        if !may_review(def, at, actor.role, actor.region_code.as_deref(), &c.path) {
            return Err(StoreError::Denied {
                code: Code::NotYourStep,
                zh: format!(
                    "该事项当前由“{}”办理，您无权操作",
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
                code: Code::OwnSubmission,
                zh: "不能审核自己提交的事项".into(),
                en: "you cannot review a case you submitted".into(),
            });
        }
        Ok(())
    }

    /// Moves a case: the new position with its deadline, what approval does, the history
    /// entry, the audit entry, the notifications and the module record the case drives,
    /// all in the caller's transaction. Fails with `stale_version` if the case moved since
    /// it was read.
    async fn transition(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        c: &Case,
        m: Move<'_>,
    ) -> Result<Case> {
        let Move {
            action,
            next,
            comment,
            data,
            changes,
            now,
        } = m;
        let def = c.def().ok_or(StoreError::NotFound)?;
        let id = c.id;
        // The next level reviews every item again.
        if !def.items.is_empty() && action == Action::Accept && next.status == Status::InReview {
            sqlx::query("UPDATE wf_items SET status = 'submitted' WHERE case_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        let due = def
            .deadline_at(next)
            .filter(|_| !next.status.is_final() && next.status != Status::Returned)
            .map(|d| now + d * DAY_MS);
        let mut result_ref = c.result_ref.clone();
        if next.status == Status::Approved {
            if let Some(on_approve) = hooks_of(def.code).on_approve {
                if let Some(r) = on_approve(self, &mut *conn, actor, c, &data, now).await? {
                    result_ref = Some(r);
                }
            }
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
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(changed_elsewhere());
        }
        add_event(
            conn,
            actor,
            id,
            action.code(),
            &c.status,
            next.status.code(),
            c.step,
            Some(comment).filter(|c| !c.is_empty()),
            (!changes.is_empty()).then(|| serde_json::Value::Object(changes).to_string()),
            now,
        )
        .await?;
        audit::append(
            &mut *conn,
            actor,
            &format!("case_{}", action.code()),
            "case",
            &id.to_string(),
            &format!(
                "{}：{} → {}",
                c.title,
                Status::parse(&c.status).map_or(c.status.as_str(), |s| s.label(false)),
                next.status.label(false)
            ),
            None,
            None,
            now,
        )
        .await?;
        let after = self
            .case_in(&mut *conn, &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.notify_for(&mut *conn, actor, &after, action, now)
            .await?;
        self.sync_subject(conn, &after, actor, now).await?;
        Ok(after)
    }

    /// Keeps the record a case drives in step with it (the part's `sync` hook).
    async fn sync_subject(
        &self,
        conn: &mut AnyConnection,
        c: &Case,
        actor: &Actor,
        now: i64,
    ) -> Result<()> {
        match (hooks_of(&c.process).sync, c.subject.as_deref()) {
            (Some(sync), Some(subject)) => sync(conn, c, subject, actor, now).await,
            _ => Ok(()),
        }
    }

    /// What the part requires before its case is submitted (e.g. evidence on every
    /// 六有 item that goes to review).
    async fn check_subject_submit(&self, conn: &mut AnyConnection, c: &Case) -> Result<()> {
        match (hooks_of(&c.process).check_submit, c.subject.as_deref()) {
            (Some(check), Some(subject)) => check(conn, c, subject).await,
            _ => Ok(()),
        }
    }

    /// Accepts one checklist item of a case, or returns it with a reason (the reviewer
    /// of the current step). When no item waits any more, the case moves on by itself:
    /// returned if any item was returned, accepted otherwise. Decisions on the same case
    /// queue up; exactly one of two simultaneous decisions on the same item wins.
    pub async fn decide_item(
        &self,
        actor: &Actor,
        id: i64,
        item: &str,
        accept: bool,
        reason: Option<&str>,
    ) -> Result<Case> {
        let mut tx = self.db.begin().await?;
        let c = self
            .decide_item_in(tx.conn(), actor, id, item, accept, reason)
            .await?;
        tx.commit().await?;
        Ok(c)
    }

    pub(crate) async fn decide_item_in(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        item: &str,
        accept: bool,
        reason: Option<&str>,
    ) -> Result<Case> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if !accept && reason.is_none() {
            return Err(StoreError::Invalid(vec![FieldError::required(
                "reason",
                "退回理由",
                "Reason",
            )]));
        }
        if reason.is_some_and(|r| r.chars().count() > 2000) {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "reason",
                Rule::TooLong,
                "退回理由不能超过2000字",
                "the reason is longer than 2000 characters",
            )]));
        }
        lock_case(conn, id).await?;
        let c = self
            .case_in(conn, &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let def = c.def().ok_or(StoreError::NotFound)?;
        let it = def
            .items
            .iter()
            .find(|x| x.code == item)
            .ok_or(StoreError::NotFound)?;
        if c.status != Status::InReview.code() {
            return Err(item_not_waiting(it.name_zh, it.name_en));
        }
        self.check_reviewer(actor, def, &c)?;
        let now = now_ms();
        let n = sqlx::query(
            "UPDATE wf_items SET status = $1, reason = $2, decided_by = $3, decided_name = $4, decided_at = $5 \
             WHERE case_id = $6 AND item = $7 AND status = 'submitted'",
        )
        .bind(if accept { "accepted" } else { "returned" })
        .bind(if accept { None } else { reason })
        .bind(actor.user_id)
        .bind(&actor.display_name)
        .bind(now)
        .bind(id)
        .bind(it.code)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(item_not_waiting(it.name_zh, it.name_en));
        }
        let code = if accept { "item_accept" } else { "item_return" };
        let note = match reason {
            Some(r) => format!("{}：{r}", it.name_zh),
            None => it.name_zh.to_string(),
        };
        add_event(
            conn,
            actor,
            id,
            code,
            &c.status,
            &c.status,
            c.step,
            Some(&note),
            None,
            now,
        )
        .await?;
        audit::append(
            &mut *conn,
            actor,
            &format!("case_{code}"),
            "case",
            &id.to_string(),
            &format!("{} {note}", c.title),
            None,
            None,
            now,
        )
        .await?;
        if !accept {
            let users = crate::notify::unit_contacts(conn, c.org_id).await?;
            crate::notify::notify(
                conn,
                &users,
                &format!(
                    "{}“{}”被退回：{}",
                    def.name_zh,
                    it.name_zh,
                    reason.unwrap_or("")
                ),
                &subject_link(&c),
                now,
            )
            .await?;
        }
        let items = item_rows(conn, id).await?;
        let statuses: Vec<ItemStatus> = items.iter().map(|x| x.1).collect();
        match items_outcome(&statuses) {
            Some(action) => {
                let comment = if action == Action::Return {
                    returned_reasons(def, &items)
                } else {
                    String::new()
                };
                let next = advance(def, c.position(), action, &c.path, &comment)
                    .map_err(|r| refusal(r, action, &c.status))?;
                self.transition(
                    conn,
                    actor,
                    &c,
                    Move {
                        action,
                        next,
                        comment: &comment,
                        data: c.data.clone(),
                        changes: serde_json::Map::new(),
                        now,
                    },
                )
                .await
            }
            None => {
                self.sync_subject(conn, &c, actor, now).await?;
                self.case_in(conn, &Scope::All, id, false)
                    .await?
                    .ok_or(StoreError::NotFound)
            }
        }
    }

    /// Lodges an objection during the public notice (any signed-in user who can see the
    /// case; the city may record one received by letter or phone, naming who raised it).
    pub async fn lodge_objection(
        &self,
        actor: &Actor,
        id: i64,
        body: &str,
        raised_by: Option<&str>,
    ) -> Result<Objection> {
        let body = check_objection_text("body", body).map_err(|e| StoreError::Invalid(vec![e]))?;
        let raised_by = raised_by.map(str::trim).filter(|s| !s.is_empty());
        if raised_by.is_some() && !access::may(actor, Permission::DecideForCity) {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "raised_by",
                Rule::Forbidden,
                "只有市产改办可以代为登记他人提出的异议",
                "only the city office records objections on someone's behalf",
            )]));
        }
        if raised_by.is_some_and(|r| r.chars().count() > 100) {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "raised_by",
                Rule::TooLong,
                "异议人不能超过100个字",
                "longer than 100 characters",
            )]));
        }
        let mut tx = self.db.begin().await?;
        lock_case(tx.conn(), id).await?;
        let c = self
            .case_in(tx.conn(), &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let now = now_ms();
        if c.status != Status::Notice.code() || c.due_at.is_some_and(|end| end < now) {
            return Err(StoreError::conflict(
                Code::CaseNotInNotice,
                None,
                "该事项不在公示期，不能提出异议",
                "objections are taken only while the case is on public notice",
            ));
        }
        let oid: i64 = sqlx::query(
            "INSERT INTO wf_objections (case_id, user_id, username, display_name, raised_by, body, outcome, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING id",
        )
        .bind(id)
        .bind(actor.user_id)
        .bind(&actor.username)
        .bind(&actor.display_name)
        .bind(raised_by)
        .bind(&body)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        add_event(
            tx.conn(),
            actor,
            id,
            "object",
            &c.status,
            &c.status,
            c.step,
            Some(&format!("异议 #{oid}")),
            None,
            now,
        )
        .await?;
        audit::append(
            tx.conn(),
            actor,
            "case_object",
            "case",
            &id.to_string(),
            &format!("{} 异议 #{oid}", c.title),
            None,
            None,
            now,
        )
        .await?;
        let users = self.reviewers_of(tx.conn(), &c).await?;
        crate::notify::notify(
            tx.conn(),
            &users,
            &format!("公示期间收到异议，请核查处理：{}", c.title),
            &format!("/cases/{id}"),
            now,
        )
        .await?;
        let o = self
            .objections_of(tx.conn(), actor, id, false)
            .await?
            .into_iter()
            .find(|o| o.id == oid)
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(o)
    }

    /// The city answers an objection: upheld (the case cannot be approved as it stands)
    /// or dismissed, with a written response. The objector is told.
    pub async fn answer_objection(
        &self,
        actor: &Actor,
        id: i64,
        objection: i64,
        upheld: bool,
        response: &str,
    ) -> Result<Objection> {
        let response =
            check_objection_text("response", response).map_err(|e| StoreError::Invalid(vec![e]))?;
        let mut tx = self.db.begin().await?;
        lock_case(tx.conn(), id).await?;
        let c = self
            .case_in(tx.conn(), &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let def = c.def().ok_or(StoreError::NotFound)?;
        if c.status != Status::Notice.code() {
            return Err(StoreError::conflict(
                Code::CaseNotInNotice,
                None,
                "该事项已不在公示期",
                "the case is no longer on public notice",
            ));
        }
        self.check_reviewer(actor, def, &c)?;
        let objector: Option<i64> =
            sqlx::query("SELECT user_id FROM wf_objections WHERE id = $1 AND case_id = $2")
                .bind(objection)
                .bind(id)
                .fetch_optional(tx.conn())
                .await?
                .ok_or(StoreError::NotFound)?
                .try_get(0)?;
        let now = now_ms();
        let outcome = if upheld {
            ObjectionOutcome::Upheld
        } else {
            ObjectionOutcome::Dismissed
        };
        let n = sqlx::query(
            "UPDATE wf_objections SET outcome = $1, response = $2, answered_by = $3, answered_at = $4 \
             WHERE id = $5 AND outcome = 'open'",
        )
        .bind(outcome.code())
        .bind(&response)
        .bind(&actor.display_name)
        .bind(now)
        .bind(objection)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::conflict(
                Code::ObjectionAnswered,
                None,
                "该异议已处理",
                "this objection has been answered already",
            ));
        }
        add_event(
            tx.conn(),
            actor,
            id,
            "answer_objection",
            &c.status,
            &c.status,
            c.step,
            Some(&format!(
                "异议 #{objection}：{}。{response}",
                outcome.label(false)
            )),
            None,
            now,
        )
        .await?;
        audit::append(
            tx.conn(),
            actor,
            "case_answer_objection",
            "case",
            &id.to_string(),
            &format!("{} 异议 #{objection} {}", c.title, outcome.code()),
            None,
            None,
            now,
        )
        .await?;
        if let Some(u) = objector {
            crate::notify::notify(
                tx.conn(),
                &[u],
                &format!(
                    "您对“{}”提出的异议已处理：{}",
                    c.title,
                    outcome.label(false)
                ),
                &format!("/cases/{id}"),
                now,
            )
            .await?;
        }
        let o = self
            .objections_of(tx.conn(), actor, id, false)
            .await?
            .into_iter()
            .find(|o| o.id == objection)
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(o)
    }

    /// A case's objections as `actor` may see them: the objector's name for the city
    /// and for the objector only.
    async fn objections_of(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        en: bool,
    ) -> Result<Vec<Objection>> {
        let city = access::may(actor, Permission::DecideForCity);
        let rows = sqlx::query(
            "SELECT id, user_id, display_name, raised_by, body, outcome, response, answered_by, answered_at, created_at \
             FROM wf_objections WHERE case_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                let user: Option<i64> = r.try_get(1)?;
                let mine = user.is_some() && user == actor.user_id;
                let outcome: String = r.try_get(5)?;
                Ok(Objection {
                    id: r.try_get(0)?,
                    by: if city || mine {
                        Some(r.try_get(2)?)
                    } else {
                        None
                    },
                    raised_by: if city { r.try_get(3)? } else { None },
                    body: r.try_get(4)?,
                    outcome_label: ObjectionOutcome::parse(&outcome)
                        .map(|o| o.label(en))
                        .unwrap_or("")
                        .to_string(),
                    outcome,
                    response: r.try_get(6)?,
                    answered_by: r.try_get(7)?,
                    answered_at: r.try_get(8)?,
                    created_at: r.try_get(9)?,
                    mine,
                })
            })
            .collect()
    }

    /// The city assigns an expert (a user with role expert) to score a case in expert
    /// scoring. An expert attached to the applicant (its own organisation, or a staff
    /// account of its district or town) is refused: 403 `conflict_of_interest`.
    pub async fn assign_case_expert(&self, actor: &Actor, id: i64, username: &str) -> Result<Case> {
        let mut tx = self.db.begin().await?;
        lock_case(tx.conn(), id).await?;
        let c = self
            .case_in(tx.conn(), &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let def = c.def().ok_or(StoreError::NotFound)?;
        if c.status != Status::Scoring.code() {
            return Err(StoreError::conflict(
                Code::CaseNotInScoring,
                None,
                "该事项不在专家评审阶段",
                "the case is not in expert scoring",
            ));
        }
        self.check_reviewer(actor, def, &c)?;
        let expert = sqlx::query(
            "SELECT id, role, org_id, region_code, display_name FROM users WHERE username = $1 AND disabled = 0",
        )
        .bind(username.trim())
        .fetch_optional(tx.conn())
        .await?;
        let Some(expert) =
            expert.filter(|r| r.try_get::<String, _>(1).ok().as_deref() == Some("expert"))
        else {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "expert",
                Rule::UnknownValue,
                format!("“{}”不是在用的专家账号", username.trim()),
                format!("'{}' is not an active expert account", username.trim()),
            )]));
        };
        let uid: i64 = expert.try_get(0)?;
        let org: Option<i64> = expert.try_get(2)?;
        let region: Option<String> = expert.try_get(3)?;
        let name: String = expert.try_get(4)?;
        let related = org == Some(c.org_id)
            || region.as_deref().is_some_and(|r| {
                Some(r) == c.path.district.as_deref() || Some(r) == c.path.town.as_deref()
            });
        let now = now_ms();
        if related {
            audit::append(
                tx.conn(),
                actor,
                "case_recusal",
                "case",
                &id.to_string(),
                &format!("{}:专家{name}与申报单位有关联，回避", c.title),
                None,
                None,
                now,
            )
            .await?;
            tx.commit().await?;
            return Err(StoreError::denied(
                Code::ConflictOfInterest,
                format!("专家“{name}”与申报单位有关联，应当回避"),
                format!("the expert '{name}' is related to the applicant and must recuse"),
            ));
        }
        let n = sqlx::query(
            "INSERT INTO wf_scores (case_id, user_id, assigned_at) SELECT $1, $2, $3 \
             WHERE NOT EXISTS (SELECT 1 FROM wf_scores WHERE case_id = $1 AND user_id = $2)",
        )
        .bind(id)
        .bind(uid)
        .bind(now)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n == 1 {
            audit::append(
                tx.conn(),
                actor,
                "case_assign_expert",
                "case",
                &id.to_string(),
                &format!("{}:指派评审专家{name}", c.title),
                None,
                None,
                now,
            )
            .await?;
            crate::notify::notify(
                tx.conn(),
                &[uid],
                &format!("请对“{}”独立评分", c.title),
                &format!("/cases/{id}"),
                now,
            )
            .await?;
        }
        let c = self
            .case_in(tx.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(c)
    }

    /// An assigned expert scores a case (0 to the process's maximum) with an optional
    /// comment; the score may be changed until the city closes the scoring. Experts see
    /// only their own score.
    pub async fn score_case(
        &self,
        actor: &Actor,
        id: i64,
        score: f64,
        comment: Option<&str>,
    ) -> Result<CaseExpert> {
        let mut tx = self.db.begin().await?;
        lock_case(tx.conn(), id).await?;
        if !access::may(actor, Permission::ScoreAsExpert)
            || !assigned(tx.conn(), id, actor.user_id).await?
        {
            return Err(StoreError::NotFound);
        }
        let c = self
            .case_in(tx.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let def = c.def().ok_or(StoreError::NotFound)?;
        let Some(scoring) = def.scoring.filter(|_| c.status == Status::Scoring.code()) else {
            return Err(StoreError::conflict(
                Code::CaseNotInScoring,
                None,
                "该事项的专家评审已结束",
                "expert scoring of this case has ended",
            ));
        };
        let score = gongjiang_domain::workflow::check_case_score(&scoring, score)
            .map_err(|e| StoreError::Invalid(vec![e]))?;
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        if comment.is_some_and(|c| c.chars().count() > 2000) {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "comment",
                Rule::TooLong,
                "评审意见不能超过2000字",
                "the comment is longer than 2000 characters",
            )]));
        }
        let now = now_ms();
        sqlx::query(
            "UPDATE wf_scores SET score_x100 = $1, comment = $2, scored_at = $3 WHERE case_id = $4 AND user_id = $5",
        )
        .bind(gongjiang_domain::assessment::cents(score))
        .bind(comment)
        .bind(now)
        .bind(id)
        .bind(actor.user_id)
        .execute(tx.conn())
        .await?;
        audit::append(
            tx.conn(),
            actor,
            "case_score",
            "case",
            &id.to_string(),
            &format!("{}:专家评分", c.title),
            None,
            None,
            now,
        )
        .await?;
        let mine = case_experts(tx.conn(), actor, def, id, false)
            .await?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(mine)
    }

    /// May `actor` lodge an objection on the case now (for the form)?
    pub fn may_object(&self, actor: &Actor, c: &Case) -> bool {
        c.status == Status::Notice.code()
            && actor.user_id.is_some()
            && c.due_at.is_none_or(|end| end >= now_ms())
    }

    /// Tells the next reviewers that a case waits for them, and the applicant's contacts
    /// when it comes back to them or is decided.
    async fn notify_for(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        c: &Case,
        action: Action,
        now: i64,
    ) -> Result<()> {
        let link = format!("/cases/{}", c.id);
        let at = c.position();
        let users = match at.status {
            Status::InReview | Status::Scoring | Status::Notice => {
                self.reviewers_of(conn, c).await?
            }
            Status::Returned | Status::Approved | Status::Rejected => {
                crate::notify::unit_contacts(conn, c.org_id).await?
            }
            _ => Vec::new(),
        };
        let msg = match at.status {
            Status::InReview => format!("待您审核：{}", c.title),
            Status::Notice => format!("公示中，待市产改办决定：{}", c.title),
            Status::Scoring => format!("待指派专家评审：{}", c.title),
            Status::Returned => format!("已退回修改：{}", c.title),
            Status::Approved => format!("已通过：{}", c.title),
            Status::Rejected => format!("未通过：{}", c.title),
            _ => format!("{}：{}", action.label(false), c.title),
        };
        crate::notify::notify(conn, &users, &msg, &link, now).await?;
        // The applicant hears of every step on the way (the unit's contacts and whoever
        // filed the case), in-app and — through the outbox — by e-mail where configured.
        if matches!(
            at.status,
            Status::InReview | Status::Scoring | Status::Notice
        ) {
            let mut applicant = crate::notify::unit_contacts(conn, c.org_id).await?;
            for u in [c.created_by, c.submitted_by].into_iter().flatten() {
                if !applicant.contains(&u) {
                    applicant.push(u);
                }
            }
            // Not the one who moved it (they know), nor those told already.
            applicant.retain(|u| !users.contains(u) && Some(*u) != actor.user_id);
            let msg = match at.status {
                Status::InReview => format!("您的申报已进入“{}”：{}", c.step_label, c.title),
                Status::Scoring => format!("您的申报已进入专家评审：{}", c.title),
                _ => format!("您的申报已进入公示：{}", c.title),
            };
            crate::notify::notify(conn, &applicant, &msg, &link, now).await?;
        }
        Ok(())
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
        access::check(actor, Permission::ReadRegisters)?;
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
            .bind_int((page - 1).saturating_mul(per_page));
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
                sql.push("c.status IN ('in_review', 'scoring', 'notice')");
            }
            Role::District => {
                sql.push("c.status = 'in_review' AND o.region_l2 = ")
                    .bind_text(actor.region_code.clone().unwrap_or_default());
            }
            Role::Town => {
                sql.push("c.status = 'in_review' AND o.region_l3 = ")
                    .bind_text(actor.region_code.clone().unwrap_or_default());
            }
            Role::Expert => {
                // Cases waiting for the expert's score.
                sql.push(
                    "c.status = 'scoring' AND c.id IN (SELECT case_id FROM wf_scores WHERE score_x100 IS NULL AND user_id = ",
                )
                .bind_int(actor.user_id.unwrap_or(-1))
                .push(") ORDER BY c.due_at, c.id");
                let now = now_ms();
                let rows = sql.query().fetch_all(&mut *conn).await?;
                return rows.iter().map(|r| from_row(r, en, now)).collect();
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
            "{SELECT} WHERE c.status IN ('in_review', 'scoring', 'notice') AND c.due_at IS NOT NULL AND c.due_at < "
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
                format!("已逾期，请尽快办理：{}", c.title)
            } else {
                format!("即将到期（两日内），请及时办理：{}", c.title)
            };
            let mut users = self.reviewers_of(tx.conn(), c).await?;
            // In expert scoring, the experts who have not scored yet too.
            let pending: Vec<i64> = sqlx::query_scalar(
                "SELECT user_id FROM wf_scores WHERE case_id = $1 AND score_x100 IS NULL",
            )
            .bind(c.id)
            .fetch_all(tx.conn())
            .await?;
            users.extend(pending);
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

/// Is the user assigned to score the case?
async fn assigned(conn: &mut AnyConnection, id: i64, user: Option<i64>) -> Result<bool> {
    let Some(u) = user else {
        return Ok(false);
    };
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM wf_scores WHERE case_id = $1 AND user_id = $2")
            .bind(id)
            .bind(u)
            .fetch_one(conn)
            .await?;
    Ok(n > 0)
}

/// The experts of a case as `actor` may see them: the city sees every expert with name,
/// score and outlier flag; an expert sees only their own row; anyone else who can see
/// the case sees the anonymous scores (专家A/B/C) once the scoring is closed.
async fn case_experts(
    conn: &mut AnyConnection,
    actor: &Actor,
    def: &Process,
    id: i64,
    en: bool,
) -> Result<Vec<CaseExpert>> {
    let Some(scoring) = def.scoring else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query(
        "SELECT s.user_id, u.display_name, s.score_x100, s.comment, s.scored_at, c.score_x100 \
         FROM wf_scores s JOIN users u ON u.id = s.user_id JOIN wf_cases c ON c.id = s.case_id WHERE s.case_id = $1 ORDER BY s.id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    let city = access::may(actor, Permission::DecideForCity);
    let closed = rows
        .first()
        .and_then(|r| r.try_get::<Option<i64>, _>(5).ok().flatten())
        .is_some();
    let scores: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.try_get::<Option<i64>, _>(2).ok().flatten())
        .map(|x| x as f64 / 100.0)
        .collect();
    let outliers = gongjiang_domain::assessment::aggregate(&scores, scoring.max as f64).outliers;
    let mut out = Vec::new();
    let mut scored = 0;
    for (i, r) in rows.iter().enumerate() {
        let uid: i64 = r.try_get(0)?;
        let score: Option<f64> = r.try_get::<Option<i64>, _>(2)?.map(|x| x as f64 / 100.0);
        let outlier = score.is_some() && outliers.contains(&scored);
        if score.is_some() {
            scored += 1;
        }
        let mine = Some(uid) == actor.user_id;
        if !(city || mine || closed) {
            continue;
        }
        if access::may(actor, Permission::ScoreAsExpert) && !mine {
            continue;
        }
        out.push(CaseExpert {
            user_id: if city || mine { uid } else { 0 },
            name: if city || mine {
                r.try_get(1)?
            } else {
                gongjiang_domain::assessment::expert_label(i, en)
            },
            score,
            comment: if city || mine { r.try_get(3)? } else { None },
            scored_at: r.try_get(4)?,
            outlier: city && outlier,
        });
    }
    Ok(out)
}

/// Everything a case move needs besides the case itself.
struct Move<'a> {
    action: Action,
    next: Position,
    comment: &'a str,
    data: BTreeMap<String, String>,
    changes: serde_json::Map<String, serde_json::Value>,
    now: i64,
}

/// Takes the case's row lock first (a no-op update), so that on PostgreSQL moves and
/// item decisions on the same case queue up and each reads what the previous one wrote.
/// (SQLite's single writer serialises them anyway.)
async fn lock_case(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("UPDATE wf_cases SET version = version WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn add_event(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    action: &str,
    from: &str,
    to: &str,
    step: Option<i64>,
    comment: Option<&str>,
    changes: Option<String>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO wf_events (case_id, action, from_status, to_status, step, user_id, username, display_name, comment, changes, at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(action)
    .bind(from)
    .bind(to)
    .bind(step)
    .bind(actor.user_id)
    .bind(&actor.username)
    .bind(&actor.display_name)
    .bind(comment)
    .bind(changes)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Labels of history entries that are not state changes.
fn extra_action_label(action: &str, en: bool) -> &'static str {
    match (action, en) {
        ("item_accept", false) => "逐项审核：通过",
        ("item_accept", true) => "Item accepted",
        ("item_return", false) => "逐项审核：退回",
        ("item_return", true) => "Item returned",
        ("object", false) => "公示异议",
        ("object", true) => "Objection lodged",
        ("answer_objection", false) => "异议处理",
        ("answer_objection", true) => "Objection answered",
        _ => "",
    }
}

fn item_not_waiting(zh: &str, en: &str) -> StoreError {
    StoreError::conflict(
        Code::ItemNotSubmitted,
        None,
        format!("“{zh}”不在待审核状态（可能刚刚已被他人审核）"),
        format!("'{en}' is not awaiting review (someone may have just reviewed it)"),
    )
}

/// Creates the item rows of a case that has none yet (as drafts).
async fn ensure_items(conn: &mut AnyConnection, def: &Process, id: i64) -> Result<()> {
    let have = item_rows(conn, id).await?;
    for it in def.items {
        if !have.iter().any(|(code, _, _)| code == it.code) {
            sqlx::query("INSERT INTO wf_items (case_id, item, status) VALUES ($1, $2, 'draft')")
                .bind(id)
                .bind(it.code)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// (item, status, reason) of a case's items.
pub(crate) async fn item_rows(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Vec<(String, ItemStatus, Option<String>)>> {
    let rows =
        sqlx::query("SELECT item, status, reason FROM wf_items WHERE case_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(conn)
            .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                ItemStatus::parse(&r.try_get::<String, _>(1)?).unwrap_or(ItemStatus::Draft),
                r.try_get(2)?,
            ))
        })
        .collect()
}

/// The items of a case in the process's order, for the detail page.
async fn case_items(
    conn: &mut AnyConnection,
    def: &Process,
    id: i64,
    en: bool,
) -> Result<Vec<CaseItem>> {
    if def.items.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT item, status, reason, decided_name, decided_at FROM wf_items WHERE case_id = $1",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::new();
    for it in def.items {
        let r = rows
            .iter()
            .find(|r| r.try_get::<String, _>(0).ok().as_deref() == Some(it.code));
        let status = match r {
            Some(r) => ItemStatus::parse(&r.try_get::<String, _>(1)?).unwrap_or(ItemStatus::Draft),
            None => ItemStatus::Draft,
        };
        out.push(CaseItem {
            item: it.code.to_string(),
            name: it.name(en).to_string(),
            status: status.code().to_string(),
            status_label: status.label(en).to_string(),
            reason: r.map(|r| r.try_get(2)).transpose()?.flatten(),
            decided_by: r.map(|r| r.try_get(3)).transpose()?.flatten(),
            decided_at: r.map(|r| r.try_get(4)).transpose()?.flatten(),
        });
    }
    Ok(out)
}

/// The returned items and their reasons, as the comment of the case's return.
fn returned_reasons(def: &Process, items: &[(String, ItemStatus, Option<String>)]) -> String {
    items
        .iter()
        .filter(|(_, s, _)| *s == ItemStatus::Returned)
        .map(|(code, _, reason)| {
            let name = def
                .items
                .iter()
                .find(|i| i.code == code)
                .map(|i| i.name_zh)
                .unwrap_or(code.as_str());
            format!("{name}：{}", reason.as_deref().unwrap_or(""))
        })
        .collect::<Vec<_>>()
        .join("；")
}

async fn objection_outcomes(conn: &mut AnyConnection, id: i64) -> Result<Vec<ObjectionOutcome>> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT outcome FROM wf_objections WHERE case_id = $1")
            .bind(id)
            .fetch_all(conn)
            .await?;
    Ok(rows
        .iter()
        .map(|o| ObjectionOutcome::parse(o).unwrap_or(ObjectionOutcome::Open))
        .collect())
}

/// Where the unit works on what a case is about.
pub(crate) fn subject_link(c: &Case) -> String {
    subject_page(c.subject.as_deref()).unwrap_or_else(|| format!("/cases/{}", c.id))
}

/// The page of the record a case drives, from the part that keeps it (e.g.
/// `/liuyou/<org>/<year>` for `liuyou:<org>:<year>`).
pub fn subject_page(subject: Option<&str>) -> Option<String> {
    let (prefix, rest) = subject?.split_once(':')?;
    let (_, page) = CASE_HOOKS
        .iter()
        .filter_map(|h| h.subject)
        .find(|(p, _)| *p == prefix)?;
    page(rest)
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
                "批量操作只用于审核（通过、退回、不予通过）",
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
        // Held by this process from the start: the periodic resume of other servers
        // leaves it alone while the lease is renewed.
        sqlx::query(
            "INSERT INTO wf_bulk (id, user_id, action, comment, case_ids, done, succeeded, skipped, status, created_at, updated_at, lease_owner, lease_until) \
             VALUES ($1, $2, $3, $4, $5, 0, 0, $6, 'running', $7, $7, $8, $9)",
        )
        .bind(&id)
        .bind(uid)
        .bind(a.code())
        .bind(comment)
        .bind(&json)
        .bind(0i64)
        .bind(now)
        .bind(crate::jobs::instance_id())
        .bind(now + crate::jobs::LEASE_MS)
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

    /// Running jobs that no live process holds: left by a stopped or killed server (its
    /// lease ran out), or recorded before leases existed. Any server may take them over.
    pub async fn unfinished_bulk_jobs(&self) -> Result<Vec<String>> {
        let mut conn = self.db.pool.acquire().await?;
        sqlx::query(
            "SELECT id FROM wf_bulk WHERE status = 'running' AND (lease_until IS NULL OR lease_until < $1) ORDER BY created_at",
        )
        .bind(now_ms())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok(r.try_get(0)?))
        .collect()
    }

    /// Carries out (or resumes) a bulk job. The process takes the job's lease first (a
    /// job held by another live process is left to it). Each case is acted on in one
    /// transaction with the job's progress and counts, fenced by the lease and the
    /// position: a kill at any moment leaves the counts exact, and a resumed job neither
    /// acts on a case twice nor counts a case it accepted before the kill as skipped. A
    /// case that moved on since the job started (someone else acted) is skipped.
    pub async fn run_bulk(&self, id: &str) -> Result<()> {
        let Some(_running) = BulkRunning::enter(id) else {
            // This process runs it already.
            return Ok(());
        };
        let me = crate::jobs::instance_id();
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let claimed = sqlx::query(
            "UPDATE wf_bulk SET lease_owner = $1, lease_until = $2, updated_at = $3 WHERE id = $4 AND status = 'running' \
             AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until IS NULL OR lease_until < $3)",
        )
        .bind(me)
        .bind(now + crate::jobs::LEASE_MS)
        .bind(now)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
        tx.commit().await?;
        let mut conn = self.db.pool.acquire().await?;
        let r = sqlx::query(
            "SELECT user_id, action, comment, case_ids, done, status FROM wf_bulk WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        if claimed == 0 {
            // Finished, or another live process holds it.
            return Ok(());
        }
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
        for (n, (case, version)) in pairs.iter().enumerate().skip(start) {
            let input = ActInput {
                action: action.clone(),
                comment: comment.clone(),
                version: Some(*version),
                changes: BTreeMap::new(),
            };
            let mut tx = self.db.begin().await?;
            let acted = match self.act_in(tx.conn(), &actor, *case, &input).await {
                Ok(_) => true,
                Err(StoreError::Db(e)) => return Err(StoreError::Db(e)),
                Err(StoreError::Other(e)) => return Err(StoreError::Other(e)),
                Err(_) => false,
            };
            if !acted {
                // Whatever the refused action may have begun goes (and with it, on
                // SQLite, the write lock); the skip is counted on its own.
                rollback(tx).await?;
                tx = self.db.begin().await?;
            }
            if !bulk_advance(tx.conn(), id, n as i64, acted).await? {
                // The lease passed to another process, which carries on from its own
                // position: this action is rolled back and this runner stops.
                rollback(tx).await?;
                return Ok(());
            }
            tx.commit().await?;
        }
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "UPDATE wf_bulk SET status = 'done', lease_until = NULL, updated_at = $1 WHERE id = $2 AND lease_owner = $3",
        )
        .bind(now_ms())
        .bind(id)
        .bind(me)
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Rolls a write transaction back and lets its write lock go.
async fn rollback(tx: crate::Tx) -> Result<()> {
    tx.tx.rollback().await?;
    Ok(())
}

/// Moves a bulk job past the case at `position`, counting it, and renews the lease — in
/// the transaction of the action on that case. False (nothing changed) when this process
/// no longer holds the job or the job is no longer at that position.
async fn bulk_advance(
    conn: &mut AnyConnection,
    id: &str,
    position: i64,
    succeeded: bool,
) -> Result<bool> {
    let now = now_ms();
    let n = sqlx::query(
        "UPDATE wf_bulk SET done = $1, succeeded = succeeded + $2, skipped = skipped + $3, lease_until = $4, updated_at = $5 \
         WHERE id = $6 AND done = $7 AND lease_owner = $8 AND status = 'running'",
    )
    .bind(position + 1)
    .bind(i64::from(succeeded))
    .bind(i64::from(!succeeded))
    .bind(now + crate::jobs::LEASE_MS)
    .bind(now)
    .bind(id)
    .bind(position)
    .bind(crate::jobs::instance_id())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Bulk jobs this process is running (so that a periodic resume does not start a second
/// runner beside a slow first one); left when the runner ends or is dropped.
struct BulkRunning(String);

static BULK_RUNNING: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

impl BulkRunning {
    fn enter(id: &str) -> Option<BulkRunning> {
        let mut running = BULK_RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        if running.iter().any(|r| r == id) {
            return None;
        }
        running.push(id.to_string());
        Some(BulkRunning(id.to_string()))
    }
}

impl Drop for BulkRunning {
    fn drop(&mut self) {
        let mut running = BULK_RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|r| *r != self.0);
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
                Code::CaseLocked,
                Some("file"),
                "该事项当前不能由您上传材料（申报单位只能在草稿或退回后补充材料）",
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
/// The open case (draft, in review, returned, at notice) of a process for an
/// applicant — of that year when the form has a year (a yearly check for 2023 and one
/// for 2024 may both be open).
pub async fn open_case_id(
    conn: &mut AnyConnection,
    process: &str,
    org_id: i64,
    year: Option<&str>,
) -> Result<Option<i64>> {
    let rows = sqlx::query(
        "SELECT id, data FROM wf_cases WHERE process = $1 AND org_id = $2 AND status IN ('draft', 'in_review', 'returned', 'notice') ORDER BY id",
    )
    .bind(process)
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let data: String = r.try_get(1)?;
        let their = serde_json::from_str::<BTreeMap<String, String>>(&data)
            .ok()
            .and_then(|d| d.get("year").cloned());
        let same = match (their.as_deref(), year) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        if same {
            return Ok(Some(r.try_get(0)?));
        }
    }
    Ok(None)
}
