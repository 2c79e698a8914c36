//! The OpenAPI document's modifiers (bearer scheme, the error answers of every
//! operation, unique operation ids), `/api/v1/openapi.json` and the `/api/docs` page.
use axum::response::{Html, IntoResponse, Response};
use axum::Json;

pub(super) struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// Declares on every operation the error answers it can give, all with the body
/// `ErrorBody`: 400 for a malformed request (parameters or body), 401 and 403 where a
/// token is needed (a role that may not, or a password that must be changed first), 404
/// where the path names a record, 409 on changes (a stale version, a duplicate, a record
/// in another state or still referred to), 413, 415 and 422 where a body is taken, 422
/// where parameters are checked. An answer an annotation declares keeps its text.
pub(super) struct ErrorResponses;

impl utoipa::Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::security::SecurityRequirement;
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error = |text: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(text)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                (false, &mut item.get),
                (true, &mut item.post),
                (true, &mut item.put),
                (true, &mut item.patch),
                (true, &mut item.delete),
            ];
            for (changes, op) in ops {
                let Some(op) = op.as_mut() else { continue };
                let public = op
                    .security
                    .as_ref()
                    .is_some_and(|s| s.contains(&SecurityRequirement::default()));
                let params = op.parameters.as_deref().unwrap_or_default();
                let in_path = params
                    .iter()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Path));
                let in_query = params
                    .iter()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Query));
                let body = op.request_body.is_some();
                let mut add = |code: &str, text: &str| {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| error(text));
                };
                if body || in_query {
                    add("400", "malformed request: a query parameter or the body does not parse (`bad_query`, `malformed_json`, `bad_upload`)");
                }
                if !public {
                    add("401", "no token, or the token has expired (`unauthorized`)");
                    add("403", "the caller's role may not do this (`forbidden`, or a rule such as `conflict_of_interest`), or the password must be changed first");
                }
                if in_path {
                    add("404", "no such record in the caller's scope (`not_found`)");
                }
                if changes && !public {
                    add("409", "conflict: the record changed since it was read, a duplicate, a record in another state or still referred to");
                }
                if body {
                    add("413", "the body is too large (`payload_too_large`)");
                    add("415", "wrong Content-Type (`unsupported_media_type`)");
                }
                if body || in_query || in_path {
                    add(
                        "422",
                        "a value breaks a rule; `field` names it (`invalid`, `bad_format`, …)",
                    );
                }
                // Error answers an annotation declared without a text get the common one.
                for (code, r) in op.responses.responses.iter_mut() {
                    if let RefOr::T(r) = r {
                        if r.description.is_empty() && code.starts_with('4') {
                            r.description = common_text(code).to_string();
                        }
                    }
                }
            }
        }
    }
}

/// The text of an answer an annotation declared without one.
fn common_text(code: &str) -> &'static str {
    match code {
        "400" => "malformed request (`bad_query`, `malformed_json`, `bad_upload`)",
        "401" => "no token, or the token has expired (`unauthorized`)",
        "403" => "the caller may not do this (`forbidden` or a named rule)",
        "404" => "no such record in the caller's scope (`not_found`)",
        "409" => "conflict with what is stored (a stale version, a duplicate, another state)",
        "413" => "the body is too large (`payload_too_large`)",
        "415" => "wrong Content-Type (`unsupported_media_type`)",
        "422" => "a value breaks a rule; `field` names it",
        "429" => "too many requests; `Retry-After` says when to try again",
        _ => "see the error code",
    }
}

/// Operation ids are the handlers' names, and handlers in different modules share names
/// (`list`, `get`, `assign_expert` …), which OpenAPI forbids: a shared id is prefixed
/// with the operation's tag (`policies_list`, `workflow_assign_expert`).
pub(super) struct UniqueOperationIds;

impl utoipa::Modify for UniqueOperationIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut seen: std::collections::HashMap<String, usize> = Default::default();
        for item in openapi.paths.paths.values() {
            for op in [&item.get, &item.post, &item.put, &item.patch, &item.delete]
                .into_iter()
                .flatten()
            {
                if let Some(id) = &op.operation_id {
                    *seen.entry(id.clone()).or_default() += 1;
                }
            }
        }
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                let Some(id) = op.operation_id.clone() else {
                    continue;
                };
                if seen.get(&id).copied().unwrap_or(0) > 1 {
                    let tag = op
                        .tags
                        .as_ref()
                        .and_then(|t| t.first())
                        .map(|t| t.replace('-', "_"))
                        .unwrap_or_else(|| "api".to_string());
                    op.operation_id = Some(format!("{tag}_{id}"));
                }
            }
        }
    }
}

/// The OpenAPI document, built from the API's one route list (`api::routes`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    super::document().clone()
}

/// This document (OpenAPI 3.1).
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", security(()), responses((status = 200, description = "the OpenAPI document")))]
pub(super) async fn openapi_json() -> Response {
    Json(openapi()).into_response()
}

/// The Content-Security-Policy of the API docs page: the console's, except that Swagger
/// UI shows its icons as `data:` images.
pub const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub(super) async fn docs() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_SECURITY_POLICY, DOCS_CSP)],
        Html(
            r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>gongjiang API</title>
<link rel="stylesheet" href="/assets/swagger-ui.css"></head><body><div id="swagger"></div>
<script src="/assets/swagger-ui-bundle.js"></script>
<script src="/assets/app.js"></script></body></html>"#,
        ),
    )
}
