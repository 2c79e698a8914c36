//! The results page of the top bar's search box: every group the user may search, with
//! its count, its first hits and a link to the filtered list.
use super::{render, Layout};
use crate::api::search::{run, SearchGroup};
use crate::auth::WebUser;
use crate::error::UiError;
use crate::i18n::T;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use gongjiang_storage::search::Query as SearchText;
use gongjiang_storage::StoreError;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchQuery {
    q: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    l: Layout,
    /// The query as shown (a 身份证号 masked); empty when the query was refused.
    shown: String,
    /// Why nothing was searched (too short, too long).
    message: Option<String>,
    total: i64,
    groups: Vec<SearchGroup>,
    /// The query has digits but is no complete 身份证号: workers were not searched.
    partial_number: bool,
}

async fn page(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Query(q): Query<SearchQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let mut l = Layout::new(
        &ctx,
        "/search",
        t.s("search.title"),
        vec![(t.s("search.title"), String::new())],
    );
    let parsed = SearchText::parse(&q.q);
    // The box keeps what was typed, except a 身份证号: pages show numbers masked only.
    let keep = parsed
        .as_ref()
        .map(|p| p.id_number.is_none())
        .unwrap_or(true);
    if keep {
        l.search_q = q.q.trim().to_string();
        let mut link = url::form_urlencoded::Serializer::new(String::new());
        link.append_pair("q", q.q.trim())
            .append_pair("lang", if lang.is_en() { "zh" } else { "en" });
        l.other_lang = format!("/search?{}", link.finish());
    }
    let partial_number = parsed
        .as_ref()
        .is_ok_and(|p| p.id_number.is_none() && p.has_digits());
    let page = match run(&st, &ctx, &q.q).await {
        Ok(r) => SearchPage {
            l,
            shown: r.q,
            message: None,
            total: r.total,
            groups: r.groups,
            partial_number,
        },
        Err(StoreError::Invalid(errs)) => SearchPage {
            l,
            shown: String::new(),
            message: Some(
                errs.first()
                    .map(|e| e.message(lang.is_en()).to_string())
                    .unwrap_or_default(),
            ),
            total: 0,
            groups: Vec::new(),
            partial_number: false,
        },
        Err(e) => return Err(UiError(e.into(), lang)),
    };
    render(&page, lang)
}
