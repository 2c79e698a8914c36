//! API of the annual task list (年度任务清单) and the joint meetings (联席会议).
use super::extract::ApiQuery;
use super::{parse_id, ErrorBody};
use crate::auth::{ApiJson, ApiUser, OrgReader};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use gongjiang_storage::tasks::{
    Attendance, Board, Body, BodyEdit, BodyInput, CancelInput, Decision, DecisionEdit,
    DecisionTaskInput, Meeting, MeetingEdit, MeetingFilter, MeetingInput, Progress, ProgressInput,
    Task, TaskEdit, TaskFilter, TaskInput,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::nz;

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct TaskQuery {
    pub year: Option<i64>,
    /// not_started, in_progress, done, overdue
    pub status: Option<String>,
    /// A region code: owner units in that region.
    pub region: Option<String>,
    pub owner_org_id: Option<i64>,
    /// Only tasks flagged for 督办.
    pub supervised: Option<bool>,
    pub meeting_id: Option<i64>,
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl TaskQuery {
    pub fn filter(&self) -> TaskFilter {
        TaskFilter {
            year: self.year,
            status: nz(&self.status),
            region: nz(&self.region),
            owner_org_id: self.owner_org_id,
            supervised: self.supervised.unwrap_or(false),
            meeting_id: self.meeting_id,
            q: nz(&self.q),
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(20),
        }
    }
}

pub type TaskPage = gongjiang_storage::Page<Task>;

#[derive(Serialize, ToSchema)]
pub struct TaskDetail {
    task: Task,
    progress: Vec<Progress>,
    /// The caller may file a progress report.
    may_report: bool,
    /// The caller may mark the task done or flag it for 督办.
    may_close: bool,
    /// The caller may edit or cancel (撤销) the task.
    may_edit: bool,
}

/// Tasks in the caller's area (by owner unit), open ones first by deadline.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(TaskQuery), responses((status = 200, body = TaskPage)))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> Result<Json<TaskPage>, ApiError> {
    let p = st
        .svc
        .list_tasks(&ctx.actor, &q.filter(), ctx.lang.is_en())
        .await?;
    Ok(Json(p))
}

/// Creates a task (city, district or town staff, for an owner unit in their area). A
/// deadline in the past answers 422 on field `deadline`.
#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks", request_body = TaskInput, responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<TaskInput>,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(st.svc.create_task(&ctx.actor, &b).await?))
}

/// A task with its progress reports and what the caller may do.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = i64, Path)), responses((status = 200, body = TaskDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Json<TaskDetail>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let (task, progress, may_report, may_close, may_edit) =
        st.svc.get_task(&ctx.actor, id, ctx.lang.is_en()).await?;
    Ok(Json(TaskDetail {
        task,
        progress,
        may_report,
        may_close,
        may_edit,
    }))
}

/// Edits a task: fields left out keep their value; `version` is the version the caller
/// last saw (another answers 409 `stale_version`). The creator's level or above, over the
/// task's lead region and owner unit (403 `task_not_editable` otherwise); a done or
/// cancelled task answers 409. A changed deadline in the past answers 422 on `deadline`.
#[utoipa::path(put, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = i64, Path)), request_body = TaskEdit,
    responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TaskEdit>,
) -> Result<Json<Task>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.update_task(&ctx.actor, id, &b).await?))
}

/// Cancels (撤销) an open task with a reason: it leaves the completion rate and takes no
/// more reports; the owner unit is notified. Same permissions as editing.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/cancel", tag = "tasks", params(("id" = i64, Path)), request_body = CancelInput,
    responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn cancel(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CancelInput>,
) -> Result<Json<Task>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.cancel_task(&ctx.actor, id, &b).await?))
}

/// Files a progress report (the owner unit, or region staff over it; anyone else
/// gets 403 `task_not_owner`).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/progress", tag = "tasks", params(("id" = i64, Path)), request_body = ProgressInput, responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn progress(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ProgressInput>,
) -> Result<Json<Task>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.report_progress(&ctx.actor, id, &b).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DoneBody {
    /// The version the caller saw; another current version answers 409.
    #[serde(default)]
    version: Option<i64>,
}

/// Marks a task done (the creator's level or above; 403 `task_level` otherwise).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/done", tag = "tasks", params(("id" = i64, Path)), request_body = DoneBody, responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn done(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DoneBody>,
) -> Result<Json<Task>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.complete_task(&ctx.actor, id, b.version).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuperviseBody {
    /// 督办意见 (required).
    note: String,
}

