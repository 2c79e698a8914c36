//! The case page and the actions posted from it: edit, act, object, answer, attach,
//! assign an expert, score.
use super::form::{fields, FieldView};
use crate::auth::{CsrfForm, Ctx, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::T;
use crate::ui::lists::{id_of, missing};
use crate::ui::{render, save_or_show, Layout, Refusal};
use crate::upload::{MultipartForm, UiMultipart};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongjiang_domain::workflow::{Action, Status};
use gongjiang_storage::workflow::{ActInput, Case, Event};
use gongjiang_storage::StoreError;
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "case_detail.html")]
struct DetailPage {
    l: Layout,
    c: Case,
    /// The applicant's page is open to this role (not to experts).
    org_link: bool,
    history: Vec<Event>,
    actions: Vec<(&'static str, &'static str)>,
    fields: Vec<FieldView>,
    /// Fields the reviewer may correct at this step.
    editable: Vec<FieldView>,
    can_edit: bool,
    can_withdraw: bool,
    general: Vec<String>,
    steps: Vec<(String, &'static str)>,
    due: String,
    /// Where the unit works on what the case is about (the 六有 page), if elsewhere.
    subject_link: String,
    notice: bool,
    may_object: bool,
    /// The city, at the notice: answers objections.
    may_answer: bool,
    /// The city, in expert scoring: assigns experts.
    may_assign: bool,
    /// An assigned expert, in expert scoring: scores.
    may_score: bool,
    criteria: &'static str,
    max_score: i64,
}

/// The badge colour of a checklist item's status.
pub fn item_badge<S: AsRef<str>>(status: S) -> &'static str {
    match status.as_ref() {
        "accepted" => "badge-green",
        "returned" => "badge-orange",
        "submitted" => "badge-blue",
        _ => "badge-gray",
    }
}

pub(super) async fn show(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    // Readers of the organisation tree, and experts for the cases they score.
    if !ctx.may(gongjiang_storage::access::Permission::ReviewCases) {
        return Err(UiError(AppError::Store(StoreError::Forbidden), ctx.lang));
    }
    let id = id_of(&id, ctx.lang)?;
    detail(&st, &ctx, id, BTreeMap::new(), Vec::new()).await
}

/// Beijing time, `2026-11-24 09:30`.
fn fmt_time(ms: i64) -> String {
    match (
        chrono::DateTime::from_timestamp_millis(ms),
        chrono::FixedOffset::east_opt(8 * 3600),
    ) {
        (Some(d), Some(tz)) => d.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        _ => String::new(),
    }
}

/// Anything that is (a reference to) milliseconds since the epoch.
pub trait AsMs {
    fn as_ms(&self) -> i64;
}

impl AsMs for i64 {
    fn as_ms(&self) -> i64 {
        *self
    }
}

impl<T: AsMs + ?Sized> AsMs for &T {
    fn as_ms(&self) -> i64 {
        (**self).as_ms()
    }
}

pub fn time<T: AsMs>(ms: T) -> String {
    fmt_time(ms.as_ms())
}

/// The badge colour of a status.
pub fn status_badge<S: AsRef<str>>(status: S) -> &'static str {
    match status.as_ref() {
        "approved" => "badge-green",
        "rejected" => "badge-red",
        "returned" => "badge-orange",
        "in_review" | "notice" => "badge-blue",
        _ => "badge-gray",
    }
}

