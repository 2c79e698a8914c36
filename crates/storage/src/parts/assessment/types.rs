//! The wire types of the assessment: schemes and their versions, rounds with targets
//! and experts, self-reports, scoring sheets and results.

use gongjiang_domain::assessment::Node;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

// ---------------------------------------------------------------- schemes

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionInfo {
    pub id: i64,
    pub version_no: i64,
    /// draft or published
    pub status: String,
    pub published_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Scheme {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub versions: Vec<VersionInfo>,
}

/// One version of a scheme with its tree.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchemeVersion {
    pub id: i64,
    pub scheme_id: i64,
    pub scheme_name: String,
    pub version_no: i64,
    /// draft (editable) or published (frozen)
    pub status: String,
    /// The indicator tree: nodes `{code, name, points, rule?, children?}`; a leaf's rule
    /// is `{kind: checklist | bands {bands:[{min, percent}]} | ratio {target} |
    /// indicator {code, target} | expert {max, criteria}}`.
    #[schema(value_type = Vec<Object>)]
    pub tree: Vec<Node>,
    pub published_at: Option<i64>,
    /// For optimistic locking of draft edits.
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemeInput {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub tree: Vec<Node>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TreeInput {
    #[schema(value_type = Vec<Object>)]
    pub tree: Vec<Node>,
    /// The version last read (409 `stale_version` when someone saved in between).
    #[serde(default)]
    pub version: Option<i64>,
}

// ---------------------------------------------------------------- rounds

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Round {
    pub id: i64,
    pub year: i64,
    pub title: String,
    pub version_id: i64,
    pub scheme_name: String,
    pub version_no: i64,
    /// district, member_unit, pilot_unit
    pub target_kind: String,
    pub target_kind_label: String,
    /// open (self-reports and scoring), closed, published
    pub status: String,
    /// The number of result versions published.
    pub results: i64,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundInput {
    pub year: i64,
    pub title: String,
    /// A published scheme version.
    pub version_id: i64,
    /// district, member_unit, pilot_unit
    pub target_kind: String,
    /// Region codes (districts) or organisation ids; empty = every district and zone, or
    /// every member unit (pilot units must be listed).
    #[serde(default)]
    pub targets: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Target {
    pub id: i64,
    pub key: String,
    pub name: String,
    /// draft, submitted (locked, waiting for the city's check) or accepted
    pub self_status: String,
    pub submitted_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Expert {
    pub user_id: i64,
    /// 专家A, 专家B …
    pub label: String,
    /// The expert's name: for the city only.
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Conflict {
    pub user_id: i64,
    pub expert_label: String,
    pub target_key: String,
    pub target_name: String,
    /// attached (belongs to the target), declared, refused (a refused attempt to score)
    pub kind: String,
    pub reason: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoundDetail {
    pub round: Round,
    pub targets: Vec<Target>,
    pub experts: Vec<Expert>,
    /// Recusals (city only; empty for everyone else).
    pub conflicts: Vec<Conflict>,
    /// What the caller may do: manage, self_report, score.
    pub may: Vec<String>,
}

// ---------------------------------------------------------------- self-reports

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SelfLeaf {
    pub code: String,
    pub name: String,
    pub points: f64,
    /// checklist, bands, ratio, indicator, expert
    pub rule: String,
    pub rule_text: String,
    /// Whether a value is reported (checklist: 1 yes / 0 no).
    pub needs_value: bool,
    pub value: Option<f64>,
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SelfReport {
    pub round: Round,
    pub target: Target,
    pub leaves: Vec<SelfLeaf>,
    pub editable: bool,
    /// The workflow case that carries the city's check of the self-report.
    pub case_id: Option<i64>,
    /// Why the city returned it, while it waits for correction.
    pub returned_reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfEntry {
    pub leaf: String,
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfInput {
    pub entries: Vec<SelfEntry>,
    /// Submit (lock) after saving.
    #[serde(default)]
    pub submit: bool,
}

// ---------------------------------------------------------------- scoring

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    /// The target's key (region code or organisation id).
    pub target: String,
    /// The leaf's code, e.g. "4.1".
    pub leaf: String,
    pub score: f64,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SheetLeaf {
    pub code: String,
    pub name: String,
    pub max: f64,
    pub criteria: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SheetTarget {
    pub key: String,
    pub name: String,
    /// The expert may not score this target (conflict of interest).
    pub recused: bool,
    /// The caller's own scores: leaf code → score.
    pub scores: BTreeMap<String, f64>,
    /// The target's evidence per leaf.
    pub evidence: BTreeMap<String, String>,
}

/// What an expert sees: only their own scores while the round is open.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScoringSheet {
    pub round: Round,
    pub label: String,
    pub leaves: Vec<SheetLeaf>,
    pub targets: Vec<SheetTarget>,
    pub editable: bool,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictInput {
    /// The expert (user id); an expert declaring their own conflict may omit it.
    #[serde(default)]
    pub user_id: Option<i64>,
    /// The target's key.
    pub target: String,
    pub reason: String,
}

// ---------------------------------------------------------------- results

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExpertScore {
    /// 专家A …
    pub label: String,
    /// For the city only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub score: f64,
    /// Dropped by the trimmed mean.
    pub dropped: bool,
    /// Further than 20 % of the maximum from the others' median.
    pub outlier: bool,
}

/// One node of a target's breakdown.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NodeResult {
    pub code: String,
    pub name: String,
    /// 1, 2 or 3
    pub depth: i64,
    pub max_points: f64,
    pub points: f64,
    pub leaf: bool,
    /// checklist, bands, ratio, indicator, expert ("" for an inner node)
    pub rule: String,
    pub rule_zh: String,
    pub rule_en: String,
    /// The reported value or the indicator's value.
    pub value: Option<f64>,
    pub evidence: Option<String>,
    pub experts: Vec<ExpertScore>,
    /// mean, trimmed_mean, none (expert leaves)
    pub method: Option<String>,
    pub aggregate: Option<f64>,
    pub explain_zh: String,
    pub explain_en: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TargetResult {
    pub key: String,
    pub name: String,
    pub total: f64,
    pub rank: i64,
    /// How many expert scores were flagged as outliers.
    pub outliers: i64,
    pub nodes: Vec<NodeResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ResultVersion {
    pub result_no: i64,
    pub reason: Option<String>,
    pub published_at: i64,
    pub published_by: Option<String>,
}

/// Published (or, for the city, previewed) results of a round.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Results {
    pub round: Round,
    /// None for a preview that is not published.
    pub result_no: Option<i64>,
    /// Every published version, newest first.
    pub versions: Vec<ResultVersion>,
    /// Ranked, best first.
    pub targets: Vec<TargetResult>,
    /// True when this is not the newest published version.
    pub superseded: bool,
}
