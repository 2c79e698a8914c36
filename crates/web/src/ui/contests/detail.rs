//! One contest: its facts and the plan's case, the marking scheme, the entries, the
//! panel with its recusals, the live ranking (refreshed while marks come in), the
//! lock, unlock and publish actions, and the results.
use super::id_of;
use crate::auth::{CsrfForm, Ctx, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::T;
use crate::ui::forms::Failed;
use crate::ui::{render, Errors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongjiang_storage::access::Permission;
use gongjiang_storage::contests::ranking::Ranking;
use gongjiang_storage::contests::{
    AspectOut, Contest, ContestEntry, EntryInput, Judge, JudgeInput, ReasonInput, Recusal,
    ResultRow,
};
use serde::Deserialize;
use std::borrow::Borrow;
use std::collections::HashSet;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ShowQuery {
    saved: String,
}

#[derive(Template)]
#[template(path = "contest_detail.html")]
struct DetailPage {
    l: Layout,
    t: T,
    c: Contest,
    cid: i64,
    aspects: Vec<AspectOut>,
    entries: Vec<ContestEntry>,
    judges: Vec<Judge>,
    recusals: Vec<Recusal>,
    rk: Ranking,
    /// The ranking refreshes itself while marks come in.
    live: bool,
    results: Vec<ResultRow>,
    can_run: bool,
    can_enter: bool,
    on_panel: bool,
    failed: Failed,
    flash: Option<String>,
    /// Organisations whose workers' pages this user may open.
    links: HashSet<i64>,
}

impl DetailPage {
    fn failed_on(&self, form: &str) -> bool {
        self.failed.on(form)
    }
    fn link(&self, org: impl Borrow<i64>) -> bool {
        self.links.contains(org.borrow())
    }
}

/// The live ranking alone: what the page polls while marks come in.
#[derive(Template)]
#[template(path = "contest_ranking.html")]
struct RankingFragment {
    t: T,
    cid: i64,
    rk: Ranking,
    live: bool,
    links: HashSet<i64>,
}

impl RankingFragment {
    fn link(&self, org: impl Borrow<i64>) -> bool {
        self.links.contains(org.borrow())
    }
}

/// The organisations of a ranking whose workers' pages `ctx` may open.
fn linkable(ctx: &Ctx, rk: &Ranking, more: impl Iterator<Item = i64>) -> HashSet<i64> {
    rk.standings
        .iter()
        .map(|s| s.org_id)
        .chain(more)
        .filter(|o| ctx.may(Permission::SeePersonalData { org_id: *o }))
        .collect()
}

fn is_live(c: &Contest) -> bool {
    c.status == "open" && c.scheme_published
}

async fn page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    failed: Failed,
    flash: Option<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let svc = &st.svc;
    let c = svc.get_contest(&ctx.actor, id).await?;
    let can_run = svc.runs_contest(&ctx.actor, &c).await?;
    let aspects = svc.contest_scheme(&ctx.actor, id).await?;
    let entries = svc.contest_entries(&ctx.actor, id).await?;
    let (judges, recusals) = svc.contest_judges(&ctx.actor, id).await?;
    let on_panel = judges.iter().any(|j| Some(j.user_id) == ctx.actor.user_id);
    let rk = svc.contest_ranking(&ctx.actor, id).await?;
    let results = if matches!(c.status.as_str(), "notice" | "closed") {
        svc.contest_results(&ctx.actor, id).await?
    } else {
        Vec::new()
    };
    let links = linkable(
        ctx,
        &rk,
        entries
            .iter()
            .map(|e| e.org_id)
            .chain(results.iter().map(|r| r.org_id)),
    );
    let l = Layout::new(
        ctx,
        "/contests",
        c.name.clone(),
        vec![
            (t.s("nav.contests"), "/contests".into()),
            (c.code.clone(), String::new()),
        ],
    );
    let status = if failed.e.any() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let mut r = render(
        &DetailPage {
            l,
            t,
            cid: c.id,
            live: is_live(&c),
            can_enter: c.status == "open" && ctx.may(Permission::EnterContest),
            c,
            aspects,
            entries,
            judges,
            recusals,
            rk,
            results,
            can_run,
            on_panel,
            failed,
            flash,
            links,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

pub(super) async fn show(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let flash = (!q.saved.is_empty()).then(|| T(ctx.lang).s("common.saved"));
    page(&st, &ctx, id, Failed::default(), flash).await
}

/// The ranking table alone (htmx polls it every few seconds while marks come in).
pub(super) async fn ranking(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let c = st.svc.get_contest(&ctx.actor, id).await?;
    let rk = st.svc.contest_ranking(&ctx.actor, id).await?;
    render(
        &RankingFragment {
            t: T(lang),
            cid: id,
            live: is_live(&c),
            links: linkable(&ctx, &rk, std::iter::empty()),
            rk,
        },
        lang,
    )
}

/// One of the page's small forms: its name, what was typed, its fields, and where the
/// page scrolls to after it.
struct Sent {
    form: &'static str,
    value: String,
    fields: &'static [&'static str],
    anchor: &'static str,
}

/// After an action: back to the page on success; its form again with the errors next
/// to the field when the input was refused; any other refusal is the error page.
async fn after<V>(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    r: Result<V, gongjiang_storage::StoreError>,
    sent: Sent,
) -> Result<Response, UiError> {
    match r {
        Ok(_) => {
            Ok(Redirect::to(&format!("/contests/{id}?saved=1#{}", sent.anchor)).into_response())
        }
        Err(e) => {
            let e = AppError::from(e);
            if e.field_errors().is_empty() {
                return Err(UiError(e, ctx.lang));
            }
            let e = Errors::from(&e.field_errors(), ctx.lang, sent.fields);
            let failed = Failed {
                form: sent.form,
                value: sent.value,
                e,
            };
            page(st, ctx, id, failed, None).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct WorkerForm {
    worker: String,
}

pub(super) async fn enter(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<WorkerForm>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let input = EntryInput {
        worker: f.worker.clone(),
    };
    let r = st.svc.enter_contest(&ctx.actor, id, &input).await;
    let sent = Sent {
        form: "entry",
        value: f.worker,
        fields: &["worker"],
        anchor: "entries",
    };
    after(&st, &ctx, id, r, sent).await
}

#[derive(Deserialize, Default)]
pub(super) struct Empty {}

pub(super) async fn withdraw(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((id, entry)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let (id, entry) = (id_of(&id, lang)?, id_of(&entry, lang)?);
    st.svc.withdraw_entry(&ctx.actor, id, entry).await?;
    Ok(Redirect::to(&format!("/contests/{id}?saved=1#entries")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct JudgeForm {
    username: String,
}

pub(super) async fn add_judge(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<JudgeForm>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let input = JudgeInput {
        username: f.username.clone(),
    };
    let r = st.svc.add_contest_judge(&ctx.actor, id, &input).await;
    let sent = Sent {
        form: "judge",
        value: f.username,
        fields: &["username"],
        anchor: "panel",
    };
    after(&st, &ctx, id, r, sent).await
}

pub(super) async fn remove_judge(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((id, user)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let (id, user) = (id_of(&id, lang)?, id_of(&user, lang)?);
    st.svc.remove_contest_judge(&ctx.actor, id, user).await?;
    Ok(Redirect::to(&format!("/contests/{id}?saved=1#panel")).into_response())
}

pub(super) async fn lock(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let r = st.svc.lock_contest(&ctx.actor, id).await;
    let sent = Sent {
        form: "lock",
        value: String::new(),
        fields: &[],
        anchor: "ranking",
    };
    after(&st, &ctx, id, r, sent).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ReasonForm {
    reason: String,
}

pub(super) async fn unlock(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ReasonForm>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let input = ReasonInput {
        reason: f.reason.clone(),
    };
    let r = st.svc.unlock_contest(&ctx.actor, id, &input).await;
    let sent = Sent {
        form: "unlock",
        value: f.reason,
        fields: &["reason"],
        anchor: "ranking",
    };
    after(&st, &ctx, id, r, sent).await
}

pub(super) async fn publish(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let r = st.svc.publish_contest(&ctx.actor, id).await;
    let sent = Sent {
        form: "publish",
        value: String::new(),
        fields: &[],
        anchor: "results",
    };
    after(&st, &ctx, id, r, sent).await
}
