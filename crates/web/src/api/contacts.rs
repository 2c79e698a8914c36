//! API of the enterprise contact points (企业联系点: officials, visits, problems tracked
//! to resolution) and of pairing (结对共建: pairs, activities, the chain graphs).
use super::extract::ApiQuery;
use super::{parse_id, ErrorBody};
use crate::auth::{ApiJson, ApiUser, OrgReader};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use gongjiang_storage::contacts::{
    ContactEdit, ContactEndInput, ContactInput, ContactPoint, Problem, ProblemActInput,
    ProblemFilter, ProblemInput, Visit, VisitEdit, VisitFilter, VisitInput,
};
use gongjiang_storage::pairs::{
    Activity, ActivityEdit, ActivityInput, ChainGraph, Pair, PairEdit, PairEndInput, PairFilter,
    PairInput,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::nz;

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ContactQuery {
    /// A region code: only enterprises in it.
    pub region: Option<String>,
    pub org_id: Option<i64>,
}

/// Contact points (official ↔ enterprise assignments) in the caller's area.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", params(ContactQuery), responses((status = 200, body = [ContactPoint])))]
pub async fn list_contacts(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    ApiQuery(q): ApiQuery<ContactQuery>,
) -> Result<Json<Vec<ContactPoint>>, ApiError> {
    Ok(Json(
        st.svc
            .list_contact_points(&ctx.actor, q.org_id, nz(&q.region).as_deref())
            .await?,
    ))
}

/// Assigns an official (a user account of region or member-unit staff) to an enterprise.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", request_body = ContactInput, responses((status = 200, body = ContactPoint), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign_contact(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<ContactInput>,
) -> Result<Json<ContactPoint>, ApiError> {
    Ok(Json(st.svc.assign_contact(&ctx.actor, &b).await?))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct VisitQuery {
    pub region: Option<String>,
    pub org_id: Option<i64>,
    /// A year (YYYY).
    pub year: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

pub type VisitPage = gongjiang_storage::Page<Visit>;

/// Visits in the caller's area, newest first.
#[utoipa::path(get, path = "/api/v1/visits", tag = "contacts", params(VisitQuery), responses((status = 200, body = VisitPage)))]
pub async fn list_visits(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    ApiQuery(q): ApiQuery<VisitQuery>,
) -> Result<Json<VisitPage>, ApiError> {
    let f = VisitFilter {
        region: nz(&q.region),
        org_id: q.org_id,
        year: nz(&q.year),
        page: q.page.unwrap_or(1),
        per_page: q.per_page.unwrap_or(20),
    };
    let p = st.svc.list_visits(&ctx.actor, &f, ctx.lang.is_en()).await?;
    Ok(Json(p))
}

/// Logs a visit (region staff of the area, or the enterprise's assigned official).
#[utoipa::path(post, path = "/api/v1/visits", tag = "contacts", request_body = VisitInput, responses((status = 200, body = Visit), (status = 422, body = ErrorBody)))]
pub async fn log_visit(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<VisitInput>,
) -> Result<Json<Visit>, ApiError> {
    Ok(Json(
        st.svc.log_visit(&ctx.actor, &b, ctx.lang.is_en()).await?,
    ))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ProblemQuery {
    /// open, in_progress, resolved, closed
    pub status: Option<String>,
    /// employment, training, pay, safety, policy, other
    pub category: Option<String>,
    pub region: Option<String>,
    pub org_id: Option<i64>,
    /// Text in the description or the enterprise's name.
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl ProblemQuery {
    pub fn filter(&self) -> ProblemFilter {
        ProblemFilter {
            status: nz(&self.status),
            category: nz(&self.category),
            region: nz(&self.region),
            org_id: self.org_id,
            q: nz(&self.q),
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(20),
        }
    }
}

pub type ProblemPage = gongjiang_storage::Page<Problem>;

/// Problems in the caller's area (a unit: its own), newest first.
#[utoipa::path(get, path = "/api/v1/problems", tag = "contacts", params(ProblemQuery), responses((status = 200, body = ProblemPage)))]
pub async fn list_problems(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    ApiQuery(q): ApiQuery<ProblemQuery>,
) -> Result<Json<ProblemPage>, ApiError> {
    let p = st
        .svc
        .list_problems(&ctx.actor, &q.filter(), ctx.lang.is_en())
        .await?;
    Ok(Json(p))
}

/// Raises a problem: a unit for its own enterprise, staff or the official for one in
/// their care.
#[utoipa::path(post, path = "/api/v1/problems", tag = "contacts", request_body = ProblemInput, responses((status = 200, body = Problem), (status = 422, body = ErrorBody)))]
pub async fn raise_problem(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<ProblemInput>,
) -> Result<Json<Problem>, ApiError> {
    Ok(Json(
        st.svc
            .raise_problem(&ctx.actor, &b, ctx.lang.is_en())
            .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ProblemDetail {
    problem: Problem,
    /// What the caller may do now: start, resolve, close.
    actions: Vec<String>,
}

/// One problem and the caller's possible actions.
#[utoipa::path(get, path = "/api/v1/problems/{id}", tag = "contacts", params(("id" = i64, Path)), responses((status = 200, body = ProblemDetail), (status = 404, body = ErrorBody)))]
pub async fn get_problem(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ProblemDetail>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let (problem, actions) = st.svc.get_problem(&ctx.actor, id, ctx.lang.is_en()).await?;
    Ok(Json(ProblemDetail {
        problem,
        actions: actions.iter().map(|a| a.code().to_string()).collect(),
    }))
}

/// Moves a problem on: start, resolve (resolution, resolved_on) or close (reason).
#[utoipa::path(post, path = "/api/v1/problems/{id}/actions", tag = "contacts", params(("id" = i64, Path)), request_body = ProblemActInput, responses((status = 200, body = Problem), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act_on_problem(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ProblemActInput>,
) -> Result<Json<Problem>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc
            .act_on_problem(&ctx.actor, id, &b, ctx.lang.is_en())
            .await?,
    ))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct PairQuery {
    /// active (not ended) or ended; both when left out.
    pub status: Option<String>,
    /// state_private, chain
    pub kind: Option<String>,
    /// The chain's name, e.g. 新能源汽车.
    pub chain: Option<String>,
    /// A region code: pairs with a side in it.
    pub region: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl PairQuery {
    pub fn filter(&self) -> PairFilter {
        PairFilter {
            status: nz(&self.status),
            kind: nz(&self.kind),
            chain: nz(&self.chain),
            region: nz(&self.region),
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(20),
        }
    }
}

pub type PairPage = gongjiang_storage::Page<Pair>;

/// Pairs with a side in the caller's area.
#[utoipa::path(get, path = "/api/v1/pairs", tag = "pairs", params(PairQuery), responses((status = 200, body = PairPage)))]
pub async fn list_pairs(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    ApiQuery(q): ApiQuery<PairQuery>,
) -> Result<Json<PairPage>, ApiError> {
    let p = st
        .svc
        .list_pairs(&ctx.actor, &q.filter(), ctx.lang.is_en())
        .await?;
    Ok(Json(p))
}

/// Creates a pair. 国企↔民企: org_a state-owned, org_b private. 链主↔配套: org_a a
/// chain leader, org_b its supplier, with the chain. A wrong kind is 422 naming the field.
#[utoipa::path(post, path = "/api/v1/pairs", tag = "pairs", request_body = PairInput, responses((status = 200, body = Pair), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_pair(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<PairInput>,
) -> Result<Json<Pair>, ApiError> {
    Ok(Json(
        st.svc.create_pair(&ctx.actor, &b, ctx.lang.is_en()).await?,
    ))
}

/// The pairing graph of each chain (and of the 国企↔民企 pairs), filtered like the list.
#[utoipa::path(get, path = "/api/v1/pairs/graph", tag = "pairs", params(PairQuery), responses((status = 200, body = [ChainGraph])))]
pub async fn pair_graph(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    ApiQuery(q): ApiQuery<PairQuery>,
) -> Result<Json<Vec<ChainGraph>>, ApiError> {
    Ok(Json(st.svc.pair_graphs(&ctx.actor, &q.filter()).await?))
}

#[derive(Serialize, ToSchema)]
pub struct PairDetail {
    pair: Pair,
    activities: Vec<Activity>,
    /// Whether the caller may record (and correct or delete) activities.
    may_record: bool,
    /// Whether the caller may edit or end the pair.
    may_edit: bool,
}

/// One pair with its activities, newest first.
#[utoipa::path(get, path = "/api/v1/pairs/{id}", tag = "pairs", params(("id" = i64, Path)), responses((status = 200, body = PairDetail), (status = 404, body = ErrorBody)))]
pub async fn get_pair(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<PairDetail>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let (pair, activities, may_record, may_edit) =
        st.svc.get_pair(&ctx.actor, id, ctx.lang.is_en()).await?;
    Ok(Json(PairDetail {
        pair,
        activities,
        may_record,
        may_edit,
    }))
}

/// Records an activity of a pair (the paired units, or staff of their area).
#[utoipa::path(post, path = "/api/v1/pairs/{id}/activities", tag = "pairs", params(("id" = i64, Path)), request_body = ActivityInput, responses((status = 200, body = Activity), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_activity(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ActivityInput>,
) -> Result<Json<Activity>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.add_activity(&ctx.actor, id, &b).await?))
}

