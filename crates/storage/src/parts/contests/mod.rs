//! 劳动和技能竞赛 — labour and skills contests (issue #12, point 3).
//!
//! **Plan.** A contest (赛事, keyed by its 赛事编号) is planned at the city, a district,
//! a town or an enterprise: by that level's staff, or by the enterprise itself (the
//! access module's `PlanContest`). It names an occupation, the band of the ladder it is
//! open to, its dates, its prize counts and how many of the best are named 技术能手,
//! nominated for the 五一劳动奖章 and promoted a level (以赛促评). The plan is submitted
//! as a case on the workflow engine: a town or enterprise contest's (`contest_plan`) is
//! reviewed by its district (the city outside the districts), a city or district
//! contest's (`contest_plan_city`) by the city, so that no level approves its own;
//! approval opens the contest.
//!
//! **Who runs it.** Staff of the owning region or above, or the organiser enterprise
//! (`RunContest`). Every register reader sees every contest (they are the city's
//! events); entries are seen in the reader's scope, and a judge sees the entries they
//! mark.
//!
//! **Entries.** A unit enters its own registered workers, region staff any worker of
//! their area, once each; the worker's occupation must be the contest's and their level
//! within its band (422 on `worker`).
//!
//! **Judges and recusal.** The panel is of expert accounts. The organisation tree
//! relates a judge to an entrant when the judge's organisation is the entrant's
//! enterprise or its park, or the two sit in the same town (or the judge's account is
//! attached to that town or district). Each such pair is recorded as a recusal, when the
//! judge joins or the entry arrives; the judge is refused with 403
//! `conflict_of_interest` on that entrant.
//!
//! **Marking scheme.** Measurement aspects (a maximum, or a tolerance) and judgement
//! aspects (three judges score 0–3 against a written descriptor for each score). It may
//! be kept as a draft that does not add up; it is published only when the weights add
//! up to 100 (422 naming the aspect), and no mark is taken before. Once marks exist the
//! scheme is frozen.
//!
//! **Marks.** Kept per judge. A judgement score is the judge's own; when an aspect's
//! judges differ by more than one point it is flagged for re-scoring (a judge changes
//! their score). A measurement (paper) mark is entered by one person — a judge or the
//! organiser's staff — and confirmed by a different one; the one who entered it cannot
//! confirm it (422 on `confirmed_by`). Only confirmed marks and complete judgements
//! count in the live ranking.
//!
//! **Lock and results.** The organiser locks the marks when every entry is fully marked
//! and nothing is flagged; a second lock is refused (409 `contest_locked`); a lock is
//! undone only with a reason, audited. Publishing the locked ranking (ties share a rank)
//! writes provisional results — award, honour, promotion — and opens a
//! `contest_results` case that goes to 公示 on the engine, with its objections. Its
//! approval makes the results final, writes the honours into the designation registry
//! (技术能手, 五一劳动奖章 at the contest's level) and opens a 以赛促评 promotion case for
//! each promoted winner (reviewed by 人社 like any promotion; only its approval raises
//! the level). A return or rejection takes the results back off and re-opens the lock.
//!
//! **Indicators** (`facts`, by the owning region or organiser): `contests_held`
//! (contests of the year past their plan's approval), `contest_entrants` (their
//! results), `contest_awards` (results with an award), `contest_promotions` (results
//! promoted, by the contest's year).
mod entries;
mod facts;
mod judges;
mod marks;
mod plan;
pub mod ranking;
pub mod results;
mod scheme;
mod sql;
pub mod template;

pub use facts::facts;
pub use plan::subject_page as plan_subject_page;
pub(crate) use plan::sync_plan;

use serde::{Deserialize, Serialize};

/// The process of a town- or enterprise-level contest's plan (reviewed by its district,
/// or the city outside the districts).
pub const PLAN_PROCESS: &str = "contest_plan";
/// The process of a city- or district-level contest's plan (reviewed by the city).
pub const PLAN_CITY_PROCESS: &str = "contest_plan_city";
/// The process of a contest's results (公示).
pub const RESULTS_PROCESS: &str = "contest_results";

/// A contest.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Contest {
    pub id: i64,
    /// 赛事编号
    pub code: String,
    pub name: String,
    /// city, district, town or enterprise.
    pub level: String,
    pub year: i64,
    pub occupation: String,
    /// The band of the ladder the contest is open to.
    pub min_level: Option<String>,
    pub max_level: Option<String>,
    /// The owning region (the city, a district or a town).
    pub region_code: String,
    pub region_name: Option<String>,
    pub organiser_org_id: Option<i64>,
    pub organiser_name: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub first_prizes: i64,
    pub second_prizes: i64,
    pub third_prizes: i64,
    pub merit_prizes: i64,
    pub honour_top: i64,
    pub medal_top: i64,
    pub promote_top: i64,
    /// draft, in_review, open, locked, notice or closed.
    pub status: String,
    pub scheme_published: bool,
    pub plan_case_id: Option<i64>,
    pub results_case_id: Option<i64>,
    pub locked_at: Option<i64>,
    pub entries: i64,
    pub judges: i64,
    pub results: i64,
    pub version: i64,
    pub updated_at: i64,
}

