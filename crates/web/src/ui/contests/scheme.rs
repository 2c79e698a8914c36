//! The marking-scheme editor: one row per aspect (name, kind, weight, a maximum or a
//! tolerance for a measurement, a descriptor for each score 0–3 for a judgement), kept
//! as a draft or published once the weights add up to 100.
use super::{id_of, options};
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::i18n::T;
use crate::ui::{render, save_form, Errors, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use gongjiang_domain::contests::{trim_num, AspectKind};
use gongjiang_storage::contests::{AspectInput, AspectOut, Contest, ContestSchemeInput};
use std::collections::HashMap;

/// Blank rows offered below the aspects typed so far.
const BLANK_ROWS: usize = 3;

/// One aspect row as typed.
#[derive(Default, Clone)]
struct Row {
    name: String,
    kind: String,
    weight: String,
    max_mark: String,
    tolerance: String,
    descriptors: [String; 4],
}

impl Row {
    fn of(a: &AspectOut) -> Row {
        let mut d: [String; 4] = Default::default();
        for (slot, text) in d.iter_mut().zip(&a.descriptors) {
            slot.clone_from(text);
        }
        Row {
            name: a.name.clone(),
            kind: a.kind.clone(),
            weight: trim_num(a.weight),
            max_mark: a.max_mark.map(trim_num).unwrap_or_default(),
            tolerance: a.tolerance.map(trim_num).unwrap_or_default(),
            descriptors: d,
        }
    }

    fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.weight.trim().is_empty()
            && self.max_mark.trim().is_empty()
            && self.tolerance.trim().is_empty()
            && self.descriptors.iter().all(|d| d.trim().is_empty())
    }

    fn input(&self) -> AspectInput {
        // Not a number: NaN, which the domain refuses with the field named.
        let num = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.parse::<f64>().unwrap_or(f64::NAN))
        };
        let judged = AspectKind::from_any(&self.kind) == Some(AspectKind::Judgement);
        AspectInput {
            name: self.name.clone(),
            kind: self.kind.clone(),
            weight: num(&self.weight),
            max_mark: num(&self.max_mark),
            tolerance: num(&self.tolerance),
            descriptors: if judged {
                self.descriptors.to_vec()
            } else {
                Vec::new()
            },
        }
    }
}

/// The rows of a posted form (`a0_name`, `a0_kind`, … `a0_d3`), blank rows dropped so
/// that row i is the scheme's aspect i.
fn rows_of(form: &HashMap<String, String>) -> Vec<Row> {
    let get = |i: usize, f: &str| form.get(&format!("a{i}_{f}")).cloned().unwrap_or_default();
    let mut rows = Vec::new();
    for i in 0..200 {
        if !form.contains_key(&format!("a{i}_name")) {
            break;
        }
        let row = Row {
            name: get(i, "name"),
            kind: get(i, "kind"),
            weight: get(i, "weight"),
            max_mark: get(i, "max_mark"),
            tolerance: get(i, "tolerance"),
            descriptors: [get(i, "d0"), get(i, "d1"), get(i, "d2"), get(i, "d3")],
        };
        if !row.is_blank() {
            rows.push(row);
        }
    }
    rows
}

#[derive(Template)]
#[template(path = "contest_scheme.html")]
struct SchemePage {
    l: Layout,
    c: Contest,
    rows: Vec<Row>,
    e: Errors,
    kinds: Vec<(&'static str, &'static str)>,
    version: String,
}

impl SchemePage {
    fn field(&self, i: impl std::fmt::Display, f: &str) -> String {
        format!("aspects[{i}].{f}")
    }
    fn total(&self) -> String {
        let sum: f64 = self
            .rows
            .iter()
            .filter_map(|r| r.weight.trim().parse::<f64>().ok())
            .sum();
        trim_num(sum)
    }
}

async fn form(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    mut rows: Vec<Row>,
    e: Errors,
    version: Option<String>,
) -> Result<Response, crate::error::UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let c = st.svc.get_contest(&ctx.actor, id).await?;
    rows.extend(std::iter::repeat_n(Row::default(), BLANK_ROWS));
    let title = t.s("contests.edit_scheme");
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
    render(
        &SchemePage {
            l,
            version: version.unwrap_or_else(|| c.version.to_string()),
            c,
            rows,
            e,
            kinds: options(
                AspectKind::ALL,
                AspectKind::code,
                AspectKind::label,
                lang.is_en(),
            ),
        },
        lang,
    )
}

pub(super) async fn edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, crate::error::UiError> {
    let id = id_of(&id, ctx.lang)?;
    let aspects = st.svc.contest_scheme(&ctx.actor, id).await?;
    let rows = aspects.iter().map(Row::of).collect();
    form(&st, &ctx, id, rows, Errors::default(), None).await
}

pub(super) async fn save(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> Result<Response, crate::error::UiError> {
    let id = id_of(&id, ctx.lang)?;
    let rows = rows_of(&f);
    let version = f.get("version").cloned();
    let input = ContestSchemeInput {
        aspects: rows.iter().map(Row::input).collect(),
        publish: f.get("publish").is_some_and(|p| p == "1"),
        version: version.as_deref().and_then(|v| v.parse().ok()),
    };
    let r = st.svc.set_contest_scheme(&ctx.actor, id, &input).await;
    let known: Vec<String> = (0..rows.len())
        .flat_map(|i| {
            [
                "name",
                "kind",
                "weight",
                "max_mark",
                "tolerance",
                "descriptors",
            ]
            .map(|f| format!("aspects[{i}].{f}"))
        })
        .collect();
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    save_form(
        ctx.lang,
        r,
        &known,
        |_| format!("/contests/{id}?saved=1#scheme"),
        |e| form(&st, &ctx, id, rows.clone(), e, version.clone()),
    )
    .await
}
