//! Organisations in the console (`/orgs`): the list with filters and CSV export, the
//! tree, a unit's page with its children, pilots, designations and history, and the
//! create / edit / delete forms.
use super::pages::with_lang;
use super::{render, save_form, Errors, Layout};
use crate::api::OrgQuery;
use crate::auth::{CsrfForm, Ctx, OrgEditor, OrgReader, WebUser};
use crate::error::{AppError, UiError};
use crate::i18n::{Lang, T};
use crate::ui::lists::nz;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::org::OrgInput;
use gongjiang_domain::{OrgKind, Ownership};
use gongjiang_storage::access::Permission;
use gongjiang_storage::audit::Entry;
use gongjiang_storage::orgs::{self, Org};
use gongjiang_storage::regions::Region;
use gongjiang_storage::service::OrgPatch;
use gongjiang_storage::{Page, StoreError};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(orgs_list).post(org_create))
        .route("/orgs/export.csv", get(orgs_export))
        .route("/orgs/tree", get(orgs_tree))
        .route("/orgs/new", get(org_new))
        .route("/orgs/{id}", get(org_detail).post(org_update))
        .route("/orgs/{id}/edit", get(org_edit))
        .route("/orgs/{id}/delete", post(org_delete))
}

#[derive(Deserialize, Default)]
struct Empty {}

// ----- organisations -----

/// The list's query, as strings (an empty field means "any").
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct OrgListQuery {
    region: String,
    kind: String,
    q: String,
    sort: String,
    page: String,
    per_page: String,
    saved: String,
    deleted: String,
}

impl OrgListQuery {
    fn to_api(&self) -> OrgQuery {
        OrgQuery::from_parts(
            nz(&self.region),
            nz(&self.kind),
            nz(&self.q),
            nz(&self.sort),
            self.page.trim().parse().ok(),
            self.per_page.trim().parse().ok(),
        )
    }

    /// The query string for another page or sort, keeping the filters.
    fn link(&self, page: i64, sort: &str) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("region", &self.region),
            ("kind", &self.kind),
            ("q", &self.q),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        if !sort.is_empty() {
            s.append_pair("sort", sort);
        }
        if page > 1 {
            s.append_pair("page", &page.to_string());
        }
        let q = s.finish();
        if q.is_empty() {
            "/orgs".into()
        } else {
            format!("/orgs?{q}")
        }
    }
}

struct RegionOption {
    code: String,
    label: String,
}

fn region_options(regions: &[Region]) -> Vec<RegionOption> {
    let depth = |r: &Region| -> usize {
        let mut d = 0;
        let mut p = r.parent_code.clone();
        while let Some(c) = p {
            d += 1;
            p = regions
                .iter()
                .find(|x| x.code == c)
                .and_then(|x| x.parent_code.clone());
            if d > 8 {
                break;
            }
        }
        d
    };
    regions
        .iter()
        .map(|r| RegionOption {
            code: r.code.clone(),
            label: format!("{}{} {}", "　".repeat(depth(r)), r.name, r.code),
        })
        .collect()
}

struct SortHead {
    key: &'static str,
    label: String,
    href: String,
    class: &'static str,
}

#[derive(Template)]
#[template(path = "orgs_table.html")]
struct OrgsTable {
    t: T,
    page: Page<Org>,
    heads: Vec<SortHead>,
    prev: String,
    next: String,
    pages: i64,
}

#[derive(Template)]
#[template(path = "orgs_list.html")]
struct OrgsPage {
    l: Layout,
    table: OrgsTable,
    query: OrgListQuery,
    regions: Vec<RegionOption>,
    kinds: Vec<(&'static str, &'static str)>,
    can_edit: bool,
    export_href: String,
    flash: Option<String>,
}

fn kind_options(lang: Lang) -> Vec<(&'static str, &'static str)> {
    OrgKind::ALL
        .iter()
        .map(|k| (k.code(), k.label(lang.is_en())))
        .collect()
}

pub fn kind_label(kind: &str, en: bool) -> String {
    OrgKind::from_any(kind)
        .map(|k| k.label(en).to_string())
        .unwrap_or_else(|| kind.to_string())
}

