//! Console pages for the registers (pilots, designations) and the indicator dashboard.
pub use crate::ui::lists::ListQuery;
use crate::ui::lists::{region_options, years};
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use gongjiang_domain::{DesignationLevel, DesignationType, PilotLevel, PilotType};

pub(crate) mod dashboard;
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

use crate::ui::lists::id_of;

use crate::ui::lists::nz;

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
