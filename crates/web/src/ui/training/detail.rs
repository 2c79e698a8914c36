//! One class: its facts, its roster, and the forms to enrol, complete and withdraw.
use super::{id_of, options};
use crate::auth::{CsrfForm, OrgReader, WebUser};
use crate::i18n::T;
use crate::ui::{render, save_form, Errors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongjiang_domain::training::ClassType;
use gongjiang_domain::SkillLevel;
use gongjiang_storage::access::Permission;
use gongjiang_storage::training::{Class, CompleteInput, EnrolInput, Trainee};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ShowQuery {
    saved: String,
}

#[derive(Template)]
#[template(path = "class_detail.html")]
struct DetailPage {
    l: Layout,
    c: Class,
    roster: Vec<Trainee>,
    can_edit: bool,
    pairs_masters: bool,
    levels: Vec<(&'static str, &'static str)>,
    /// The enrol form as typed, and its errors.
    enrol: EnrolForm,
    e: Errors,
    /// The trainee whose completion form failed, with its errors.
    failed: Option<i64>,
    done: CompleteForm,
    ce: Errors,
    flash: Option<String>,
    today: String,
}

impl DetailPage {
    /// Whether the completion form of this trainee is the one that failed.
    fn is_failed(&self, id: impl std::borrow::Borrow<i64>) -> bool {
        self.failed == Some(*id.borrow())
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct EnrolForm {
    worker: String,
    master: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct CompleteForm {
    completed_on: String,
    certificate_no: String,
    certified_level: String,
}

#[derive(Default)]
struct Shown {
    enrol: EnrolForm,
    e: Errors,
    failed: Option<i64>,
    done: CompleteForm,
    ce: Errors,
    flash: Option<String>,
}

async fn page(
    st: &AppState,
    ctx: &crate::auth::Ctx,
    id: i64,
    s: Shown,
) -> Result<Response, crate::error::UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let c = st.svc.get_class(&ctx.actor, id).await?;
    let roster = st.svc.class_roster(&ctx.actor, id).await?;
    let l = Layout::new(
        ctx,
        "/training",
        c.name.clone(),
        vec![
            (t.s("nav.training"), "/training".into()),
            (c.code.clone(), String::new()),
        ],
    );
    let status = if s.e.any() || s.ce.any() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let mut r = render(
        &DetailPage {
            l,
            pairs_masters: ClassType::from_any(&c.ctype).is_some_and(ClassType::pairs_masters),
            c,
            roster,
            can_edit: ctx.may(Permission::KeepClasses),
            levels: options(
                SkillLevel::ALL,
                SkillLevel::code,
                SkillLevel::label,
                lang.is_en(),
            ),
            enrol: s.enrol,
            e: s.e,
            failed: s.failed,
            done: s.done,
            ce: s.ce,
            flash: s.flash,
            today: gongjiang_storage::contacts::today()
                .format("%Y-%m-%d")
                .to_string(),
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

pub(super) async fn show(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, crate::error::UiError> {
    let id = id_of(&id, ctx.lang)?;
    let flash = (!q.saved.is_empty()).then(|| T(ctx.lang).s("common.saved"));
    page(
        &st,
        &ctx,
        id,
        Shown {
            enrol: EnrolForm::default(),
            e: Errors::default(),
            failed: None,
            done: CompleteForm::default(),
            ce: Errors::default(),
            flash,
        },
    )
    .await
}

pub(super) async fn enrol(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<EnrolForm>,
) -> Result<Response, crate::error::UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let input = EnrolInput {
        worker: f.worker.clone(),
        master: Some(f.master.clone()),
    };
    save_form(
        lang,
        st.svc.enrol_trainee(&ctx.actor, id, &input).await,
        &["worker", "master"],
        |_| format!("/training/{id}?saved=1#roster"),
        |e| {
            let shown = Shown {
                enrol: f,
                e,
                ..Shown::default()
            };
            page(&st, &ctx, id, shown)
        },
    )
    .await
}

pub(super) async fn complete(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path((id, trainee)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<CompleteForm>,
) -> Result<Response, crate::error::UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let trainee = id_of(&trainee, lang)?;
    let input = CompleteInput {
        completed_on: f.completed_on.clone(),
        certificate_no: Some(f.certificate_no.clone()),
        certified_level: Some(f.certified_level.clone()),
    };
    save_form(
        lang,
        st.svc
            .complete_trainee(&ctx.actor, id, trainee, &input)
            .await,
        &["completed_on", "certificate_no", "certified_level"],
        |_| format!("/training/{id}?saved=1#roster"),
        |ce| {
            let shown = Shown {
                failed: Some(trainee),
                done: f,
                ce,
                ..Shown::default()
            };
            page(&st, &ctx, id, shown)
        },
    )
    .await
}

#[derive(Deserialize, Default)]
pub(super) struct Empty {}

pub(super) async fn withdraw(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path((id, trainee)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, crate::error::UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let trainee = id_of(&trainee, lang)?;
    st.svc.withdraw_trainee(&ctx.actor, id, trainee).await?;
    Ok(Redirect::to(&format!("/training/{id}?saved=1#roster")).into_response())
}
