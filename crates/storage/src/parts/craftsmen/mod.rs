//! 工匠培育 — four-level craftsman selection (issue #12, point 4).
//!
//! **Rounds.** A selection round (评选批次) is held at the city (its title is 龙城工匠),
//! a district, a town or an enterprise, by that level's staff — or, for an enterprise
//! round, the enterprise itself (the access module's `OpenCraftsmanRound`). It names a
//! year, how many titles it confers and the quota: how many nominees each nominator may
//! put forward. Every register reader sees every round.
//!
//! **Nominations.** The level below nominates (`NominateCraftsman`), and only within its
//! own subtree: the districts for a city round, the towns of that district for a district
//! round, the enterprises of that town for a town round, the enterprise itself for an
//! enterprise round. The nominee is a registered worker in the nominator's area (422 on
//! `worker` otherwise), not nominated in this round already, not holding the title at
//! this level already (422 `worker`), and within the nominator's quota (422 `worker`).
//!
//! **On the engine.** Each nomination is a case (`craftsman_city`, `craftsman_district`,
//! `craftsman_town`, `craftsman_enterprise`): reviewed by the round's own level (none for
//! an enterprise round), then the engine's expert stage (three experts score it), 公示
//! with its objections, and the decision — both run by the round's own level (the
//! process's `decider`: the city, the district, the town; an enterprise's round by its
//! district). Approval writes the title into the designation registry:
//! `longcheng_craftsman` at the round's level and year, held by the worker.
//!
//! **Indicators** come from the registry (`craftsmen_city`, `craftsmen_district`,
//! `craftsmen_town`, `craftsmen_enterprise`): no facts of its own.
mod nominations;
mod rounds;

pub use nominations::subject_page;
pub(crate) use nominations::{acts_for_case, approve_nomination};

use serde::{Deserialize, Serialize};

/// A selection round.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CraftsmanRound {
    pub id: i64,
    pub name: String,
    /// city, district, town or enterprise.
    pub level: String,
    /// The title it confers (龙城工匠 for the city).
    pub title: String,
    pub year: i64,
    pub region_code: String,
    pub region_name: Option<String>,
    /// An enterprise round's enterprise.
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    pub titles: i64,
    pub quota: i64,
    pub closes_on: Option<String>,
    pub nominations: i64,
    /// Titles conferred so far.
    pub approved: i64,
    pub version: i64,
}

/// A round as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CraftsmanRoundInput {
    pub name: String,
    /// 市级 / 区级 / 镇级 / 企业级 (or city, district, town, enterprise).
    pub level: String,
    pub year: Option<i64>,
    pub titles: Option<i64>,
    pub quota: Option<i64>,
    /// YYYY-MM-DD
    pub closes_on: String,
}

/// Which rounds to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct RoundFilter {
    pub level: Option<String>,
    pub year: Option<i64>,
    pub page: i64,
    pub per_page: i64,
}

/// A nomination.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Nomination {
    pub id: i64,
    pub round_id: i64,
    pub worker_id: i64,
    pub worker_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub occupation: Option<String>,
    pub skill_level: Option<String>,
    /// The nominating region's code, or `org:<id>`.
    pub nominator: String,
    pub nominator_name: String,
    pub reason: String,
    pub case_id: Option<i64>,
    /// The case's status (in_review, scoring, notice, approved, returned, rejected, withdrawn).
    pub status: String,
    pub designation_id: Option<i64>,
    pub created_at: i64,
}

/// Nominate a worker (registry id or 身份证号) with the reasons.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NominationInput {
    pub worker: String,
    /// 主要事迹: skills, innovations, mentoring.
    pub reason: String,
}

/// How much of the quota each nominator has used.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuotaUse {
    pub nominator: String,
    pub nominator_name: String,
    pub used: i64,
    pub quota: i64,
}