#[derive(Serialize, ToSchema)]
pub struct Supervised {
    task: Task,
    /// How many accounts of the owner unit were notified.
    notified: usize,
}

/// Flags a task for 督办 with a note; the owner unit's accounts are notified.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/supervise", tag = "tasks", params(("id" = i64, Path)), request_body = SuperviseBody, responses((status = 200, body = Supervised), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn supervise(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SuperviseBody>,
) -> Result<Json<Supervised>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let (task, notified) = st.svc.supervise_task(&ctx.actor, id, &b.note).await?;
    Ok(Json(Supervised { task, notified }))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct BoardQuery {
    /// The list's year (default: the latest year with approved statistics).
    pub year: Option<i64>,
    pub region: Option<String>,
}

/// The year's task list at a glance: counts by status, completion by owner unit, and
/// overdue or 督办 tasks.
#[utoipa::path(get, path = "/api/v1/tasks/board", tag = "tasks", params(BoardQuery), responses((status = 200, body = Board)))]
pub async fn board(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> Result<Json<Board>, ApiError> {
    let year = match q.year {
        Some(y) => y,
        None => i64::from(crate::period::default_year(&st, &ctx.actor).await),
    };
    Ok(Json(
        st.svc
            .task_board(&ctx.actor, year, nz(&q.region).as_deref(), ctx.lang.is_en())
            .await?,
    ))
}

/// The calendar year (in China): what a new task is for unless told otherwise. Lists and
/// boards open on [`crate::period::default_year`] instead.
pub fn current_year() -> i64 {
    gongjiang_storage::tasks::today()
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(2024)
}

// ----- meetings -----

/// The joint-meeting bodies the caller can see, with their member units.
#[utoipa::path(get, path = "/api/v1/meeting-bodies", tag = "meetings", responses((status = 200, body = [Body])))]
pub async fn bodies(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
) -> Result<Json<Vec<Body>>, ApiError> {
    Ok(Json(
        st.svc.list_bodies(&ctx.actor, ctx.lang.is_en()).await?,
    ))
}

/// Sets up the joint-meeting body of a region (one per region).
#[utoipa::path(post, path = "/api/v1/meeting-bodies", tag = "meetings", request_body = BodyInput, responses((status = 200, body = Body), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_body(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<BodyInput>,
) -> Result<Json<Body>, ApiError> {
    Ok(Json(st.svc.create_body(&ctx.actor, &b).await?))
}

#[derive(Serialize, ToSchema)]
pub struct BodyDetail {
    body: Body,
    /// The caller may edit the body and record its meetings.
    may_edit: bool,
}

/// One joint-meeting body with its member units.
#[utoipa::path(get, path = "/api/v1/meeting-bodies/{id}", tag = "meetings", params(("id" = i64, Path)), responses((status = 200, body = BodyDetail), (status = 404, body = ErrorBody)))]
pub async fn body(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Json<BodyDetail>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let (body, may_edit) = st.svc.get_body(&ctx.actor, id, ctx.lang.is_en()).await?;
    Ok(Json(BodyDetail { body, may_edit }))
}