/// A contest plan as typed (the organiser by id or 统一社会信用代码).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ContestInput {
    pub code: String,
    pub name: String,
    /// 市级 / 区级 / 镇级 / 企业级 (or city, district, town, enterprise).
    pub level: String,
    pub year: Option<i64>,
    pub occupation: String,
    pub min_level: String,
    pub max_level: String,
    /// The organising enterprise (enterprise level); a unit's own by default.
    pub organiser: Option<String>,
    /// YYYY-MM-DD
    pub starts_on: String,
    pub ends_on: String,
    pub first_prizes: Option<i64>,
    pub second_prizes: Option<i64>,
    pub third_prizes: Option<i64>,
    pub merit_prizes: Option<i64>,
    pub honour_top: Option<i64>,
    pub medal_top: Option<i64>,
    pub promote_top: Option<i64>,
    /// The version last read (updates); a stale one answers 409.
    pub version: Option<i64>,
}

/// Which contests to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct Filter {
    /// A region code: contests owned in that subtree.
    pub region: Option<String>,
    pub level: Option<String>,
    pub status: Option<String>,
    pub year: Option<i64>,
    /// In the code, name or occupation.
    pub q: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// An aspect of the marking scheme.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AspectOut {
    pub id: i64,
    pub ord: i64,
    pub name: String,
    /// measurement or judgement.
    pub kind: String,
    pub weight: f64,
    pub max_mark: Option<f64>,
    pub tolerance: Option<f64>,
    /// What each score 0, 1, 2, 3 means (judgement).
    pub descriptors: Vec<String>,
}

/// An aspect as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AspectInput {
    pub name: String,
    /// 测量评分 / 评价评分 (or measurement, judgement).
    pub kind: String,
    pub weight: Option<f64>,
    pub max_mark: Option<f64>,
    pub tolerance: Option<f64>,
    pub descriptors: Vec<String>,
}

/// The marking scheme as typed: kept as a draft, or published (weights add up to 100).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ContestSchemeInput {
    pub aspects: Vec<AspectInput>,
    pub publish: bool,
    /// The contest's version last read.
    pub version: Option<i64>,
}

/// An entrant.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContestEntry {
    pub id: i64,
    pub contest_id: i64,
    pub worker_id: i64,
    pub worker_name: String,
    pub worker_id_masked: String,
    pub org_id: i64,
    pub org_name: String,
    pub skill_level: Option<String>,
    pub created_at: i64,
}

/// Enter a worker (registry id or 身份证号).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EntryInput {
    pub worker: String,
}

/// A judge of the panel.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Judge {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    /// Entrants the judge is recused from.
    pub recusals: i64,
}

/// Add a judge (an expert account's user name).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct JudgeInput {
    pub username: String,
}

/// A recorded recusal.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Recusal {
    pub user_id: i64,
    pub judge_name: String,
    pub entry_id: i64,
    pub worker_name: String,
    pub reason: String,
    pub created_at: i64,
}

/// A mark or score.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Mark {
    pub id: i64,
    pub entry_id: i64,
    pub aspect_id: i64,
    /// The judge (judgement); 0 for a paper (measurement) mark.
    pub judge_id: i64,
    pub value: f64,
    pub entered_by: Option<i64>,
    pub confirmed_by: Option<i64>,
    pub version: i64,
}

/// A mark as typed: a judge's score on a judgement aspect, or a paper mark on a
/// measurement aspect (entered here, confirmed by someone else).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MarkInput {
    pub entry: i64,
    pub aspect: i64,
    pub value: Option<f64>,
}

/// A reason (undoing a lock).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReasonInput {
    pub reason: String,
}

/// A result, provisional while on notice.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResultRow {
    pub worker_id: i64,
    pub worker_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub rank: i64,
    pub total: Option<f64>,
    /// first, second, third or merit.
    pub award: Option<String>,
    /// skill_master or may_day_medal.
    pub honour: Option<String>,
    /// The level promoted to (以赛促评).
    pub promoted_to: Option<String>,
    pub is_final: bool,
    pub designation_id: Option<i64>,
    pub promotion_case_id: Option<i64>,
}
