//! `/meetings`: the list, the new-meeting form and the meeting page with its
//! decisions, which can turn into tasks.
use super::meeting_edit::attendance_of;
use super::{enc, int};
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::UiError;
use crate::i18n::T;
use crate::ui::lists::nz;
use crate::ui::lists::{id_of, missing};
use crate::ui::Errors;
use crate::ui::{render, save_or_show, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use gongjiang_domain::tasks::ATTENDANCE;
use gongjiang_storage::access::Permission;
use gongjiang_storage::tasks::{
    Attendance, Body, Decision, DecisionTaskInput, Meeting, MeetingFilter, MeetingInput,
};
use gongjiang_storage::Page;
use serde::Deserialize;
use std::collections::BTreeMap;

// ----- meetings -----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct MeetingListQuery {
    level: String,
    region: String,
    year: String,
    page: String,
}

#[derive(Template)]
#[template(path = "meetings_list.html")]
struct MeetingsPage {
    l: Layout,
    q: MeetingListQuery,
    levels: Vec<(&'static str, &'static str)>,
    bodies: Vec<Body>,
    page: Page<Meeting>,
    can_create: bool,
    can_create_body: bool,
    prev: String,
    next: String,
}

pub(super) async fn meetings(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<MeetingListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let page_no = int(&q.page).unwrap_or(1).max(1);
    let f = MeetingFilter {
        body_id: None,
        level: nz(&q.level),
        region: nz(&q.region),
        year: int(&q.year),
        page: page_no,
        per_page: 20,
    };
    let page = st.svc.list_meetings(&ctx.actor, &f, en).await?;
    let bodies = st.svc.list_bodies(&ctx.actor, en).await?;
    let can_create = !st.svc.writable_bodies(&ctx.actor, en).await?.is_empty();
    let link = |p: i64| {
        format!(
            "/meetings?level={}&region={}&year={}&page={p}",
            enc(&q.level),
            enc(&q.region),
            enc(&q.year)
        )
    };
    let l = Layout::new(
        &ctx,
        "/meetings",
        t.s("nav.meetings"),
        vec![(t.s("nav.meetings"), String::new())],
    );
    render(
        &MeetingsPage {
            l,
            prev: link(page_no.saturating_sub(1)),
            next: link(page_no.saturating_add(1)),
            levels: ["city", "district", "town"]
                .iter()
                .map(|c| (*c, gongjiang_domain::tasks::level_label(c, en)))
                .collect(),
            bodies,
            page,
            can_create,
            can_create_body: ctx.may(Permission::Coordinate),
            q,
        },
        lang,
    )
}

#[derive(Template)]
#[template(path = "meeting_form.html")]
pub(super) struct MeetingFormPage {
    pub(super) l: Layout,
    pub(super) body: Body,
    /// Where the form posts; the meeting's version when editing one.
    pub(super) action: String,
    pub(super) back: String,
    pub(super) version: Option<i64>,
    /// The member units whose attendance the form sets.
    pub(super) rows: Vec<(i64, String)>,
    pub(super) attendance: Vec<(&'static str, &'static str)>,
    pub(super) v: BTreeMap<String, String>,
    pub(super) e: Errors,
}