// ----- corrections -----

#[derive(Serialize, ToSchema)]
pub struct ContactDetail {
    contact: ContactPoint,
    /// The caller may edit or end it (region staff over the enterprise, not ended).
    may_edit: bool,
}

/// One contact point.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = i64, Path)), responses((status = 200, body = ContactDetail), (status = 404, body = ErrorBody)))]
pub async fn get_contact(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ContactDetail>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let (contact, may_edit) = st.svc.get_contact_point(&ctx.actor, id).await?;
    Ok(Json(ContactDetail { contact, may_edit }))
}

/// Edits a contact point: another official (reassigned), the period, the note (left out
/// = unchanged). An ended point answers 409 `contact_ended`.
#[utoipa::path(put, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = i64, Path)), request_body = ContactEdit,
    responses((status = 200, body = ContactPoint), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_contact(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ContactEdit>,
) -> Result<Json<ContactPoint>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.update_contact(&ctx.actor, id, &b).await?))
}

/// Ends a contact point (结束联系) on a day not after today: it stays listed as ended
/// with its visits and accepts no visits after that day.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/end", tag = "contacts", params(("id" = i64, Path)), request_body = ContactEndInput,
    responses((status = 200, body = ContactPoint), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn end_contact(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ContactEndInput>,
) -> Result<Json<ContactPoint>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.end_contact(&ctx.actor, id, &b).await?))
}

