//! The wire types of pairs and their activities: what the API returns, the inputs it
//! takes (new, edits, ending) and the list filter and chain graphs.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Pair {
    pub id: i64,
    /// state_private, chain
    pub kind: String,
    pub kind_label: String,
    /// The state-owned enterprise, or the chain leader.
    pub org_a: i64,
    pub org_a_name: String,
    /// The private enterprise, or the supplier.
    pub org_b: i64,
    pub org_b_name: String,
    pub chain: Option<String>,
    pub start_year: i64,
    pub goals: Option<String>,
    pub activities: i64,
    pub last_activity: Option<String>,
    /// Ended (结束结对): the last day and why. An ended pair keeps its activities and
    /// takes none dated after that day.
    pub ended_on: Option<String>,
    pub end_reason: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairInput {
    /// state_private (国企↔民企) or chain (链主↔配套)
    pub kind: String,
    /// The state-owned enterprise or the chain leader: id or 统一社会信用代码.
    pub org_a: String,
    /// The private enterprise or the supplier: id or 统一社会信用代码.
    pub org_b: String,
    /// The chain or industry, e.g. 新能源汽车 (required for chain pairs).
    #[serde(default)]
    pub chain: Option<String>,
    pub start_year: i64,
    #[serde(default)]
    pub goals: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Activity {
    pub id: i64,
    pub pair_id: i64,
    pub held_on: String,
    pub title: String,
    pub summary: Option<String>,
    pub participants: i64,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// YYYY-MM-DD, not in the future.
    pub held_on: String,
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    pub participants: i64,
}

#[derive(Debug, Clone, Default)]
pub struct PairFilter {
    /// active (not ended) or ended; none = both.
    pub status: Option<String>,
    pub kind: Option<String>,
    pub chain: Option<String>,
    pub region: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// One node of a chain's graph: an enterprise.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GraphNode {
    pub id: i64,
    pub name: String,
    pub leader: bool,
    /// Pairs it takes part in within the chain.
    pub pairs: i64,
}

/// One edge: a pair.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GraphLink {
    pub pair_id: i64,
    pub source: i64,
    pub target: i64,
    pub activities: i64,
    /// The pair has ended (drawn apart from the active ones).
    pub ended: bool,
}

/// The pairing of one chain (or, with `chain` = null, the 国企↔民企 pairs).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChainGraph {
    pub chain: Option<String>,
    pub kind: String,
    pub nodes: Vec<GraphNode>,
    pub links: Vec<GraphLink>,
}

/// Changes to a pair; left out = unchanged (an empty `chain` or `goals` clears it).
/// The same rules as for a new pair apply to the result.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairEdit {
    /// The version the client last saw (another answers 409 `stale_version`).
    #[serde(default)]
    pub version: Option<i64>,
    /// state_private or chain
    #[serde(default)]
    pub kind: Option<String>,
    /// id or 统一社会信用代码
    #[serde(default)]
    pub org_a: Option<String>,
    /// id or 统一社会信用代码
    #[serde(default)]
    pub org_b: Option<String>,
    #[serde(default)]
    pub chain: Option<String>,
    #[serde(default)]
    pub start_year: Option<i64>,
    #[serde(default)]
    pub goals: Option<String>,
}

/// Ends a pair (结束结对).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairEndInput {
    /// The last day, YYYY-MM-DD: not before its start year or its latest activity, not
    /// after today.
    pub ended_on: String,
    /// Why it ended (required).
    pub reason: String,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Changes to an activity; left out = unchanged (an empty `summary` clears it).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityEdit {
    /// The version the client last saw (another answers 409 `stale_version`).
    #[serde(default)]
    pub version: Option<i64>,
    /// YYYY-MM-DD, not in the future (nor after the pair's end).
    #[serde(default)]
    pub held_on: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub participants: Option<i64>,
}
