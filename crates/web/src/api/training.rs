//! API for 技能形成: training classes and their rosters.
use super::extract::ApiQuery;
use super::{parse_id, ErrorBody};
use crate::auth::{ApiJson, ApiUser, OrgReader};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gongjiang_storage::training::professors::{
    Engagement, EngagementInput, Professor, ProfessorFilter,
};
use gongjiang_storage::training::{Class, ClassInput, CompleteInput, EnrolInput, Filter, Trainee};
use serde::Serialize;
use utoipa::ToSchema;

pub type ClassPage = gongjiang_storage::Page<Class>;

/// Training classes in the caller's area, newest first.
#[utoipa::path(get, path = "/api/v1/classes", tag = "training", params(Filter), responses((status = 200, body = ClassPage), (status = 400, body = ErrorBody)))]
pub async fn list_classes(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    ApiQuery(q): ApiQuery<Filter>,
) -> Result<Json<ClassPage>, ApiError> {
    let f = q;
    let p = st.svc.list_classes(&ctx.actor, &f).await?;
    Ok(Json(p))
}

/// Opens a class (region staff in their area; a unit for itself).
#[utoipa::path(post, path = "/api/v1/classes", tag = "training", request_body = ClassInput, responses((status = 201, body = Class), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_class(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiJson(b): ApiJson<ClassInput>,
) -> Result<(StatusCode, Json<Class>), ApiError> {
    let c = st.svc.create_class(&ctx.actor, &b).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// One class.
#[utoipa::path(get, path = "/api/v1/classes/{id}", tag = "training", params(("id" = i64, Path)), responses((status = 200, body = Class), (status = 404, body = ErrorBody)))]
pub async fn get_class(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Json<Class>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.get_class(&ctx.actor, id).await?))
}

/// Changes a class; `version` is the one last read (409 when stale).
#[utoipa::path(put, path = "/api/v1/classes/{id}", tag = "training", params(("id" = i64, Path)), request_body = ClassInput, responses((status = 200, body = Class), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_class(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ClassInput>,
) -> Result<Json<Class>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.update_class(&ctx.actor, id, &b).await?))
}

/// Deletes a class and its roster.
#[utoipa::path(delete, path = "/api/v1/classes/{id}", tag = "training", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_class(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    st.svc.delete_class(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A class's roster.
#[utoipa::path(get, path = "/api/v1/classes/{id}/trainees", tag = "training", params(("id" = i64, Path)), responses((status = 200, body = Vec<Trainee>), (status = 404, body = ErrorBody)))]
pub async fn roster(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Json<Vec<Trainee>>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.class_roster(&ctx.actor, id).await?))
}

/// Enrols a registered worker (a 新型学徒制 apprentice with a master).
#[utoipa::path(post, path = "/api/v1/classes/{id}/trainees", tag = "training", params(("id" = i64, Path)), request_body = EnrolInput, responses((status = 201, body = Trainee), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn enrol(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<EnrolInput>,
) -> Result<(StatusCode, Json<Trainee>), ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let t = st.svc.enrol_trainee(&ctx.actor, id, &b).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// Records a trainee's completion and the certificate earned.
#[utoipa::path(post, path = "/api/v1/classes/{id}/trainees/{trainee}/complete", tag = "training", params(("id" = i64, Path), ("trainee" = i64, Path)), request_body = CompleteInput, responses((status = 200, body = Trainee), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn complete(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path((id, trainee)): Path<(String, String)>,
    ApiJson(b): ApiJson<CompleteInput>,
) -> Result<Json<Trainee>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let trainee = parse_id(&trainee, ctx.lang)?;
    Ok(Json(
        st.svc.complete_trainee(&ctx.actor, id, trainee, &b).await?,
    ))
}

/// Takes an enrolled trainee off the class (kept as withdrawn).
#[utoipa::path(post, path = "/api/v1/classes/{id}/trainees/{trainee}/withdraw", tag = "training", params(("id" = i64, Path), ("trainee" = i64, Path)), responses((status = 200, body = Trainee), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn withdraw(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path((id, trainee)): Path<(String, String)>,
) -> Result<Json<Trainee>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let trainee = parse_id(&trainee, ctx.lang)?;
    Ok(Json(
        st.svc.withdraw_trainee(&ctx.actor, id, trainee).await?,
    ))
}

pub type ProfessorPage = gongjiang_storage::Page<Professor>;

#[derive(Serialize, ToSchema)]
pub struct ProfessorDetail {
    professor: Professor,
    engagements: Vec<Engagement>,
}

/// 产业教授 (designations held by registered workers) in the caller's area.
#[utoipa::path(get, path = "/api/v1/professors", tag = "training", params(ProfessorFilter), responses((status = 200, body = ProfessorPage), (status = 400, body = ErrorBody)))]
pub async fn list_professors(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    ApiQuery(q): ApiQuery<ProfessorFilter>,
) -> Result<Json<ProfessorPage>, ApiError> {
    let f = q;
    let p = st.svc.list_professors(&ctx.actor, &f).await?;
    Ok(Json(p))
}

/// One professor (the designation's id) with their engagements.
#[utoipa::path(get, path = "/api/v1/professors/{id}", tag = "training", params(("id" = i64, Path)), responses((status = 200, body = ProfessorDetail), (status = 404, body = ErrorBody)))]
pub async fn get_professor(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Json<ProfessorDetail>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let (professor, engagements) = st.svc.professor(&ctx.actor, id).await?;
    Ok(Json(ProfessorDetail {
        professor,
        engagements,
    }))
}

/// Adds a year's engagement at a college (region staff).
#[utoipa::path(post, path = "/api/v1/professors/{id}/engagements", tag = "training", params(("id" = i64, Path)), request_body = EngagementInput, responses((status = 201, body = Engagement), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_engagement(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<EngagementInput>,
) -> Result<(StatusCode, Json<Engagement>), ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let e = st.svc.add_engagement(&ctx.actor, id, &b).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

/// Changes an engagement or records its yearly review (`version`: the one read).
#[utoipa::path(put, path = "/api/v1/professors/{id}/engagements/{engagement}", tag = "training", params(("id" = i64, Path), ("engagement" = i64, Path)), request_body = EngagementInput, responses((status = 200, body = Engagement), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_engagement(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    Path((id, engagement)): Path<(String, String)>,
    ApiJson(b): ApiJson<EngagementInput>,
) -> Result<Json<Engagement>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    let engagement = parse_id(&engagement, ctx.lang)?;
    Ok(Json(
        st.svc
            .update_engagement(&ctx.actor, id, engagement, &b)
            .await?,
    ))
}
