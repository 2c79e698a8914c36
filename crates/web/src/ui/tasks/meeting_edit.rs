//! Corrections to a meeting and to its decisions.
use super::int;
use super::meetings::{lines, meeting_detail, MeetingFormPage};
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::T;
use crate::ui::lists::id_of;
use crate::ui::Errors;
use crate::ui::{render, save_or_show, Layout};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use gongjiang_domain::tasks::ATTENDANCE;
use gongjiang_storage::tasks::{AttendanceInput, DecisionEdit, MeetingEdit};
use gongjiang_storage::StoreError;
use std::collections::BTreeMap;

// ----- corrections: meetings, decisions, bodies -----

/// The edit form of a meeting: its values (or what was typed) and its attendance rows
/// (units recorded at the meeting and the body's current members).
#[allow(clippy::too_many_arguments)]
async fn meeting_edit_form(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    typed: Option<BTreeMap<String, String>>,
    e: Errors,
    status: StatusCode,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let (m, attendance, _, may_edit) = st.svc.get_meeting(&ctx.actor, id, en).await?;
    if !may_edit {
        return Err(UiError(AppError::Store(StoreError::Forbidden), lang));
    }
    let (body, _) = st.svc.get_body(&ctx.actor, m.body_id, en).await?;
    let mut rows: Vec<(i64, String)> = attendance
        .iter()
        .map(|a| (a.org_id, a.org_name.clone()))
        .collect();
    for mb in &body.members {
        if !rows.iter().any(|(o, _)| *o == mb.org_id) {
            rows.push((mb.org_id, mb.org_name.clone()));
        }
    }
    let version = typed
        .as_ref()
        .and_then(|v| v.get("_version"))
        .and_then(|v| int(v))
        .unwrap_or(m.version);
    let v = match typed {
        Some(v) => v,
        None => {
            let mut v = BTreeMap::new();
            v.insert("title".to_string(), m.title.clone());
            v.insert("date".to_string(), m.date.clone());
            v.insert("place".to_string(), m.place.clone());
            v.insert("agenda".to_string(), m.agenda.join("\n"));
            v.insert("minutes".to_string(), m.minutes.clone());
            for a in &attendance {
                v.insert(format!("att_{}", a.org_id), a.status.clone());
                v.insert(
                    format!("who_{}", a.org_id),
                    a.attendee.clone().unwrap_or_default(),
                );
            }
            v
        }
    };
    let l = Layout::new(
        ctx,
        "/meetings",
        format!("{} · {}", m.title, t.s("meetings.edit")),
        vec![
            (t.s("nav.meetings"), "/meetings".into()),
            (m.title.clone(), format!("/meetings/{id}")),
            (t.s("meetings.edit"), String::new()),
        ],
    );
    let mut r = render(
        &MeetingFormPage {
            l,
            body,
            action: format!("/meetings/{id}/edit"),
            back: format!("/meetings/{id}"),
            version: Some(version),
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

pub(super) async fn edit_meeting(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    meeting_edit_form(&st, &ctx, id, None, Errors::default(), StatusCode::OK).await
}

/// The attendance rows of a submitted meeting form (`att_ORG`, `who_ORG`).
pub(super) fn attendance_of(f: &BTreeMap<String, String>) -> Vec<AttendanceInput> {
    f.iter()
        .filter_map(|(k, v)| {
            let org = int(k.strip_prefix("att_")?)?;
            Some(AttendanceInput {
                org_id: org,
                status: v.clone(),
                attendee: f.get(&format!("who_{org}")).cloned(),
            })
        })
        .collect()
}

pub(super) async fn save_meeting(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let g = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = MeetingEdit {
        version: f.get("_version").and_then(|v| int(v)),
        title: Some(g("title")),
        date: Some(g("date")),
        place: Some(g("place")),
        agenda: Some(lines(&g("agenda"))),
        minutes: Some(g("minutes")),
        attendance: Some(attendance_of(&f)),
        add_decisions: lines(&g("add_decisions")),
    };
    save_or_show(
        lang,
        st.svc.update_meeting(&ctx.actor, id, &input).await,
        |_| format!("/meetings/{id}"),
        |r| async move {
            let status = r.status;
            // The edit form adds decisions; the store names the list it checks.
            let mut e = Errors::of(r);
            e.rename("decisions", "add_decisions");
            meeting_edit_form(&st, &ctx, id, Some(f), e, status).await
        },
    )
    .await
}

pub(super) async fn correct_decision(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((id, did)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let did = id_of(&did, lang)?;
    let input = DecisionEdit {
        text: f.get("text").cloned().unwrap_or_default(),
        version: f.get("_version").and_then(|v| int(v)),
    };
    save_or_show(
        lang,
        st.svc.correct_decision(&ctx.actor, id, did, &input).await,
        |_| format!("/meetings/{id}"),
        |r| async move { meeting_detail(&st, &ctx, id, Some(did), f, Errors::of(r)).await },
    )
    .await
}
