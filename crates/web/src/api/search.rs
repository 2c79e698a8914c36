//! API of the global search: the same groups as the console's `/search` page.
use super::extract::ApiQuery;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::i18n::T;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use gongjiang_storage::search::{self, Hit, Kind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SearchQuery {
    /// At least 2 characters: an organisation's name or 统一社会信用代码 (or its first
    /// characters), a worker's name or complete 身份证号 (exact; never a partial number),
    /// or words of the title of a case, task or policy document.
    pub q: Option<String>,
}

/// The hits of one kind.
#[derive(Serialize, ToSchema)]
pub struct SearchGroup {
    /// orgs, workers, cases, tasks, policies
    pub kind: Kind,
    /// The group's name in the request's language (单位, 职工 …).
    pub label: String,
    /// Every match in the caller's scope.
    pub total: i64,
    /// The first matches (at most 10).
    pub items: Vec<Hit>,
    /// The console's list filtered by the query, when there are more matches than items.
    pub more_url: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    /// The query as read (trimmed; a 身份证号 is given back masked).
    pub q: String,
    /// The matches of every group.
    pub total: i64,
    /// The groups the caller's role may search, in a fixed order; a group the role may
    /// not read (workers, for an expert) is absent.
    pub groups: Vec<SearchGroup>,
}

/// The label of a group.
pub fn label(t: T, kind: Kind) -> String {
    t.s(match kind {
        Kind::Orgs => "search.group.orgs",
        Kind::Workers => "search.group.workers",
        Kind::Cases => "search.group.cases",
        Kind::Tasks => "search.group.tasks",
        Kind::Policies => "search.group.policies",
    })
}

/// Runs the search for the console and the API.
pub async fn run(
    st: &AppState,
    ctx: &crate::auth::Ctx,
    q: &str,
) -> Result<SearchResults, gongjiang_storage::StoreError> {
    let t = T(ctx.lang);
    let groups = st.svc.search(&ctx.actor, q, ctx.lang.is_en()).await?;
    let shown = search::Query::parse(q)?.shown();
    Ok(SearchResults {
        q: shown,
        total: groups.iter().map(|g| g.total).sum(),
        groups: groups
            .into_iter()
            .map(|g| SearchGroup {
                label: label(t, g.kind),
                kind: g.kind,
                total: g.total,
                items: g.items,
                more_url: g.more_url,
            })
            .collect(),
    })
}

/// Organisations, workers, cases, tasks and policy documents matching the query in the
/// caller's scope, grouped, with counts. A query under 2 characters is 422 (`too_short`
/// on `q`) with a message saying what may be searched.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchQuery), responses((status = 200, body = SearchResults)))]
pub async fn search(
    State(st): State<AppState>,
    ApiUser(ctx, ..): ApiUser,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<SearchResults>, ApiError> {
    let r = run(&st, &ctx, q.q.as_deref().unwrap_or("")).await?;
    Ok(Json(r))
}
