//! The period every page and API opens on when none is asked for: one rule, the latest
//! year with approved statistics in the caller's scope
//! ([`Service::latest_approved_year`](gongjiang_storage::service::Service::latest_approved_year)),
//! and the sentence that says it ("数据截至2025年度").
use crate::i18n::T;
use crate::AppState;
use gongjiang_storage::Actor;

/// The default year for `actor` (the last calendar year if the database cannot say).
pub async fn default_year(st: &AppState, actor: &Actor) -> i32 {
    match st.svc.latest_approved_year(actor).await {
        Ok(y) => y,
        Err(_) => chrono::Datelike::year(&gongjiang_storage::contacts::today()) - 1,
    }
}

/// "数据截至2025年度" / "Data as of 2025".
pub fn as_of(t: &T, year: i32) -> String {
    t.s("data.as_of").replace("{y}", &year.to_string())
}

/// The years a year picker offers: from 2019 to next year, newest first, with `year`
/// itself if it lies outside.
pub fn years(year: i32) -> Vec<i32> {
    let this = chrono::Datelike::year(&gongjiang_storage::contacts::today());
    let mut out: Vec<i32> = (2019.min(year)..=(this + 1).max(year)).rev().collect();
    out.dedup();
    out
}
