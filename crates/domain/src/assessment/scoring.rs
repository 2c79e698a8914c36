//! From experts' scores to results: aggregation, a leaf's score, ranking, subtotals.
use super::tree::Node;
use super::{cents, round2, ScoringRule, OUTLIER_SHARE, TRIM_FROM};
use serde::Serialize;

/// How expert scores were combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Mean,
    TrimmedMean,
    /// No expert scored the leaf.
    None,
}

/// The aggregate of the expert scores on one leaf.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aggregate {
    pub method: Method,
    pub value: f64,
    /// Indexes (into the input) of the scores dropped by the trimmed mean.
    pub dropped: Vec<usize>,
    /// Indexes of the scores flagged as outliers (see [`OUTLIER_SHARE`]).
    pub outliers: Vec<usize>,
}

/// Mean, or with ≥ [`TRIM_FROM`] scores the mean without one highest and one lowest
/// score. Outliers: a score further than [`OUTLIER_SHARE`] × `max` from the median of
/// the *other* experts' scores (needs at least two others). Flags do not change the
/// aggregate; they tell the city where to look.
pub fn aggregate(scores: &[f64], max: f64) -> Aggregate {
    if scores.is_empty() {
        return Aggregate {
            method: Method::None,
            value: 0.0,
            dropped: Vec::new(),
            outliers: Vec::new(),
        };
    }
    let mut outliers = Vec::new();
    if scores.len() >= 3 {
        for (i, x) in scores.iter().enumerate() {
            let mut others: Vec<f64> = scores
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, v)| *v)
                .collect();
            others.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            let k = others.len();
            let m = if k % 2 == 1 {
                others[k / 2]
            } else {
                (others[k / 2 - 1] + others[k / 2]) / 2.0
            };
            if cents((x - m).abs()) > cents(OUTLIER_SHARE * max) {
                outliers.push(i);
            }
        }
    }
    if scores.len() >= TRIM_FROM {
        let mut idx: Vec<usize> = (0..scores.len()).collect();
        // Highest first; among equal scores the later one is dropped (any choice gives
        // the same mean).
        idx.sort_by(|a, b| {
            scores[*b]
                .partial_cmp(&scores[*a])
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(b.cmp(a))
        });
        let hi = idx[0];
        let lo = idx[idx.len() - 1];
        let kept: Vec<f64> = (0..scores.len())
            .filter(|i| *i != hi && *i != lo)
            .map(|i| scores[i])
            .collect();
        let mut dropped = vec![hi, lo];
        dropped.sort_unstable();
        return Aggregate {
            method: Method::TrimmedMean,
            value: kept.iter().sum::<f64>() / kept.len() as f64,
            dropped,
            outliers,
        };
    }
    Aggregate {
        method: Method::Mean,
        value: scores.iter().sum::<f64>() / scores.len() as f64,
        dropped: Vec::new(),
        outliers,
    }
}

/// What a leaf was scored from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeafInput {
    /// The reported value (checklist: 1 yes, 0 no) or the indicator's value.
    pub value: Option<f64>,
    /// Expert scores in the order of the experts.
    pub expert_scores: Vec<f64>,
}

/// A scored leaf.
#[derive(Debug, Clone, PartialEq)]
pub struct LeafScore {
    pub points: f64,
    /// What the points are: e.g. "92 ≥ 90 → 100% × 10 = 10".
    pub explain_zh: String,
    pub explain_en: String,
    pub aggregate: Option<Aggregate>,
}