pub fn ownership_label(o: &Option<String>, en: bool) -> String {
    o.as_deref()
        .and_then(Ownership::from_any)
        .map(|k| k.label(en).to_string())
        .unwrap_or_else(|| "—".into())
}

async fn orgs_list(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    Query(q): Query<OrgListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let f = q.to_api().filter(lang)?;
    let page = st.svc.list_orgs(&ctx.actor, &f).await?;
    let cur_sort = q.sort.clone();
    let heads = [
        ("name", "orgs.name"),
        ("uscc", "orgs.uscc"),
        ("kind", "orgs.kind"),
        ("region", "orgs.region"),
        ("updated", "orgs.updated"),
    ]
    .iter()
    .map(|(k, label)| {
        let (next, class) = if cur_sort == *k {
            (format!("-{k}"), "sort asc")
        } else if cur_sort == format!("-{k}") {
            (k.to_string(), "sort desc")
        } else {
            (k.to_string(), "sort")
        };
        SortHead {
            key: k,
            label: t.s(label),
            href: q.link(1, &next),
            class,
        }
    })
    .collect();
    let pages = page.pages();
    let table = OrgsTable {
        t,
        prev: q.link(page.page - 1, &cur_sort),
        next: q.link(page.page.saturating_add(1), &cur_sort),
        pages,
        page,
        heads,
    };
    if headers.contains_key("hx-request") && !headers.contains_key("hx-boosted") {
        return render(&table, lang);
    }
    let regions = region_options(&st.svc.regions(&ctx.actor).await?);
    let flash = if !q.deleted.is_empty() {
        Some(t.s("common.deleted"))
    } else {
        None
    };
    let export_href = q
        .link(1, &cur_sort)
        .replacen("/orgs", "/orgs/export.csv", 1);
    let l = Layout::new(
        &ctx,
        "/orgs",
        t.s("orgs.title"),
        vec![
            (t.s("nav.g.work"), String::new()),
            (t.s("orgs.title"), String::new()),
        ],
    );
    let can_edit = ctx.may(Permission::EditRegisters);
    Ok(with_lang(
        &uri,
        lang,
        render(
            &OrgsPage {
                l,
                table,
                query: q,
                regions,
                kinds: kind_options(lang),
                can_edit,
                export_href,
                flash,
            },
            lang,
        )?,
    ))
}