pub(super) async fn detail(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: BTreeMap<String, String>,
    general: Vec<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let (c, history, actions) = st.svc.get_case(&ctx.actor, id, en).await?;
    let def = c.def().ok_or_else(|| missing(lang))?;
    let at = c.position();
    let editable_keys: &[&str] = match (at.status, at.step) {
        (Status::InReview, Some(s)) if s < def.steps.len() && actions.contains(&Action::Accept) => {
            def.steps[s].may_edit
        }
        _ => &[],
    };
    let all = fields(def, &c.data, &errors, en);
    let editable = fields(def, &c.data, &errors, en)
        .into_iter()
        .filter(|f| editable_keys.contains(&f.key))
        .collect();
    let subject_link =
        gongjiang_storage::workflow::subject_page(c.subject.as_deref()).unwrap_or_default();
    // A case that drives a module's record is edited on that record's page.
    let can_edit = matches!(at.status, Status::Draft | Status::Returned)
        && actions.contains(&Action::Submit)
        && subject_link.is_empty();
    let notice = at.status == Status::Notice;
    let may_object = st.svc.may_object(&ctx.actor, &c);
    let may_answer = notice && ctx.may(gongjiang_storage::access::Permission::DecideForCity);
    let scoring = at.status == Status::Scoring;
    let may_assign = scoring && ctx.may(gongjiang_storage::access::Permission::DecideForCity);
    let may_score = scoring && ctx.may(gongjiang_storage::access::Permission::ScoreAsExpert);
    let (criteria, max_score) = def
        .scoring
        .map(|s| (if en { s.criteria_en } else { s.criteria_zh }, s.max))
        .unwrap_or(("", 0));
    let steps = def
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let state = match (at.status, at.step) {
                (Status::Approved, _) => "done",
                (Status::InReview, Some(cur)) if cur == i => "current",
                (Status::InReview | Status::Notice, Some(cur)) if cur > i => "done",
                _ => "todo",
            };
            (s.reviewer.label(en).to_string(), state)
        })
        .chain(def.notice_days.map(|_| {
            (
                def.step_label(Some(def.steps.len()), en).to_string(),
                match at.status {
                    Status::Notice => "current",
                    Status::Approved => "done",
                    _ => "todo",
                },
            )
        }))
        .collect();
    // Roles that do not see the case list (experts) come from their inbox.
    let org_link = gongjiang_storage::access::may(
        &ctx.actor,
        gongjiang_storage::access::Permission::ReadRegisters,
    );
    let back = if org_link {
        (t.s("nav.cases"), "/cases".to_string())
    } else {
        (t.s("nav.inbox"), "/inbox".to_string())
    };
    let l = Layout::new(
        ctx,
        "/cases",
        c.title.clone(),
        vec![back, (c.title.clone(), String::new())],
    );
    let status = if errors.is_empty() && general.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(
        &DetailPage {
            l,
            org_link,
            due: c.due_at.map(fmt_time).unwrap_or_default(),
            actions: actions.iter().map(|a| (a.code(), a.label(en))).collect(),
            fields: all,
            editable,
            can_edit,
            can_withdraw: actions.contains(&Action::Withdraw),
            general,
            steps,
            subject_link,
            notice,
            may_object,
            may_answer,
            may_assign,
            may_score,
            criteria,
            max_score,
            c,
            history,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

/// Saves the form of a draft or returned case; `_submit=1` submits it too.
pub(super) async fn edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(mut f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    f.remove("_csrf");
    let version = f.remove("_version").and_then(|v| v.parse().ok());
    let submit = f.remove("_submit").is_some_and(|v| v == "1");
    let c = match st.svc.update_case(&ctx.actor, id, &f, version).await {
        Ok(c) => c,
        Err(e) => {
            return Refusal::or_error(e, lang)?
                .show(|r| async move {
                    let (map, general) = r.split();
                    detail(&st, &ctx, id, map, general).await
                })
                .await;
        }
    };
    if submit {
        let a = ActInput {
            action: "submit".into(),
            version: Some(c.version),
            ..Default::default()
        };
        if let Err(e) = st.svc.act(&ctx.actor, id, &a).await {
            // Saved; what keeps it from being submitted is shown over the case.
            return Refusal::or_error(e, lang)?
                .show(|r| async move {
                    let (map, general) = r.split();
                    detail(&st, &ctx, id, map, general).await
                })
                .await;
        }
    }
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

/// A reviewer's or applicant's action: `_action`, `_version`, `comment`, and any
/// corrected fields.
pub(super) async fn act(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(mut f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    f.remove("_csrf");
    let action = f.remove("_action").unwrap_or_default();
    let version = f.remove("_version").and_then(|v| v.parse().ok());
    let comment = f.remove("comment");
    // Only corrected fields that differ from the stored form count as changes.
    let (c, _, _) = st.svc.get_case(&ctx.actor, id, lang.is_en()).await?;
    let changes = f
        .into_iter()
        .filter(|(k, v)| c.data.get(k).map(String::as_str).unwrap_or("") != v.trim())
        .collect();
    let input = ActInput {
        action,
        comment,
        version,
        changes,
    };
    save_or_show(
        lang,
        st.svc.act(&ctx.actor, id, &input).await,
        |_| format!("/cases/{id}"),
        |r| async move {
            let (map, mut general) = r.split();
            if let Some(m) = map.get("comment") {
                general.push(m.clone());
            }
            detail(&st, &ctx, id, map, general).await
        },
    )
    .await
}

/// Lodges an objection (`body`, and for the city `raised_by`).
pub(super) async fn object(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let body = f.get("body").map(String::as_str).unwrap_or("");
    let raised_by = f.get("raised_by").map(String::as_str);
    save_or_show(
        lang,
        st.svc
            .lodge_objection(&ctx.actor, id, body, raised_by)
            .await,
        |_| format!("/cases/{id}#objections"),
        |r| async move { detail(&st, &ctx, id, BTreeMap::new(), r.messages()).await },
    )
    .await
}

/// The city answers an objection: `upheld` (1/0) and `response`.
pub(super) async fn answer(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((id, objection)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let objection = id_of(&objection, lang)?;
    let upheld = f.get("upheld").is_some_and(|v| v == "1");
    let response = f.get("response").map(String::as_str).unwrap_or("");
    save_or_show(
        lang,
        st.svc
            .answer_objection(&ctx.actor, id, objection, upheld, response)
            .await,
        |_| format!("/cases/{id}#objections"),
        |r| async move { detail(&st, &ctx, id, BTreeMap::new(), r.messages()).await },
    )
    .await
}

/// Uploads material (multipart: `_csrf`, one or more `files`).
pub(super) async fn attach(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    UiMultipart(m): UiMultipart,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let form = MultipartForm::read(m).await?;
    form.check_csrf(&ctx.csrf)?;
    let files = form.files_of("files");
    save_or_show(
        lang,
        st.svc.attach_case_files(&ctx.actor, id, &files).await,
        |_| format!("/cases/{id}"),
        |r| async move { detail(&st, &ctx, id, BTreeMap::new(), r.messages()).await },
    )
    .await
}

/// The city assigns an expert (`expert`: user name).
pub(super) async fn assign_expert(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let name = f.get("expert").map(String::as_str).unwrap_or("");
    save_or_show(
        lang,
        st.svc.assign_case_expert(&ctx.actor, id, name).await,
        |_| format!("/cases/{id}#experts"),
        |r| async move { detail(&st, &ctx, id, BTreeMap::new(), r.messages()).await },
    )
    .await
}

/// An assigned expert scores (`score`, `comment`).
pub(super) async fn score(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let raw = f.get("score").map(|s| s.trim()).unwrap_or("");
    let Ok(value) = raw.parse::<f64>() else {
        let msg = if lang.is_en() {
            "score: enter a number".to_string()
        } else {
            "评分：请填写数字".to_string()
        };
        return detail(&st, &ctx, id, BTreeMap::new(), vec![msg]).await;
    };
    let comment = f.get("comment").map(String::as_str);
    save_or_show(
        lang,
        st.svc.score_case(&ctx.actor, id, value, comment).await,
        |_| format!("/cases/{id}#experts"),
        |r| async move { detail(&st, &ctx, id, BTreeMap::new(), r.messages()).await },
    )
    .await
}