/// Renames a body and/or replaces its member units (left out = unchanged); past meetings
/// keep their attendance.
#[utoipa::path(put, path = "/api/v1/meeting-bodies/{id}", tag = "meetings", params(("id" = i64, Path)), request_body = BodyEdit,
    responses((status = 200, body = Body), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_body(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<BodyEdit>,
) -> Result<Json<Body>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.update_body(&ctx.actor, id, &b).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembersBody {
    /// Organisation ids or 统一社会信用代码.
    members: Vec<String>,
}

/// Replaces a body's member units.
#[utoipa::path(put, path = "/api/v1/meeting-bodies/{id}/members", tag = "meetings", params(("id" = i64, Path)), request_body = MembersBody, responses((status = 200, body = Body), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_members(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MembersBody>,
) -> Result<Json<Body>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc.set_body_members(&ctx.actor, id, &b.members).await?,
    ))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct MeetingQuery {
    /// The meetings of one body.
    pub body_id: Option<i64>,
    /// city, district or town
    pub level: Option<String>,
    pub region: Option<String>,
    pub year: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl MeetingQuery {
    pub fn filter(&self) -> MeetingFilter {
        MeetingFilter {
            body_id: self.body_id,
            level: nz(&self.level),
            region: nz(&self.region),
            year: self.year,
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(20),
        }
    }
}

pub type MeetingPage = gongjiang_storage::Page<Meeting>;

#[derive(Serialize, ToSchema)]
pub struct MeetingDetail {
    meeting: Meeting,
    attendance: Vec<Attendance>,
    decisions: Vec<Decision>,
    /// The caller may turn decisions into tasks.
    may_assign: bool,
}

/// Meetings the caller can see, newest first.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings", params(MeetingQuery), responses((status = 200, body = MeetingPage)))]
pub async fn meetings(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    ApiQuery(q): ApiQuery<MeetingQuery>,
) -> Result<Json<MeetingPage>, ApiError> {
    let p = st
        .svc
        .list_meetings(&ctx.actor, &q.filter(), ctx.lang.is_en())
        .await?;
    Ok(Json(p))
}

/// Records a meeting: agenda, attendance per member unit (members left out are
/// absent), minutes and decisions.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meetings", request_body = MeetingInput, responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_meeting(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<MeetingInput>,
) -> Result<Json<Meeting>, ApiError> {
    Ok(Json(st.svc.create_meeting(&ctx.actor, &b).await?))
}

/// A meeting with its attendance, decisions and their tasks' status.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings", params(("id" = i64, Path)), responses((status = 200, body = MeetingDetail), (status = 404, body = ErrorBody)))]
pub async fn meeting(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Json<MeetingDetail>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let (meeting, attendance, decisions, may_assign) =
        st.svc.get_meeting(&ctx.actor, id, ctx.lang.is_en()).await?;
    Ok(Json(MeetingDetail {
        meeting,
        attendance,
        decisions,
        may_assign,
    }))
}

/// Turns a meeting decision into a task (owner unit and deadline); the task links back
/// to the meeting. A decision becomes one task only (409 `decision_assigned`).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/decisions/{decision_id}/task", tag = "meetings",
    params(("id" = i64, Path), ("decision_id" = i64, Path)), request_body = DecisionTaskInput,
    responses((status = 200, body = Task), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decision_task(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path((id, decision_id)): Path<(String, String)>,
    ApiJson(b): ApiJson<DecisionTaskInput>,
) -> Result<Json<Task>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let decision_id = parse_id(&decision_id, ctx.lang)?;
    Ok(Json(
        st.svc
            .decision_to_task(&ctx.actor, id, decision_id, &b)
            .await?,
    ))
}

/// Corrects a meeting's record: title, date, place, agenda, minutes, the attendance of the
/// listed member units, and decisions to append (left out = unchanged). `version`: the
/// version the caller last saw (409 `stale_version` otherwise).
#[utoipa::path(put, path = "/api/v1/meetings/{id}", tag = "meetings", params(("id" = i64, Path)), request_body = MeetingEdit,
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_meeting(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MeetingEdit>,
) -> Result<Json<Meeting>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.update_meeting(&ctx.actor, id, &b).await?))
}

/// Corrects the text of a decision that has not become a task yet (409
/// `decision_assigned` once it has).
#[utoipa::path(put, path = "/api/v1/meetings/{id}/decisions/{decision_id}", tag = "meetings",
    params(("id" = i64, Path), ("decision_id" = i64, Path)), request_body = DecisionEdit,
    responses((status = 200, body = Decision), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn correct_decision(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path((id, decision_id)): Path<(String, String)>,
    ApiJson(b): ApiJson<DecisionEdit>,
) -> Result<Json<Decision>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let decision_id = parse_id(&decision_id, ctx.lang)?;
    Ok(Json(
        st.svc
            .correct_decision(&ctx.actor, id, decision_id, &b)
            .await?,
    ))
}

/// The owner unit reports the task completed (销号): a case of the workflow engine that
/// the level which set the task accepts (the task is then done) or returns with a reason.
/// Only the owner unit's accounts (403 `not_task_owner`); a done or cancelled task, or
/// one whose report is already under review, answers 409.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/completion", tag = "tasks", params(("id" = i64, Path)), request_body = gongjiang_storage::task_completion::CompletionInput,
    responses((status = 200, body = gongjiang_storage::workflow::Case), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request_completion(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<gongjiang_storage::task_completion::CompletionInput>,
) -> Result<Json<gongjiang_storage::workflow::Case>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc.request_task_completion(&ctx.actor, id, &b).await?,
    ))
}
