//! `/pairs`: one graph per supply chain, the filtered list, the pair form and a page
//! per pair with its activities.
use super::form::{field, field_of, fill, opt, opts, whole, with_status, Field, NewForm};
use super::list::urlencode;
use super::nav_crumbs;
use crate::api::contacts::PairQuery;
use crate::auth::{CsrfForm, Ctx, OrgReader, WebUser};
use crate::error::UiError;
use crate::i18n::T;
use crate::ui::lists::id_of;
use crate::ui::{render, Layout, Refusal};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongjiang_domain::contacts::PairKind;
use gongjiang_storage::access::Permission;
use gongjiang_storage::pairs::{Activity, ActivityInput, Pair, PairInput};
use gongjiang_storage::{Page, StoreError};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

// ------------------------------------------------------------------ /pairs

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct PairsQuery {
    /// "1": show ended pairs too (drawn dashed in the graphs).
    ended: String,
    kind: String,
    chain: String,
    region: String,
    page: String,
}

pub struct GraphView {
    pub title: String,
    pub json: String,
    pub nodes: usize,
    pub links: usize,
}

#[derive(Template)]
#[template(path = "pairs.html")]
struct PairsPage {
    l: Layout,
    q: PairsQuery,
    graphs: Vec<GraphView>,
    page: Page<Pair>,
    kinds: Vec<(String, String)>,
    chains: Vec<String>,
    districts: Vec<(String, String)>,
    can_create: bool,
    prev: String,
    next: String,
    /// The organisations the user may open (a pair's other side may lie outside their
    /// part of the tree: its name is shown without a link).
    openable: HashSet<i64>,
}

/// Which of these organisations the user may open.
async fn openable(st: &AppState, ctx: &Ctx, ids: Vec<i64>) -> HashSet<i64> {
    let mut tried = HashSet::new();
    let mut out = HashSet::new();
    for id in ids {
        if tried.insert(id) && st.svc.get_org(&ctx.actor, id).await.is_ok() {
            out.insert(id);
        }
    }
    out
}

pub(super) async fn pairs(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<PairsQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let en = lang.is_en();
    let t = T(lang);
    let page_no = q.page.parse::<i64>().unwrap_or(1).max(1);
    let f = PairQuery {
        status: (q.ended != "1").then(|| "active".to_string()),
        kind: Some(q.kind.clone()),
        chain: Some(q.chain.clone()),
        region: Some(q.region.clone()),
        page: Some(page_no),
        per_page: Some(20),
    }
    .filter();
    let page = st.svc.list_pairs(&ctx.actor, &f, en).await?;
    let graphs = st
        .svc
        .pair_graphs(&ctx.actor, &f)
        .await?
        .into_iter()
        .map(|g| {
            let title = match &g.chain {
                Some(c) => format!("{c} · {}", PairKind::Chain.label(en)),
                None => PairKind::from_any(&g.kind)
                    .map(|k| k.label(en))
                    .unwrap_or("")
                    .to_string(),
            };
            let json = json!({
                "kind": "graph",
                "drill": "/orgs/",
                "legend": [t.s("pairs.leader_node"), t.s("pairs.partner_node")],
                "ended_label": t.s("pairs.ended"),
                // Only the large nodes (leaders, or partners in several pairs; every node
                // of a small graph) carry their name as a label; the others show it in
                // the tooltip, so that labels do not overlap.
                "nodes": g.nodes.iter().map(|n| json!({"id": n.id.to_string(), "name": n.name, "leader": n.leader, "pairs": n.pairs, "label": n.leader || n.pairs >= 3 || g.nodes.len() <= 4})).collect::<Vec<_>>(),
                "label_overlap": "hide",
                "repulsion": 180 + 8 * g.nodes.len().min(40),
                "links": g.links.iter().map(|l| json!({"source": l.source.to_string(), "target": l.target.to_string(), "pair": l.pair_id, "activities": l.activities, "ended": l.ended})).collect::<Vec<_>>(),
            })
            .to_string();
            GraphView {
                title,
                nodes: g.nodes.len(),
                links: g.links.len(),
                json,
            }
        })
        .collect();
    let chains = st.svc.pair_chains(&ctx.actor).await?;
    let districts = st
        .svc
        .regions(&ctx.actor)
        .await?
        .into_iter()
        .filter(|r| matches!(r.level.as_str(), "district" | "zone"))
        .map(|r| (r.code, r.name))
        .collect();
    let link = |p: i64| {
        format!(
            "/pairs?ended={}&kind={}&chain={}&region={}&page={p}",
            urlencode(&q.ended),
            q.kind,
            urlencode(&q.chain),
            q.region
        )
    };
    let l = Layout::new(
        &ctx,
        "/pairs",
        t.s("nav.pairs"),
        nav_crumbs(t, "nav.pairs", "/pairs", None),
    )
    .with_script("/assets/echarts.min.js");
    let openable = openable(
        &st,
        &ctx,
        page.items.iter().flat_map(|p| [p.org_a, p.org_b]).collect(),
    )
    .await;
    render(
        &PairsPage {
            l,
            openable,
            prev: link(page_no.saturating_sub(1)),
            next: link(page_no.saturating_add(1)),
            q,
            graphs,
            page,
            kinds: opts(PairKind::ALL, PairKind::code, PairKind::label, en),
            chains,
            districts,
            can_create: ctx.may(Permission::Coordinate),
        },
        lang,
    )
}

