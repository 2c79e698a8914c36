//! The marking sheet of one entrant: a judge scores each judgement aspect 0–3 against
//! its descriptors; a paper (measurement) mark is entered by one person and confirmed
//! by another. The whole sheet is kept in one transaction: all of it, or nothing.
use super::id_of;
use crate::auth::{CsrfForm, Ctx, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::T;
use crate::ui::{render, save_form, Errors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use gongjiang_domain::contests::{trim_num, AspectKind};
use gongjiang_domain::{FieldError, Rule};
use gongjiang_storage::contests::{AspectOut, Contest, ContestEntry, Mark, MarkInput};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SheetQuery {
    entry: String,
    saved: String,
}

/// One entrant in the list beside the sheet.
struct EntryRow {
    e: ContestEntry,
    /// Aspects still needing this user's hand: a score, a paper mark or a confirmation.
    todo: usize,
    recused: bool,
}

/// One aspect of the sheet.
struct SheetRow {
    a: AspectOut,
    judged: bool,
    /// What the form shows: the value typed, or the one kept.
    value: String,
    /// The paper mark, if one is entered.
    paper: Option<Mark>,
    /// The paper mark may be confirmed by this user (entered by someone else).
    can_confirm: bool,
    /// How many judges have scored this aspect.
    scored_by: usize,
    field: String,
}

impl SheetRow {
    /// A paper mark may still be entered or corrected (it is not confirmed).
    fn open(&self) -> bool {
        self.paper.as_ref().is_none_or(|p| p.confirmed_by.is_none())
    }
}

#[derive(Template)]
#[template(path = "contest_marking.html")]
struct SheetPage {
    l: Layout,
    t: T,
    c: Contest,
    entries: Vec<EntryRow>,
    entry: Option<ContestEntry>,
    recused: bool,
    rows: Vec<SheetRow>,
    on_panel: bool,
    e: Errors,
    flash: Option<String>,
}

struct Marks {
    by_cell: HashMap<(i64, i64), Vec<Mark>>,
}

impl Marks {
    fn cell(&self, entry: i64, aspect: i64) -> &[Mark] {
        self.by_cell
            .get(&(entry, aspect))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

fn todo(me: i64, on_panel: bool, aspects: &[AspectOut], marks: &Marks, entry: i64) -> usize {
    aspects
        .iter()
        .filter(|a| {
            let cell = marks.cell(entry, a.id);
            if a.kind == AspectKind::Judgement.code() {
                on_panel && !cell.iter().any(|m| m.judge_id == me)
            } else {
                match cell.iter().find(|m| m.judge_id == 0) {
                    None => true,
                    Some(p) => p.confirmed_by.is_none() && p.entered_by != Some(me),
                }
            }
        })
        .count()
}

async fn sheet_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    wanted: Option<i64>,
    typed: HashMap<String, String>,
    e: Errors,
    flash: Option<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let svc = &st.svc;
    let c = svc.get_contest(&ctx.actor, id).await?;
    let aspects = svc.contest_scheme(&ctx.actor, id).await?;
    let all = svc.contest_marks(&ctx.actor, id).await?;
    let entries = svc.contest_entries(&ctx.actor, id).await?;
    let (judges, recusals) = svc.contest_judges(&ctx.actor, id).await?;
    let me = ctx.actor.user_id.unwrap_or(0);
    let on_panel = judges.iter().any(|j| j.user_id == me);
    let mut by_cell: HashMap<(i64, i64), Vec<Mark>> = HashMap::new();
    for m in all {
        by_cell
            .entry((m.entry_id, m.aspect_id))
            .or_default()
            .push(m);
    }
    let marks = Marks { by_cell };
    let rows: Vec<EntryRow> = entries
        .into_iter()
        .map(|e| EntryRow {
            todo: todo(me, on_panel, &aspects, &marks, e.id),
            recused: recusals
                .iter()
                .any(|x| x.user_id == me && x.entry_id == e.id),
            e,
        })
        .collect();
    let chosen = wanted
        .and_then(|w| rows.iter().find(|r| r.e.id == w))
        .or_else(|| rows.iter().find(|r| r.todo > 0 && !r.recused))
        .or(rows.first());
    let entry = chosen.map(|r| r.e.clone());
    let recused = chosen.is_some_and(|r| r.recused);
    let sheet = match &entry {
        None => Vec::new(),
        Some(en) => aspects
            .iter()
            .map(|a| {
                let cell = marks.cell(en.id, a.id);
                let judged = a.kind == AspectKind::Judgement.code();
                let paper = cell.iter().find(|m| m.judge_id == 0).cloned();
                let kept = if judged {
                    cell.iter()
                        .find(|m| m.judge_id == me)
                        .map(|m| trim_num(m.value))
                } else {
                    paper.as_ref().map(|m| trim_num(m.value))
                };
                let field = format!("m{}", a.id);
                SheetRow {
                    value: typed.get(&field).cloned().or(kept).unwrap_or_default(),
                    can_confirm: paper
                        .as_ref()
                        .is_some_and(|p| p.confirmed_by.is_none() && p.entered_by != Some(me)),
                    scored_by: cell.iter().filter(|m| m.judge_id != 0).count(),
                    paper,
                    judged,
                    a: a.clone(),
                    field,
                }
            })
            .collect(),
    };
    let title = t.s("contests.marking");
    let l = Layout::new(
        ctx,
        "/contests",
        title.clone(),
        vec![
            (t.s("nav.contests"), "/contests".into()),
            (c.code.clone(), format!("/contests/{id}")),
            (title, String::new()),
        ],
    );
    let status = if e.any() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let mut r = render(
        &SheetPage {
            l,
            t,
            c,
            entries: rows,
            entry,
            recused,
            rows: sheet,
            on_panel,
            e,
            flash,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

pub(super) async fn sheet(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    Query(q): Query<SheetQuery>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let flash = (!q.saved.is_empty()).then(|| T(ctx.lang).s("common.saved"));
    let wanted = q.entry.parse().ok();
    sheet_page(
        &st,
        &ctx,
        id,
        wanted,
        HashMap::new(),
        Errors::default(),
        flash,
    )
    .await
}

/// The marks of a posted sheet that differ from the ones kept, each checked against
/// its aspect's rule first (so that one bad value names its aspect and keeps nothing).
fn posted(
    f: &HashMap<String, String>,
    entry: i64,
    aspects: &[AspectOut],
    kept: &[Mark],
    me: i64,
) -> Result<Vec<MarkInput>, Vec<FieldError>> {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for a in aspects {
        let field = format!("m{}", a.id);
        let Some(raw) = f.get(&field).map(|v| v.trim()).filter(|v| !v.is_empty()) else {
            continue;
        };
        let judged = a.kind == AspectKind::Judgement.code();
        let mine = kept.iter().find(|m| {
            m.entry_id == entry && m.aspect_id == a.id && m.judge_id == if judged { me } else { 0 }
        });
        let Ok(v) = raw.parse::<f64>() else {
            errs.push(FieldError::new(
                field,
                Rule::BadFormat,
                format!("“{}”的成绩“{raw}”不是数字", a.name),
                format!("'{}': the mark '{raw}' is not a number", a.name),
            ));
            continue;
        };
        if let Err(mut e) = a.rule().check_mark(v) {
            e.field = field;
            errs.push(e);
            continue;
        }
        if mine.is_some_and(|m| m.value == v || m.confirmed_by.is_some()) {
            continue;
        }
        out.push(MarkInput {
            entry,
            aspect: a.id,
            value: Some(v),
        });
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(errs)
    }
}

pub(super) async fn keep(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = id_of(&id, lang)?;
    let entry = f
        .get("entry")
        .and_then(|e| e.parse::<i64>().ok())
        .unwrap_or(0);
    let aspects = st.svc.contest_scheme(&ctx.actor, id).await?;
    let kept = st.svc.contest_marks(&ctx.actor, id).await?;
    let me = ctx.actor.user_id.unwrap_or(0);
    let fields: Vec<String> = aspects.iter().map(|a| format!("m{}", a.id)).collect();
    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    let result = match posted(&f, entry, &aspects, &kept, me) {
        Err(errs) => Err(AppError::from(gongjiang_storage::StoreError::Invalid(errs))),
        Ok(marks) if marks.is_empty() => Ok(()),
        Ok(marks) => st
            .svc
            .keep_marks(&ctx.actor, id, &marks)
            .await
            .map(|_| ())
            .map_err(AppError::from),
    };
    save_form(
        lang,
        result,
        &fields,
        |_| format!("/contests/{id}/marking?entry={entry}&saved=1"),
        |errors| sheet_page(&st, &ctx, id, Some(entry), f, errors, None),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ConfirmForm {
    entry: String,
}

/// Confirms a paper mark (someone other than the one who entered it).
pub(super) async fn confirm(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser,
    Path((id, mark)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<ConfirmForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let (id, mark) = (id_of(&id, lang)?, id_of(&mark, lang)?);
    let entry = f.entry.parse::<i64>().ok();
    save_form(
        lang,
        st.svc.confirm_mark(&ctx.actor, id, mark).await,
        &[],
        |m| format!("/contests/{id}/marking?entry={}&saved=1", m.entry_id),
        |errors| sheet_page(&st, &ctx, id, entry, HashMap::new(), errors, None),
    )
    .await
}