/// Scores one leaf. Missing inputs score 0 and say so.
pub fn score_leaf(leaf: &Node, input: &LeafInput) -> LeafScore {
    let pts = leaf.points;
    let missing = || LeafScore {
        points: 0.0,
        explain_zh: "未填报，得0分".into(),
        explain_en: "Not reported: 0 points".into(),
        aggregate: None,
    };
    match &leaf.rule {
        None => missing(),
        Some(ScoringRule::Checklist) => match input.value {
            None => missing(),
            Some(v) if v >= 0.5 => LeafScore {
                points: pts,
                explain_zh: format!("是 → 得{pts}分"),
                explain_en: format!("Yes → {pts} points"),
                aggregate: None,
            },
            Some(_) => LeafScore {
                points: 0.0,
                explain_zh: "否 → 得0分".into(),
                explain_en: "No → 0 points".into(),
                aggregate: None,
            },
        },
        Some(ScoringRule::Bands { bands }) => match input.value {
            None => missing(),
            Some(v) => match bands.iter().find(|b| v >= b.min) {
                Some(b) => {
                    let p = round2(pts * b.percent / 100.0);
                    LeafScore {
                        points: p,
                        explain_zh: format!("{v} ≥ {} → {}% × {pts} = {p}分", b.min, b.percent),
                        explain_en: format!(
                            "{v} ≥ {} → {}% × {pts} = {p} points",
                            b.min, b.percent
                        ),
                        aggregate: None,
                    }
                }
                None => LeafScore {
                    points: 0.0,
                    explain_zh: format!("{v}低于最低一档 → 得0分"),
                    explain_en: format!("{v} is below every band → 0 points"),
                    aggregate: None,
                },
            },
        },
        Some(ScoringRule::Ratio { target }) | Some(ScoringRule::Indicator { target, .. }) => {
            match input.value {
                None => LeafScore {
                    points: 0.0,
                    explain_zh: "无数值，得0分".into(),
                    explain_en: "No value: 0 points".into(),
                    aggregate: None,
                },
                Some(v) => {
                    let share = (v / target).clamp(0.0, 1.0);
                    let p = round2(share * pts);
                    let v2 = round2(v);
                    LeafScore {
                        points: p,
                        explain_zh: format!(
                            "min({v2} ÷ {target}, 1) = {:.2} × {pts} = {p}分",
                            share
                        ),
                        explain_en: format!(
                            "min({v2} ÷ {target}, 1) = {:.2} × {pts} = {p} points",
                            share
                        ),
                        aggregate: None,
                    }
                }
            }
        }
        Some(ScoringRule::Expert { max, .. }) => {
            let a = aggregate(&input.expert_scores, *max);
            let (label_zh, label_en) = match a.method {
                Method::Mean => ("平均分", "mean"),
                Method::TrimmedMean => ("去掉最高分和最低分后的平均分", "trimmed mean"),
                Method::None => ("无专家评分", "no expert scores"),
            };
            let p = round2(a.value / max * pts);
            LeafScore {
                points: p,
                explain_zh: format!("{label_zh}{:.2} ÷ {max} × {pts} = {p}分", round2(a.value)),
                explain_en: format!(
                    "{label_en} {:.2} ÷ {max} × {pts} = {p} points",
                    round2(a.value)
                ),
                aggregate: Some(a),
            }
        }
    }
}

/// Competition ranking ("1224"): equal totals (to the hundredth) share a rank and the
/// next rank skips. Returns the rank of each input, in input order.
pub fn rank(totals: &[f64]) -> Vec<i64> {
    totals
        .iter()
        .map(|t| 1 + totals.iter().filter(|o| cents(**o) > cents(*t)).count() as i64)
        .collect()
}

/// Sums the points of every node from its leaves' points (`leaf code → points`).
/// Returns `node code → points` for every node, rounded to hundredths.
pub fn subtotals(
    tree: &[Node],
    leaf_points: &std::collections::HashMap<String, f64>,
) -> std::collections::BTreeMap<String, f64> {
    fn walk(
        nodes: &[Node],
        lp: &std::collections::HashMap<String, f64>,
        out: &mut std::collections::BTreeMap<String, f64>,
    ) -> f64 {
        let mut s = 0.0;
        for n in nodes {
            let v = if n.is_leaf() {
                lp.get(&n.code).copied().unwrap_or(0.0)
            } else {
                walk(&n.children, lp, out)
            };
            out.insert(n.code.clone(), round2(v));
            s += v;
        }
        s
    }
    let mut out = std::collections::BTreeMap::new();
    walk(tree, leaf_points, &mut out);
    out
}

/// Labels experts anonymously: 专家A, 专家B … (then 专家AA after Z).
pub fn expert_label(index: usize, en: bool) -> String {
    let mut n = index;
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (n % 26) as u8) as char);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    if en {
        format!("Expert {s}")
    } else {
        format!("专家{s}")
    }
}
