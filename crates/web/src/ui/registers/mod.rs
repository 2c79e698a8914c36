//! Console pages for the registers (pilots, designations) and the indicator dashboard.
use crate::auth::Ctx;
use crate::error::{AppError, UiError};
use crate::i18n::Lang;
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::Code;
use gongjiang_domain::{DesignationLevel, DesignationType, PilotLevel, PilotType};
use gongjiang_storage::StoreError;
use serde::Deserialize;

mod dashboard;
mod designations;
mod pilots;

pub use dashboard::DashCard;
use dashboard::{dashboard, dashboard_export};
use designations::{
    designation_create, designation_delete, designation_edit, designation_new, designation_update,
    designations_list,
};
use pilots::{pilot_create, pilot_delete, pilot_edit, pilot_new, pilot_update, pilots_list};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pilots", get(pilots_list).post(pilot_create))
        .route("/pilots/new", get(pilot_new))
        .route("/pilots/{id}", get(pilot_edit).post(pilot_update))
        .route("/pilots/{id}/delete", post(pilot_delete))
        .route(
            "/designations",
            get(designations_list).post(designation_create),
        )
        .route("/designations/new", get(designation_new))
        .route(
            "/designations/{id}",
            get(designation_edit).post(designation_update),
        )
        .route("/designations/{id}/delete", post(designation_delete))
        .route("/dashboard", get(dashboard))
        .route("/dashboard/export.csv", get(dashboard_export))
}

fn ui<E: Into<AppError>>(lang: Lang) -> impl Fn(E) -> UiError {
    move |e| UiError(e.into(), lang)
}

fn id_of(s: &str, lang: Lang) -> Result<i64, UiError> {
    s.parse::<i64>()
        .map_err(|_| UiError(AppError::Store(StoreError::NotFound), lang))
}

fn nz(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

pub fn pilot_level_label(code: &str, en: bool) -> String {
    PilotLevel::from_any(code)
        .map(|x| x.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub fn pilot_type_label(code: &str, en: bool) -> String {
    PilotType::from_any(code)
        .map(|x| x.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub fn designation_type_label(code: &str, en: bool) -> String {
    DesignationType::from_any(code)
        .map(|x| x.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub fn designation_level_label(code: &str, en: bool) -> String {
    DesignationLevel::from_any(code)
        .map(|x| x.label(en).to_string())
        .unwrap_or_else(|| code.to_string())
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
    fn link(&self, base: &str, page: i64) -> String {
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
    fn year(&self, lang: Lang) -> Result<Option<i64>, UiError> {
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

fn years() -> Vec<i64> {
    let this = chrono::Datelike::year(&gongjiang_storage::contacts::today());
    (2015..=i64::from(this) + 1).rev().collect()
}

async fn region_options(st: &AppState, ctx: &Ctx) -> Result<Vec<(String, String)>, UiError> {
    let regions = st.svc.regions(&ctx.actor).await.map_err(ui(ctx.lang))?;
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
