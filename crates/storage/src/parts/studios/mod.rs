//! 劳模（工匠）创新工作室 — innovation studios (issue #12, point 5).
//!
//! **Register.** A studio is registered in an enterprise by the enterprise itself or by
//! region staff of its area (`KeepStudios`): a name, a level (国家级 / 省级 / 市级 /
//! 区级), the year it was named, and its leader — a registered worker of that
//! enterprise who holds a 劳动模范 or 工匠 title (422 on `leader` otherwise). Its
//! recognition is the registry's `innovation_studio` designation at its level, held by
//! the enterprise: an existing one of that level is linked, else one is written.
//! Members are registered workers of the enterprise, once each.
//!
//! **Review.** Each year the enterprise files its review (a `studio_review` case on the
//! workflow engine): checked by the district (the city outside the districts), scored by
//! three experts against criteria like the assessment's, decided by the city. On
//! approval the expert score decides the outcome (domain `studios::outcome`): upgraded,
//! kept, downgraded or revoked; the studio's level and its designation follow in the
//! same transaction (a revoked studio's designation is removed).
//!
//! **Indicators** (`facts`, by the studio's enterprise and the review's year):
//! `studio_review_pass_rate` = reviews decided and not revoked ÷ reviews decided × 100.
//! The count of studios stays the registry's `innovation_studios`.
mod facts;
mod register;
mod reviews;

pub use facts::facts;
pub(crate) use reviews::approve_review;
pub use reviews::subject_page;

use serde::{Deserialize, Serialize};

/// The process of a studio's yearly review.
pub const REVIEW_PROCESS: &str = "studio_review";

/// A studio.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Studio {
    pub id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub leader_worker_id: i64,
    pub leader_name: String,
    /// national, province, city or district.
    pub level: String,
    pub founded: i64,
    pub designation_id: Option<i64>,
    /// active or revoked.
    pub status: String,
    pub members: i64,
    pub version: i64,
}

/// A studio as typed (the enterprise and the leader by id, 统一社会信用代码 / 身份证号).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StudioInput {
    pub name: String,
    /// 国家级 / 省级 / 市级 / 区级 (or national, province, city, district).
    pub level: String,
    pub founded: Option<i64>,
    /// The enterprise (a unit's own by default).
    pub org: Option<String>,
    /// The leader: registry id or 身份证号.
    pub leader: String,
}

/// Which studios to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct StudioFilter {
    pub level: Option<String>,
    /// In the name or the enterprise's name.
    pub q: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// A member of a studio.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StudioMember {
    pub worker_id: i64,
    pub name: String,
    pub occupation: Option<String>,
    pub skill_level: Option<String>,
}

/// Add a member (registry id or 身份证号).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StudioMemberInput {
    pub worker: String,
}

/// A yearly review.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StudioReview {
    pub id: i64,
    pub studio_id: i64,
    pub year: i64,
    pub case_id: Option<i64>,
    /// The case's status.
    pub status: String,
    pub score: Option<f64>,
    /// kept, upgraded, downgraded or revoked (once decided).
    pub outcome: Option<String>,
    pub level_before: String,
    pub level_after: Option<String>,
}

/// File a yearly review: the year and the work report.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StudioReviewInput {
    pub year: Option<i64>,
    pub report: String,
}