pub(super) fn pair_fields(t: T, en: bool) -> Vec<Field> {
    vec![
        field("kind", t.s("pairs.kind"), "select", true).choices(opts(
            PairKind::ALL,
            PairKind::code,
            PairKind::label,
            en,
        )),
        field("org_a", t.s("pairs.org_a"), "text", true).help(t.s("pairs.org_a_help")),
        field("org_b", t.s("pairs.org_b"), "text", true).help(t.s("pairs.org_b_help")),
        field("chain", t.s("pairs.chain"), "text", false).help(t.s("pairs.chain_help")),
        field("start_year", t.s("pairs.start_year"), "number", true),
        field("goals", t.s("pairs.goals"), "textarea", false),
    ]
}

/// `/pairs/new`.
pub(super) struct NewPair;

impl NewForm for NewPair {
    const HEADING: &'static str = "pairs.new";
    const ACTION: &'static str = "/pairs/new";
    fn fields(ctx: &Ctx) -> Vec<Field> {
        pair_fields(T(ctx.lang), ctx.lang.is_en())
    }
    async fn save(
        st: &AppState,
        ctx: &Ctx,
        data: &BTreeMap<String, String>,
    ) -> Result<String, StoreError> {
        let i = PairInput {
            kind: field_of(data, "kind"),
            org_a: field_of(data, "org_a"),
            org_b: field_of(data, "org_b"),
            chain: opt(data, "chain"),
            start_year: whole(
                data,
                "start_year",
                "起始年份须为四位数字年份",
                "start year must be a four-digit year",
            )?,
            goals: opt(data, "goals"),
        };
        let p = st.svc.create_pair(&ctx.actor, &i, ctx.lang.is_en()).await?;
        Ok(format!("/pairs/{}", p.id))
    }
}

#[derive(Template)]
#[template(path = "pair_detail.html")]
struct PairPage {
    l: Layout,
    p: Pair,
    activities: Vec<Activity>,
    may_record: bool,
    may_edit: bool,
    fields: Vec<Field>,
    general: Vec<String>,
    participants: i64,
    openable: HashSet<i64>,
}

pub(super) fn activity_fields(t: T) -> Vec<Field> {
    vec![
        field("held_on", t.s("pairs.held_on"), "date", true),
        field("title", t.s("pairs.activity_title"), "text", true),
        field("participants", t.s("pairs.participants"), "number", true),
        field("summary", t.s("pairs.summary"), "textarea", false),
    ]
}

pub(super) async fn show_pair(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    data: &BTreeMap<String, String>,
    e: Option<&Refusal>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let (p, activities, may_record, may_edit) =
        st.svc.get_pair(&ctx.actor, id, lang.is_en()).await?;
    let mut fields = activity_fields(t);
    let general = fill(&mut fields, data, e);
    let title = format!("{} ↔ {}", p.org_a_name, p.org_b_name);
    let l = Layout::new(
        ctx,
        "/pairs",
        title.clone(),
        nav_crumbs(t, "nav.pairs", "/pairs", Some(title)),
    );
    let openable = openable(st, ctx, vec![p.org_a, p.org_b]).await;
    let page = render(
        &PairPage {
            l,
            openable,
            participants: activities.iter().map(|a| a.participants).sum(),
            p,
            activities,
            may_record,
            may_edit,
            fields,
            general,
        },
        lang,
    )?;
    Ok(with_status(page, e))
}

pub(super) async fn pair_show(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    show_pair(&st, &ctx, id, &BTreeMap::new(), None).await
}

pub(super) async fn activity_create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(data): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let id = id_of(&id, ctx.lang)?;
    let participants = match whole(
        &data,
        "participants",
        "参与人数须为整数",
        "participants must be a whole number",
    ) {
        Ok(n) => n,
        Err(e) => {
            let r = Refusal::or_error(e, ctx.lang)?;
            return show_pair(&st, &ctx, id, &data, Some(&r)).await;
        }
    };
    let i = ActivityInput {
        held_on: field_of(&data, "held_on"),
        title: field_of(&data, "title"),
        summary: opt(&data, "summary"),
        participants,
    };
    match st.svc.add_activity(&ctx.actor, id, &i).await {
        Ok(_) => Ok(Redirect::to(&format!("/pairs/{id}")).into_response()),
        Err(e) => {
            let r = Refusal::or_error(e, ctx.lang)?;
            show_pair(&st, &ctx, id, &data, Some(&r)).await
        }
    }
}
