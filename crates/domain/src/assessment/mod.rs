//! The yearly assessment (产改评价考核): a scheme is an indicator tree with points,
//! each leaf carries a scoring rule; experts' scores are aggregated; totals are ranked.
//!
//! Everything here is pure: validation of a scheme, scoring of one leaf from its inputs,
//! aggregation of expert scores with outlier flags, totals and rankings with ties.
//!
//! Numbers: points are kept to two decimals. Comparisons of sums are made in hundredths
//! of a point (integers), so that 33.33 + 33.33 + 33.34 = 100 exactly.
use crate::error::{FieldError, Rule as R};
use serde::{Deserialize, Serialize};

mod scoring;
#[cfg(test)]
mod tests;
mod tree;

pub use scoring::{
    aggregate, expert_label, rank, score_leaf, subtotals, Aggregate, LeafInput, LeafScore, Method,
};
pub use tree::{check_score, find, leaves, renumber, validate_tree, Node};

/// The points of the whole scheme.
pub const TOTAL_POINTS: f64 = 100.0;

/// The deepest level of the tree (一级 / 二级 / 三级).
pub const MAX_DEPTH: usize = 3;

/// With at least this many expert scores on a leaf the highest and the lowest are
/// dropped (trimmed mean); with fewer, the plain mean is taken.
pub const TRIM_FROM: usize = 5;

/// An expert's score is flagged as an outlier when it lies further than this share of
/// the leaf's maximum score from the median of the other experts' scores on that leaf.
/// The median (not the mean) of the others is used so that one wild score does not drag
/// the reference point and get a sound colleague flagged with it.
pub const OUTLIER_SHARE: f64 = 0.20;

/// Hundredths of a point, rounded.
pub fn cents(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

/// Rounds to two decimals.
pub fn round2(x: f64) -> f64 {
    cents(x) as f64 / 100.0
}

/// One band of a value-band rule: a value ≥ `min` earns `percent` % of the points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub min: f64,
    pub percent: f64,
}

/// How a leaf is scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScoringRule {
    /// Yes → full points, no → 0 (the target reports yes/no with evidence).
    Checklist,
    /// Value bands, highest first: the first band whose `min` the value reaches gives
    /// its percentage of the points; below every band, 0.
    Bands { bands: Vec<Band> },
    /// min(value ÷ target, 1) × points (the target reports the value).
    Ratio { target: f64 },
    /// An indicator of the indicator engine for the target's subtree and the round's
    /// year, scored as a ratio to `target`.
    Indicator { code: String, target: f64 },
    /// Experts score 0 … `max` by the written criteria; the aggregate (mean, or trimmed
    /// mean with ≥ 5 experts) ÷ max × points.
    Expert { max: f64, criteria: String },
}

impl ScoringRule {
    pub fn code(&self) -> &'static str {
        match self {
            ScoringRule::Checklist => "checklist",
            ScoringRule::Bands { .. } => "bands",
            ScoringRule::Ratio { .. } => "ratio",
            ScoringRule::Indicator { .. } => "indicator",
            ScoringRule::Expert { .. } => "expert",
        }
    }

    /// Whether the target reports a value for this leaf.
    pub fn needs_value(&self) -> bool {
        matches!(
            self,
            ScoringRule::Checklist | ScoringRule::Bands { .. } | ScoringRule::Ratio { .. }
        )
    }

    /// A one-line description of the rule for a leaf worth `points`.
    pub fn describe(&self, points: f64, en: bool) -> String {
        match self {
            ScoringRule::Checklist => {
                if en {
                    format!("Checklist: yes → {points} points, no → 0")
                } else {
                    format!("达标项：是得{points}分，否得0分")
                }
            }
            ScoringRule::Bands { bands } => {
                let parts: Vec<String> = bands
                    .iter()
                    .map(|b| {
                        if en {
                            format!("≥ {} → {}%", b.min, b.percent)
                        } else {
                            format!("≥{}得{}%", b.min, b.percent)
                        }
                    })
                    .collect();
                if en {
                    format!("Value bands: {}; below → 0", parts.join(", "))
                } else {
                    format!("分档计分：{}；以下得0分", parts.join(","))
                }
            }
            ScoringRule::Ratio { target } => {
                if en {
                    format!("Ratio to target: min(value ÷ {target}, 1) × {points}")
                } else {
                    format!("按目标值比例：min(实际值÷{target},1)×{points}分")
                }
            }
            ScoringRule::Indicator { code, target } => {
                let name = crate::indicators::find(code)
                    .map(|i| i.name(en))
                    .unwrap_or(code.as_str());
                if en {
                    format!("Indicator {name}: min(value ÷ {target}, 1) × {points}")
                } else {
                    format!("指标「{name}」：min(指标值÷{target},1)×{points}分")
                }
            }
            ScoringRule::Expert { max, criteria } => {
                if en {
                    format!("Expert score 0–{max} (mean; trimmed mean with ≥ 5 experts) ÷ {max} × {points}. Criteria: {criteria}")
                } else {
                    format!("专家评分0–{max}分（取平均；5名及以上专家去掉一个最高分和一个最低分），÷{max}×{points}分。评分标准：{criteria}")
                }
            }
        }
    }
}

/// What an assessment round is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// Districts and functional zones (板块), by region code.
    District,
    /// Member units of the joint meeting, by organisation id.
    MemberUnit,
    /// Pilot enterprises and parks, by organisation id.
    PilotUnit,
}

impl TargetKind {
    pub const ALL: [TargetKind; 3] = [
        TargetKind::District,
        TargetKind::MemberUnit,
        TargetKind::PilotUnit,
    ];
    pub fn code(self) -> &'static str {
        match self {
            TargetKind::District => "district",
            TargetKind::MemberUnit => "member_unit",
            TargetKind::PilotUnit => "pilot_unit",
        }
    }
    pub fn parse(s: &str) -> Option<TargetKind> {
        TargetKind::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (TargetKind::District, false) => "辖市（区）及功能区",
            (TargetKind::District, true) => "Districts and zones",
            (TargetKind::MemberUnit, false) => "成员单位",
            (TargetKind::MemberUnit, true) => "Member units",
            (TargetKind::PilotUnit, false) => "试点单位",
            (TargetKind::PilotUnit, true) => "Pilot units",
        }
    }
}

/// Checks the reason for re-publishing results: the first publication needs none, every
/// later one needs a reason (so that a published result never changes silently).
pub fn check_republish(previous_versions: i64, reason: &str) -> Result<Option<String>, FieldError> {
    let r = crate::error::text("reason", ("重新发布原因", "Reason"), reason, false, 500)?;
    if previous_versions > 0 && r.is_none() {
        return Err(FieldError::new(
            "reason",
            R::Required,
            "结果已发布过：重新发布须填写原因（原结果版本保留可查）",
            "The results were published before: re-publishing needs a reason (the earlier version stays readable)",
        ));
    }
    Ok(r)
}
