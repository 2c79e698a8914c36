//! What every list page shares: its filters as typed (kept in the pager's links), the
//! years of a year filter, and the region picker of the actor's area.
use crate::auth::Ctx;
use crate::error::{AppError, UiError};
use crate::i18n::Lang;
use crate::AppState;
use gongjiang_domain::Code;
use serde::Deserialize;

/// A form or filter field as the store takes it: trimmed, and none when blank.
pub(crate) fn nz(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// A path id: anything but a number is a page that does not exist (404).
pub(crate) fn id_of(s: &str, lang: Lang) -> Result<i64, UiError> {
    s.parse::<i64>().map_err(|_| missing(lang))
}

/// The page that does not exist (404): an id that is not a number, a process or record
/// that is not there.
pub(crate) fn missing(lang: Lang) -> UiError {
    UiError(
        AppError::Store(gongjiang_storage::StoreError::NotFound),
        lang,
    )
}

/// A labelled enum as (code, label) options of a select.
pub(crate) fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T, bool) -> &'static str,
    en: bool,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|x| (code(*x), label(*x, en))).collect()
}

/// A list's filters as typed, with links that keep them.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ListQuery {
    pub region: String,
    pub level: String,
    pub kind: String,
    pub year: String,
    pub q: String,
    pub page: String,
    pub saved: String,
    pub deleted: String,
}

impl ListQuery {
    pub fn link(&self, base: &str, page: i64) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("region", &self.region),
            ("level", &self.level),
            ("kind", &self.kind),
            ("year", &self.year),
            ("q", &self.q),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        if page > 1 {
            s.append_pair("page", &page.to_string());
        }
        let q = s.finish();
        if q.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{q}")
        }
    }
    pub fn year(&self, lang: Lang) -> Result<Option<i64>, UiError> {
        match nz(&self.year) {
            None => Ok(None),
            Some(y) => y.parse::<i64>().map(Some).map_err(|_| {
                UiError(
                    AppError::bad_request(
                        Code::BadFilter,
                        format!("年份“{y}”无效"),
                        format!("invalid year '{y}'"),
                    ),
                    lang,
                )
            }),
        }
    }
}

pub fn years() -> Vec<i64> {
    let this = chrono::Datelike::year(&gongjiang_storage::contacts::today());
    (2015..=i64::from(this) + 1).rev().collect()
}

/// The regions in the caller's scope as (code, name), for a plain filter's select.
pub async fn region_names(st: &AppState, ctx: &Ctx) -> Result<Vec<(String, String)>, UiError> {
    let regions = st.svc.regions(&ctx.actor).await?;
    Ok(regions.into_iter().map(|r| (r.code, r.name)).collect())
}

pub async fn region_options(st: &AppState, ctx: &Ctx) -> Result<Vec<(String, String)>, UiError> {
    let regions = st.svc.regions(&ctx.actor).await?;
    Ok(regions
        .iter()
        .map(|r| {
            let indent = match r.level.as_str() {
                "city" => "",
                "district" | "zone" => "　",
                _ => "　　",
            };
            (r.code.clone(), format!("{indent}{} {}", r.name, r.code))
        })
        .collect())
}

/// Organisations of `kinds` in the caller's scope, for an organisation picker: (key,
/// name), the key being the 统一社会信用代码 where there is one.
pub async fn org_choices(
    st: &AppState,
    ctx: &Ctx,
    kinds: &[&str],
) -> Result<Vec<(String, String)>, UiError> {
    let mut out = Vec::new();
    for kind in kinds {
        let mut page = 1;
        loop {
            let f = gongjiang_storage::orgs::Filter {
                kind: Some((*kind).into()),
                per_page: 500,
                page,
                ..Default::default()
            };
            let p = st.svc.list_orgs(&ctx.actor, &f).await?;
            let pages = p.pages();
            out.extend(
                p.items
                    .into_iter()
                    .map(|o| (o.uscc.clone().unwrap_or_else(|| o.id.to_string()), o.name)),
            );
            if page >= pages || out.len() > 5000 {
                break;
            }
            page += 1;
        }
    }
    Ok(out)
}

/// Headline cards of a part's list page: the given indicators for the actor's area in
/// the default year, from the indicator engine, and the "as of" line.
pub async fn headline_cards(
    st: &AppState,
    ctx: &Ctx,
    codes: &[&str],
) -> (Vec<crate::ui::registers::DashCard>, String) {
    use crate::ui::registers::dashboard::{fmt_value, home_node};
    let t = crate::i18n::T(ctx.lang);
    let en = ctx.lang.is_en();
    let year = crate::period::default_year(st, &ctx.actor).await;
    let node = home_node(ctx);
    let mut out = Vec::new();
    if let Ok(r) = st
        .svc
        .indicators(&ctx.actor, &node, &year.to_string(), false)
        .await
    {
        for code in codes {
            let (Some(v), Some(ind)) = (
                r.values.iter().find(|v| v.code == *code),
                gongjiang_domain::indicators::find(code),
            ) else {
                continue;
            };
            out.push(crate::ui::registers::DashCard {
                code: ind.code,
                label: ind.name(en).to_string(),
                value: fmt_value(v.value),
                unit: ind.unit(en).to_string(),
                pending: None,
            });
        }
    }
    (out, crate::period::as_of(&t, year))
}

/// What a part's list page has around its rows, besides its layout: the live headline
/// cards with their "as of" line (for register readers; nothing for the others), and
/// the pager's links, which keep the filters. Templates read it as `x`.
pub struct ListFrame {
    pub cards: Vec<crate::ui::registers::DashCard>,
    pub as_of: String,
    pub prev: String,
    pub next: String,
}

/// What a list page is, declared once as a constant of its module: its path, its
/// navigation group and title keys, and the indicator codes of its headline cards.
///
/// ```ignore
/// const LIST: ListOf = ListOf { path: "/studios", group: "nav.g.contribution",
///     title: "nav.studios", headlines: HEADLINES };
/// let (l, x) = LIST.frame(&st, &ctx, &q, page.page).await;
/// ```
pub struct ListOf {
    pub path: &'static str,
    pub group: &'static str,
    pub title: &'static str,
    pub headlines: &'static [&'static str],
}

impl ListOf {
    /// The layout and frame of this list, showing page `page_no`.
    pub async fn frame(
        &self,
        st: &AppState,
        ctx: &Ctx,
        q: &ListQuery,
        page_no: i64,
    ) -> (crate::ui::Layout, ListFrame) {
        let t = crate::i18n::T(ctx.lang);
        let (cards, as_of) = if ctx.may(gongjiang_storage::access::Permission::ReadRegisters) {
            headline_cards(st, ctx, self.headlines).await
        } else {
            (Vec::new(), String::new())
        };
        let (path, group, title) = (self.path, self.group, self.title);
        let l = crate::ui::Layout::new(
            ctx,
            path,
            t.s(title),
            vec![(t.s(group), String::new()), (t.s(title), String::new())],
        );
        let x = ListFrame {
            cards,
            as_of,
            prev: q.link(path, page_no.saturating_sub(1)),
            next: q.link(path, page_no.saturating_add(1)),
        };
        (l, x)
    }
}
