//! The wire types of contact points, visits and problems: what the API returns, the
//! inputs it takes (new, edits, actions) and the list filters.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactPoint {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub official_user_id: i64,
    pub official_username: String,
    pub official_name: String,
    pub start_on: String,
    pub end_on: Option<String>,
    pub note: Option<String>,
    /// Assigned today (started, not ended).
    pub active: bool,
    /// Ended (结束联系) on `end_on`: listed as ended, keeps its visits, takes no new ones
    /// after that day.
    pub ended: bool,
    pub end_reason: Option<String>,
    pub visits: i64,
    pub version: i64,
}

/// Assigns an official to an enterprise for a period.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// The enterprise: id or 统一社会信用代码.
    pub org: String,
    /// The official's user name (region staff or member-unit staff).
    pub official: String,
    /// YYYY-MM-DD
    pub start_on: String,
    /// YYYY-MM-DD; empty = open-ended.
    #[serde(default)]
    pub end_on: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Visit {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub official_user_id: Option<i64>,
    pub official_name: String,
    pub visited_on: String,
    /// on_site, phone, online
    pub form: String,
    pub form_label: String,
    pub summary: String,
    /// The account that logged it (its author).
    pub created_by: Option<i64>,
    pub version: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitInput {
    /// The enterprise: id or 统一社会信用代码.
    pub org: String,
    /// YYYY-MM-DD, not in the future.
    pub visited_on: String,
    /// on_site, phone, online (or 现场走访 / 电话沟通 / 线上沟通)
    pub form: String,
    pub summary: String,
    /// The official's user name; the caller by default.
    #[serde(default)]
    pub official: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub visit_id: Option<i64>,
    /// head, worker, official
    pub source: String,
    pub source_label: String,
    /// employment, training, pay, safety, policy, other
    pub category: String,
    pub category_label: String,
    pub description: String,
    pub raised_on: String,
    pub responsible_unit: Option<String>,
    /// open, in_progress, resolved, closed
    pub status: String,
    pub status_label: String,
    pub resolution: Option<String>,
    pub resolved_on: Option<String>,
    pub closed_reason: Option<String>,
    /// Days from raising to resolution (resolved problems).
    pub days_to_resolve: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemInput {
    /// The enterprise (id or 统一社会信用代码); a unit's own by default.
    #[serde(default)]
    pub org: Option<String>,
    /// The visit during which an official recorded it.
    #[serde(default)]
    pub visit_id: Option<i64>,
    /// head, worker, official
    pub source: String,
    /// employment, training, pay, safety, policy, other (or 用工 / 培训 / 薪酬 / 安全 / 政策 / 其他)
    pub category: String,
    pub description: String,
    /// YYYY-MM-DD, not in the future.
    pub raised_on: String,
    /// The unit responsible for solving it.
    #[serde(default)]
    pub responsible_unit: Option<String>,
}

/// Moves a problem on: start, resolve (resolution and resolved_on), close (reason).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemActInput {
    /// start, resolve, close
    pub action: String,
    #[serde(default)]
    pub resolution: Option<String>,
    /// YYYY-MM-DD, not before raised_on, not in the future.
    #[serde(default)]
    pub resolved_on: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub responsible_unit: Option<String>,
    /// The version the caller saw; a different current version is a conflict.
    #[serde(default)]
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    pub status: Option<String>,
    pub category: Option<String>,
    pub region: Option<String>,
    pub org_id: Option<i64>,
    pub q: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Default)]
pub struct VisitFilter {
    pub region: Option<String>,
    pub org_id: Option<i64>,
    pub year: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// Problems by status and category in the caller's area (for the charts).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ProblemStats {
    /// (status code, count)
    pub by_status: Vec<(String, i64)>,
    /// (category code, raised, resolved)
    pub by_category: Vec<(String, i64, i64)>,
}

/// Changes to a contact point: the official (reassigned), the period, the note. Left out
/// = unchanged; an empty `end_on` makes it open-ended.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactEdit {
    /// The version the client last saw (another answers 409 `stale_version`).
    #[serde(default)]
    pub version: Option<i64>,
    /// The official's user name.
    #[serde(default)]
    pub official: Option<String>,
    /// YYYY-MM-DD
    #[serde(default)]
    pub start_on: Option<String>,
    /// YYYY-MM-DD; empty = open-ended.
    #[serde(default)]
    pub end_on: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Ends a contact point (结束联系).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactEndInput {
    /// The last day, YYYY-MM-DD: not before the start or the official's latest visit
    /// there, not after today.
    pub end_on: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Changes to a visit log entry. Left out = unchanged.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitEdit {
    /// The version the client last saw (another answers 409 `stale_version`).
    #[serde(default)]
    pub version: Option<i64>,
    /// YYYY-MM-DD, not in the future.
    #[serde(default)]
    pub visited_on: Option<String>,
    /// on_site, phone, online
    #[serde(default)]
    pub form: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
}