impl MeetingFormPage {
    fn val(&self, k: &str) -> String {
        self.v.get(k).cloned().unwrap_or_default()
    }
    fn att(&self, org: &i64) -> String {
        self.v
            .get(&format!("att_{org}"))
            .cloned()
            .unwrap_or_else(|| "present".into())
    }
    fn who(&self, org: &i64) -> String {
        self.v
            .get(&format!("who_{org}"))
            .cloned()
            .unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NewMeetingQuery {
    body: String,
}

async fn meeting_form(
    st: &AppState,
    ctx: &Ctx,
    body_id: Option<i64>,
    v: BTreeMap<String, String>,
    e: Errors,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let bodies = st.svc.writable_bodies(&ctx.actor, en).await?;
    let body = match body_id {
        Some(id) => bodies.into_iter().find(|b| b.id == id),
        None => bodies.into_iter().next(),
    }
    .ok_or_else(|| missing(lang))?;
    let status = if !e.any() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let l = Layout::new(
        ctx,
        "/meetings",
        format!("{} · {}", body.name, t.s("meetings.new")),
        vec![
            (t.s("nav.meetings"), "/meetings".into()),
            (t.s("meetings.new"), String::new()),
        ],
    );
    let rows = body
        .members
        .iter()
        .map(|m| (m.org_id, m.org_name.clone()))
        .collect();
    let mut r = render(
        &MeetingFormPage {
            l,
            body,
            action: "/meetings".into(),
            back: "/meetings".into(),
            version: None,
            rows,
            attendance: ATTENDANCE
                .iter()
                .map(|(c, zh, e)| (*c, if en { *e } else { *zh }))
                .collect(),
            v,
            e,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

pub(super) async fn new_meeting(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<NewMeetingQuery>,
) -> Result<Response, UiError> {
    meeting_form(&st, &ctx, int(&q.body), BTreeMap::new(), Errors::default()).await
}

pub(super) fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

pub(super) async fn create_meeting(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let body_id = int(&g("body_id")).ok_or_else(|| missing(lang))?;
    let attendance = attendance_of(&f);
    let input = MeetingInput {
        body_id,
        title: g("title"),
        date: g("date"),
        place: g("place"),
        agenda: lines(&g("agenda")),
        minutes: g("minutes"),
        attendance,
        decisions: lines(&g("decisions")),
    };
    save_or_show(
        lang,
        st.svc.create_meeting(&ctx.actor, &input).await,
        |m| format!("/meetings/{}", m.id),
        |r| async move { meeting_form(&st, &ctx, Some(body_id), f, Errors::of(r)).await },
    )
    .await
}

#[derive(Template)]
#[template(path = "meeting_detail.html")]
struct MeetingPage {
    l: Layout,
    m: Meeting,
    attendance: Vec<Attendance>,
    decisions: Vec<Decision>,
    may_assign: bool,
    chart_json: String,
    /// The decision a refused "turn into task" was for, and its messages.
    failed: Option<i64>,
    v: BTreeMap<String, String>,
    e: Errors,
}

impl MeetingPage {
    fn val(&self, k: &str) -> String {
        self.v.get(k).cloned().unwrap_or_default()
    }
    fn is_failed(&self, d: &i64) -> bool {
        self.failed == Some(*d)
    }
    fn err(&self, d: &i64, k: &str) -> String {
        if self.failed == Some(*d) {
            self.e.msg(k)
        } else {
            String::new()
        }
    }
}

pub(super) async fn meeting(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    meeting_detail(&st, &ctx, id, None, BTreeMap::new(), Errors::default()).await
}

pub(super) async fn meeting_detail(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    failed: Option<i64>,
    v: BTreeMap<String, String>,
    e: Errors,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let (m, attendance, decisions, may_assign) = st.svc.get_meeting(&ctx.actor, id, en).await?;
    let names: Vec<&str> = ATTENDANCE
        .iter()
        .map(|(_, zh, e)| if en { *e } else { *zh })
        .collect();
    let values: Vec<i64> = ATTENDANCE
        .iter()
        .map(|(c, _, _)| attendance.iter().filter(|a| a.status == *c).count() as i64)
        .collect();
    let chart_json = serde_json::json!({
        "kind": "pie",
        "names": names,
        "series": [{"name": t.s("meetings.attendance"), "values": values}],
    })
    .to_string();
    let status = if !e.any() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let l = Layout::new(
        ctx,
        "/meetings",
        m.title.clone(),
        vec![
            (t.s("nav.meetings"), "/meetings".into()),
            (m.title.clone(), String::new()),
        ],
    )
    .with_script("/assets/echarts.min.js");
    let mut r = render(
        &MeetingPage {
            l,
            m,
            attendance,
            decisions,
            may_assign,
            chart_json,
            failed,
            v,
            e,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

pub(super) async fn decision_task(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((id, did)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let did = id_of(&did, lang)?;
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = DecisionTaskInput {
        owner: g("owner"),
        deadline: g("deadline"),
        title: Some(g("title")),
        target_text: Some(g("target_text")),
        year: None,
    };
    save_or_show(
        lang,
        st.svc.decision_to_task(&ctx.actor, id, did, &input).await,
        |t| format!("/tasks/{}", t.id),
        |r| async move { meeting_detail(&st, &ctx, id, Some(did), f, Errors::of(r)).await },
    )
    .await
}