/// Exactly what the list shows (all pages), in the `orgs` import template's columns.
async fn orgs_export(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Query(q): Query<OrgListQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let mut f = q.to_api().filter(lang)?;
    f.per_page = 500;
    let mut out = String::from("\u{feff}单位名称,统一社会信用代码,单位类型,所属区划代码,上级单位信用代码,行业代码,经济类型,是否链主企业\r\n");
    let mut page = 1;
    loop {
        f.page = page;
        let p = st.svc.list_orgs(&ctx.actor, &f).await?;
        for o in &p.items {
            let parent_uscc = match o.parent_id {
                Some(pid) => st
                    .svc
                    .get_org(&ctx.actor, pid)
                    .await
                    .ok()
                    .and_then(|p| p.uscc)
                    .unwrap_or_default(),
                None => String::new(),
            };
            let cols = [
                o.name.clone(),
                o.uscc.clone().unwrap_or_default(),
                kind_label(&o.kind, false),
                o.region_code.clone(),
                parent_uscc,
                o.industry.clone().unwrap_or_default(),
                o.ownership
                    .as_deref()
                    .and_then(Ownership::from_any)
                    .map(|x| x.label_zh().to_string())
                    .unwrap_or_default(),
                if o.chain_leader {
                    "是".into()
                } else {
                    "否".into()
                },
            ];
            out.push_str(
                &cols
                    .iter()
                    .map(|c| csv_cell(c))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push_str("\r\n");
        }
        if page >= p.pages() {
            break;
        }
        page += 1;
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"orgs.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// Quotes a CSV cell and defuses spreadsheet formulas.
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[derive(Template)]
#[template(path = "org_detail.html")]
struct OrgDetail {
    l: Layout,
    o: Org,
    tab: String,
    region_path: Vec<Region>,
    children: Vec<Org>,
    children_total: i64,
    history: Vec<Entry>,
    pilots: Vec<gongjiang_storage::pilots::Pilot>,
    designations: Vec<gongjiang_storage::designations::Designation>,
    can_register: bool,
    can_edit: bool,
    can_delete: bool,
    can_audit: bool,
    flash: Option<String>,
    /// The parent organisation is in the user's part of the tree (a unit inside a park
    /// sees the park's name, not a link that would answer 404).
    parent_open: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DetailQuery {
    pub(super) tab: String,
    pub(super) saved: String,
}

pub(super) use super::lists::id_of as org_id;

async fn org_detail(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    uri: axum::http::Uri,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let id = org_id(&id, lang)?;
    let o = st.svc.get_org(&ctx.actor, id).await?;
    let region_path = st.svc.region_path(&o.region_code).await?;
    let f = orgs::Filter {
        parent_id: Some(id),
        per_page: 100,
        page: 1,
        ..Default::default()
    };
    let kids = st.svc.list_orgs(&ctx.actor, &f).await?;
    let can_audit = ctx.may(Permission::ReadAudit);
    let tab = match q.tab.as_str() {
        "children" | "audit" | "pilots" | "designations" => q.tab.clone(),
        _ => "basic".into(),
    };
    let history = if can_audit && tab == "audit" {
        let f = gongjiang_storage::audit::Filter {
            entity_kind: Some("org".into()),
            entity_id: Some(id.to_string()),
            per_page: 100,
            page: 1,
            ..Default::default()
        };
        st.svc.audit_log(&ctx.actor, &f).await?.items
    } else {
        Vec::new()
    };
    let pilots = if tab == "pilots" {
        let f = gongjiang_storage::pilots::Filter {
            org_id: Some(id),
            per_page: 100,
            page: 1,
            ..Default::default()
        };
        st.svc.list_pilots(&ctx.actor, &f).await?.items
    } else {
        Vec::new()
    };
    let designations = if tab == "designations" {
        let f = gongjiang_storage::designations::Filter {
            org_id: Some(id),
            per_page: 200,
            page: 1,
            ..Default::default()
        };
        st.svc.list_designations(&ctx.actor, &f).await?.items
    } else {
        Vec::new()
    };
    let can_register = ctx.may(Permission::EditRegisters);
    let can_edit = st.svc.may_edit_org(&ctx.actor, id).await?;
    let can_delete = can_edit && ctx.may(Permission::EditRegisters);
    let parent_open = match o.parent_id {
        Some(p) => st.svc.get_org(&ctx.actor, p).await.is_ok(),
        None => false,
    };
    let l = Layout::new(
        &ctx,
        "/orgs",
        o.name.clone(),
        vec![
            (t.s("orgs.title"), "/orgs".into()),
            (o.name.clone(), String::new()),
        ],
    );
    let flash = (!q.saved.is_empty()).then(|| t.s("common.saved"));
    let page = OrgDetail {
        l,
        tab,
        region_path,
        children_total: kids.total,
        children: kids.items,
        history,
        pilots,
        designations,
        can_register,
        can_edit,
        can_delete,
        can_audit,
        flash,
        parent_open,
        o,
    };
    Ok(with_lang(&uri, lang, render(&page, lang)?))
}

/// The organisation form, as typed (nothing is lost on a validation error).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct OrgForm {
    name: String,
    kind: String,
    uscc: String,
    region_code: String,
    parent_id: String,
    industry: String,
    ownership: String,
    chain_leader: String,
    size: String,
    address: String,
    contact: String,
    college_type: String,
    version: String,
}

impl OrgForm {
    fn from_org(o: &Org) -> OrgForm {
        OrgForm {
            name: o.name.clone(),
            kind: o.kind.clone(),
            uscc: o.uscc.clone().unwrap_or_default(),
            region_code: o.region_code.clone(),
            parent_id: o.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            industry: o.industry.clone().unwrap_or_default(),
            ownership: o.ownership.clone().unwrap_or_default(),
            chain_leader: if o.chain_leader {
                "1".into()
            } else {
                String::new()
            },
            size: o.size.clone().unwrap_or_default(),
            address: o.address.clone().unwrap_or_default(),
            contact: o.contact.clone().unwrap_or_default(),
            college_type: o.college_type.clone().unwrap_or_default(),
            version: o.version.to_string(),
        }
    }

    fn input(&self) -> Result<OrgInput, gongjiang_domain::FieldError> {
        let parent_id = match self.parent_id.trim() {
            "" => None,
            p => Some(p.parse::<i64>().map_err(|_| {
                gongjiang_domain::FieldError::new(
                    "parent_id",
                    gongjiang_domain::Rule::BadFormat,
                    "上级单位无效",
                    "invalid parent organisation",
                )
            })?),
        };
        let s = |v: &str| Some(v.to_string());
        Ok(OrgInput {
            name: s(&self.name),
            kind: s(&self.kind),
            uscc: s(&self.uscc),
            region_code: s(&self.region_code),
            parent_id,
            industry: s(&self.industry),
            ownership: s(&self.ownership),
            chain_leader: Some(matches!(
                self.chain_leader.as_str(),
                "1" | "on" | "true" | "是"
            )),
            size: s(&self.size),
            address: s(&self.address),
            contact: s(&self.contact),
            college_type: s(&self.college_type),
        })
    }
}

const ORG_FIELDS: &[&str] = &[
    "name",
    "kind",
    "uscc",
    "region_code",
    "parent_id",
    "industry",
    "ownership",
    "size",
    "address",
    "contact",
    "college_type",
];

#[derive(Template)]
#[template(path = "org_form.html")]
struct OrgFormPage {
    l: Layout,
    f: OrgForm,
    e: Errors,
    action: String,
    id: Option<i64>,
    regions: Vec<RegionOption>,
    parents: Vec<(i64, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    ownerships: Vec<(&'static str, &'static str)>,
    college_types: Vec<(&'static str, &'static str)>,
    sizes: Vec<&'static str>,
}

async fn org_form_page(
    st: &AppState,
    ctx: &Ctx,
    f: OrgForm,
    e: Errors,
    id: Option<i64>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let regions = region_options(&st.svc.regions(&ctx.actor).await?);
    let pf = orgs::Filter {
        kind: Some("park".into()),
        per_page: 500,
        page: 1,
        ..Default::default()
    };
    let mut parents: Vec<(i64, String)> = st
        .svc
        .list_orgs(&ctx.actor, &pf)
        .await?
        .items
        .into_iter()
        .filter(|p| Some(p.id) != id)
        .map(|p| (p.id, p.name))
        .collect();
    // Keep the current parent selectable even if it is not a park.
    if let Ok(pid) = f.parent_id.parse::<i64>() {
        if !parents.iter().any(|(i, _)| *i == pid) {
            if let Ok(p) = st.svc.get_org(&ctx.actor, pid).await {
                parents.insert(0, (p.id, p.name));
            }
        }
    }
    let (title, action) = match id {
        Some(id) => (t.s("orgs.edit"), format!("/orgs/{id}")),
        None => (t.s("orgs.new"), "/orgs".to_string()),
    };
    let l = Layout::new(
        ctx,
        "/orgs",
        title.clone(),
        vec![(t.s("orgs.title"), "/orgs".into()), (title, String::new())],
    );
    let ownerships = Ownership::ALL
        .iter()
        .map(|o| (o.code(), o.label(lang.is_en())))
        .collect();
    let sizes = vec!["大型", "中型", "小型", "微型"];
    let status = if e.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut r = render(
        &OrgFormPage {
            l,
            f,
            e,
            action,
            id,
            regions,
            parents,
            kinds: kind_options(lang),
            ownerships,
            college_types: gongjiang_domain::training::CollegeType::ALL
                .iter()
                .map(|c| (c.code(), c.label(lang.is_en())))
                .collect(),
            sizes,
        },
        lang,
    )?;
    *r.status_mut() = status;
    Ok(r)
}

async fn org_new(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
) -> Result<Response, UiError> {
    let f = OrgForm {
        kind: "enterprise".into(),
        region_code: ctx.user.region_code.clone().unwrap_or_default(),
        ..Default::default()
    };
    org_form_page(&st, &ctx, f, Errors::default(), None).await
}

async fn org_create(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    CsrfForm(f): CsrfForm<OrgForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let result = match f.input() {
        Ok(input) => st
            .svc
            .create_org(&ctx.actor, &input)
            .await
            .map_err(AppError::from),
        Err(e) => Err(AppError::invalid(e)),
    };
    save_form(
        lang,
        result,
        ORG_FIELDS,
        |o| format!("/orgs/{}?saved=1", o.id),
        |errors| org_form_page(&st, &ctx, f, errors, None),
    )
    .await
}

async fn org_edit(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = org_id(&id, lang)?;
    let o = st.svc.get_org(&ctx.actor, id).await?;
    if !st.svc.may_edit_org(&ctx.actor, id).await? {
        return Err(UiError(AppError::Store(StoreError::Forbidden), lang));
    }
    org_form_page(
        &st,
        &ctx,
        OrgForm::from_org(&o),
        Errors::default(),
        Some(id),
    )
    .await
}

async fn org_update(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<OrgForm>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = org_id(&id, lang)?;
    let result = match f.input() {
        Ok(input) => {
            let patch = OrgPatch::from_input(input, f.version.parse().ok());
            st.svc
                .update_org(&ctx.actor, id, &patch)
                .await
                .map_err(AppError::from)
        }
        Err(e) => Err(AppError::invalid(e)),
    };
    save_form(
        lang,
        result,
        ORG_FIELDS,
        |o| format!("/orgs/{}?saved=1", o.id),
        |errors| org_form_page(&st, &ctx, f, errors, Some(id)),
    )
    .await
}

async fn org_delete(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgEditor>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let id = org_id(&id, lang)?;
    st.svc.delete_org(&ctx.actor, id).await?;
    Ok(Redirect::to("/orgs?deleted=1").into_response())
}

// ----- the organisation tree -----

pub struct TreeNode {
    pub code: String,
    pub name: String,
    pub level: String,
    pub depth: usize,
    pub orgs: i64,
    pub enterprises: i64,
    pub has_children: bool,
}

#[derive(Template)]
#[template(path = "orgs_tree.html")]
struct OrgsTreePage {
    l: Layout,
    nodes: Vec<TreeNode>,
}

/// The region tree in scope with organisation counts of each subtree, linking to the list.
async fn orgs_tree(
    State(st): State<AppState>,
    WebUser(ctx, ..): WebUser<OrgReader>,
    uri: axum::http::Uri,
) -> Result<Response, UiError> {
    let lang = ctx.lang;
    let t = T(lang);
    let regions = st.svc.regions(&ctx.actor).await?;
    let counts = st.svc.org_counts_by_region(&ctx.actor).await?;
    let parent: std::collections::HashMap<&str, Option<&str>> = regions
        .iter()
        .map(|r| (r.code.as_str(), r.parent_code.as_deref()))
        .collect();
    let mut all: std::collections::HashMap<&str, (i64, i64)> = std::collections::HashMap::new();
    for (code, kind, n) in &counts {
        let mut c = Some(code.as_str());
        while let Some(cc) = c {
            if !parent.contains_key(cc) {
                break;
            }
            let e = all.entry(cc).or_default();
            e.0 += n;
            if kind == "enterprise" {
                e.1 += n;
            }
            c = parent.get(cc).copied().flatten();
        }
    }
    let depth_of = |r: &Region| {
        let mut d = 0;
        let mut p = r.parent_code.as_deref();
        while let Some(pc) = p {
            if !parent.contains_key(pc) {
                break;
            }
            d += 1;
            p = parent.get(pc).copied().flatten();
        }
        d
    };
    let nodes = regions
        .iter()
        .map(|r| {
            let (orgs, enterprises) = all.get(r.code.as_str()).copied().unwrap_or_default();
            TreeNode {
                code: r.code.clone(),
                name: r.name.clone(),
                level: r.level_label(lang.is_en()).to_string(),
                depth: depth_of(r),
                orgs,
                enterprises,
                has_children: regions
                    .iter()
                    .any(|x| x.parent_code.as_deref() == Some(&r.code)),
            }
        })
        .collect();
    let l = Layout::new(
        &ctx,
        "/orgs",
        t.s("orgs.tree"),
        vec![
            (t.s("orgs.title"), "/orgs".into()),
            (t.s("orgs.tree"), String::new()),
        ],
    );
    Ok(with_lang(
        &uri,
        lang,
        render(&OrgsTreePage { l, nodes }, lang)?,
    ))
}
