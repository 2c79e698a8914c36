//! Regions and organisations (`/api/v1/regions`, `/api/v1/orgs`).
use super::{parse_id, ErrorBody};
use crate::auth::{ApiJson, ApiUser, OrgEditor, OrgReader};
use crate::error::{ApiError, AppError};
use crate::i18n::Lang;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use gongjiang_domain::org::OrgInput;
use gongjiang_domain::Code;
use gongjiang_storage::orgs::{self, Org};
use gongjiang_storage::regions::Region;
use gongjiang_storage::service::OrgPatch;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// The regions in the caller's scope, parents before children.
#[utoipa::path(get, path = "/api/v1/regions", tag = "orgs", responses((status = 200, body = Vec<Region>)))]
pub(super) async fn regions(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
) -> Result<Json<Vec<Region>>, ApiError> {
    Ok(Json(st.svc.regions(&ctx.actor).await?))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct OrgQuery {
    /// A region code: that region's whole subtree.
    region: Option<String>,
    /// enterprise, park, member_unit, college or union (Chinese labels accepted).
    kind: Option<String>,
    /// Name (anywhere) or 统一社会信用代码 (prefix).
    q: Option<String>,
    parent_id: Option<i64>,
    /// name, uscc, kind, region or updated; prefix with `-` for descending.
    sort: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

impl OrgQuery {
    pub fn from_parts(
        region: Option<String>,
        kind: Option<String>,
        q: Option<String>,
        sort: Option<String>,
        page: Option<i64>,
        per_page: Option<i64>,
    ) -> OrgQuery {
        OrgQuery {
            region,
            kind,
            q,
            parent_id: None,
            sort,
            page,
            per_page,
        }
    }

    pub fn filter(&self, lang: Lang) -> Result<orgs::Filter, AppError> {
        let kind = match self
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(k) => Some(
                gongjiang_domain::OrgKind::from_any(k)
                    .ok_or_else(|| {
                        AppError::bad_request(
                            Code::BadFilter,
                            format!("未知的单位类型“{k}”"),
                            format!("unknown kind '{k}'"),
                        )
                    })?
                    .code()
                    .to_string(),
            ),
        };
        let _ = lang;
        let region = self
            .region
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let sort = self.sort.clone().unwrap_or_default();
        let (desc, sort) = match sort.strip_prefix('-') {
            Some(s) => (true, s.to_string()),
            None => (false, sort),
        };
        Ok(orgs::Filter {
            region,
            kind,
            q: self.q.clone(),
            parent_id: self.parent_id,
            chain_leader: None,
            sort: orgs::Sort::parse(&sort),
            desc,
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(20),
        })
    }
}

pub type OrgPage = gongjiang_storage::Page<Org>;

/// Organisations in the caller's scope.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "orgs", params(OrgQuery), responses((status = 200, body = OrgPage), (status = 400, body = ErrorBody)))]
pub(super) async fn list_orgs(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    uri: axum::http::Uri,
    q: Result<Query<OrgQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    // The list depends on the organisations and regions only: kept by the data version.
    let key = crate::reads::key(&ctx, &format!("orgs?{}", uri.query().unwrap_or("")));
    if let Some(r) = st.reads.get(&key, ctx.data_version) {
        return Ok(r);
    }
    let Query(q) = q.map_err(|e| {
        ApiError(
            AppError::bad_request(
                Code::BadQuery,
                format!("查询参数错误：{e}"),
                format!("bad query: {e}"),
            ),
            ctx.lang,
        )
    })?;
    let f = q.filter(ctx.lang)?;
    let p = st.svc.list_orgs(&ctx.actor, &f).await?;
    let body = serde_json::to_vec(&p).map_err(|e| {
        ApiError(
            AppError::Store(gongjiang_storage::StoreError::Other(e.to_string())),
            ctx.lang,
        )
    })?;
    Ok(st.reads.put(key, ctx.data_version, body))
}

/// A new organisation.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgBody {
    name: String,
    /// enterprise, park, member_unit, college or union.
    kind: String,
    /// 统一社会信用代码 (GB 32100); required for enterprises and parks.
    uscc: Option<String>,
    region_code: String,
    parent_id: Option<i64>,
    /// GB/T 4754, e.g. C38.
    industry: Option<String>,
    /// state, private, foreign or mixed (国有/民营/外资/混合).
    ownership: Option<String>,
    chain_leader: Option<bool>,
    size: Option<String>,
    address: Option<String>,
    contact: Option<String>,
    /// 院校类型 of a college: industry, craftsman, worker or other (产业学院/工匠学院/职工学堂/其他).
    college_type: Option<String>,
}

impl From<OrgBody> for OrgInput {
    fn from(b: OrgBody) -> OrgInput {
        OrgInput {
            name: Some(b.name),
            kind: Some(b.kind),
            uscc: b.uscc,
            region_code: Some(b.region_code),
            parent_id: b.parent_id,
            industry: b.industry,
            ownership: b.ownership,
            chain_leader: b.chain_leader,
            size: b.size,
            address: b.address,
            contact: b.contact,
            college_type: b.college_type,
        }
    }
}

/// Creates an organisation.
#[utoipa::path(post, path = "/api/v1/orgs", tag = "orgs", request_body = OrgBody,
    responses((status = 201, body = Org), (status = 409, description = "duplicate 统一社会信用代码 or name", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_org(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgEditor>,
    ApiJson(b): ApiJson<OrgBody>,
) -> Result<(StatusCode, Json<Org>), ApiError> {
    let o = st.svc.create_org(&ctx.actor, &b.into()).await?;
    Ok((StatusCode::CREATED, Json(o)))
}

/// One organisation (404 if it does not exist or is outside the caller's scope).
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = i64, Path)), responses((status = 200, body = Org), (status = 404, body = ErrorBody)))]
pub(super) async fn get_org(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Json<Org>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.get_org(&ctx.actor, id).await?))
}

/// Fields to change; absent fields keep their value.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct OrgPatchBody {
    name: Option<String>,
    kind: Option<String>,
    uscc: Option<String>,
    region_code: Option<String>,
    /// null clears the parent.
    parent_id: Option<i64>,
    industry: Option<String>,
    ownership: Option<String>,
    chain_leader: Option<bool>,
    size: Option<String>,
    address: Option<String>,
    contact: Option<String>,
    /// 院校类型 of a college (industry, craftsman, worker, other).
    college_type: Option<String>,
    /// The version last read; a stale version answers 409.
    version: Option<i64>,
}

/// Changes an organisation.
#[utoipa::path(patch, path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = i64, Path)), request_body = OrgPatchBody,
    responses((status = 200, body = Org), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn update_org(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgReader>,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<OrgPatch>,
) -> Result<Json<Org>, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    Ok(Json(st.svc.update_org(&ctx.actor, id, &p).await?))
}

/// Deletes an organisation without units or accounts below it.
#[utoipa::path(delete, path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn delete_org(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser<OrgEditor>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, ctx.lang)?;
    st.svc.delete_org(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