#[derive(Serialize, ToSchema)]
pub struct VisitDetail {
    visit: Visit,
    /// The caller may correct it (its author, or region staff over the enterprise).
    may_edit: bool,
}

/// One visit log entry.
#[utoipa::path(get, path = "/api/v1/visits/{id}", tag = "contacts", params(("id" = i64, Path)), responses((status = 200, body = VisitDetail), (status = 404, body = ErrorBody)))]
pub async fn get_visit(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<VisitDetail>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let (visit, may_edit) = st.svc.get_visit(&ctx.actor, id, ctx.lang.is_en()).await?;
    Ok(Json(VisitDetail { visit, may_edit }))
}

/// Corrects a visit log entry (its author, or region staff over the enterprise; 403
/// `visit_not_yours` otherwise).
#[utoipa::path(put, path = "/api/v1/visits/{id}", tag = "contacts", params(("id" = i64, Path)), request_body = VisitEdit,
    responses((status = 200, body = Visit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_visit(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<VisitEdit>,
) -> Result<Json<Visit>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc
            .update_visit(&ctx.actor, id, &b, ctx.lang.is_en())
            .await?,
    ))
}

/// Edits a pair with the rules of a new one (left out = unchanged). Region staff whose
/// area holds both sides (403 `pair_not_yours`); an ended pair answers 409 `pair_ended`.
#[utoipa::path(put, path = "/api/v1/pairs/{id}", tag = "pairs", params(("id" = i64, Path)), request_body = PairEdit,
    responses((status = 200, body = Pair), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_pair(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PairEdit>,
) -> Result<Json<Pair>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc
            .update_pair(&ctx.actor, id, &b, ctx.lang.is_en())
            .await?,
    ))
}

/// Ends a pair (结束结对) with a date and a reason; it stays listed as ended, keeps its
/// activities and takes none dated after its end.
#[utoipa::path(post, path = "/api/v1/pairs/{id}/end", tag = "pairs", params(("id" = i64, Path)), request_body = PairEndInput,
    responses((status = 200, body = Pair), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn end_pair(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PairEndInput>,
) -> Result<Json<Pair>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(
        st.svc
            .end_pair(&ctx.actor, id, &b, ctx.lang.is_en())
            .await?,
    ))
}

/// Corrects an activity of a pair (who may record activities; left out = unchanged).
#[utoipa::path(put, path = "/api/v1/pair-activities/{id}", tag = "pairs", params(("id" = i64, Path)), request_body = ActivityEdit,
    responses((status = 200, body = Activity), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_activity(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ActivityEdit>,
) -> Result<Json<Activity>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.update_activity(&ctx.actor, id, &b).await?))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct VersionQuery {
    /// The version the caller last saw (another answers 409).
    pub version: Option<i64>,
}

/// Deletes an activity recorded by mistake (audit-logged with what it was).
#[utoipa::path(delete, path = "/api/v1/pair-activities/{id}", tag = "pairs", params(("id" = i64, Path), VersionQuery),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_activity(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<axum::http::StatusCode, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    st.svc.delete_activity(&ctx.actor, id, q.version).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
