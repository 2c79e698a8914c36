//! The scheme tree: nodes, numbering, lookup and validation (levels, rules, scores).
use super::{cents, ScoringRule, MAX_DEPTH, TOTAL_POINTS};
use crate::error::{FieldError, Rule as R};
use serde::{Deserialize, Serialize};

/// A node of the indicator tree. Nodes with children are 一级/二级 items; leaves carry
/// a scoring rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Stable within the scheme, e.g. "3.2"; set by [`renumber`] from the position.
    #[serde(default)]
    pub code: String,
    pub name: String,
    pub points: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<ScoringRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
}

impl Node {
    pub fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }
}

/// Gives every node its positional code: "1", "1.2", "1.2.3".
pub fn renumber(tree: &mut [Node]) {
    fn walk(nodes: &mut [Node], prefix: &str) {
        for (i, n) in nodes.iter_mut().enumerate() {
            n.code = if prefix.is_empty() {
                format!("{}", i + 1)
            } else {
                format!("{prefix}.{}", i + 1)
            };
            let p = n.code.clone();
            walk(&mut n.children, &p);
        }
    }
    walk(tree, "");
}

/// Every leaf, depth first, with the names of its ancestors.
pub fn leaves(tree: &[Node]) -> Vec<&Node> {
    fn walk<'a>(nodes: &'a [Node], out: &mut Vec<&'a Node>) {
        for n in nodes {
            if n.is_leaf() {
                out.push(n);
            } else {
                walk(&n.children, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(tree, &mut out);
    out
}

/// Finds a node by code.
pub fn find<'a>(tree: &'a [Node], code: &str) -> Option<&'a Node> {
    for n in tree {
        if n.code == code {
            return Some(n);
        }
        if let Some(f) = find(&n.children, code) {
            return Some(f);
        }
    }
    None
}

fn node_field(code: &str) -> String {
    format!("tree.{code}")
}

fn fmt_pts(c: i64) -> String {
    let v = c as f64 / 100.0;
    if c % 100 == 0 {
        format!("{}", c / 100)
    } else {
        format!("{v:.2}").trim_end_matches('0').to_string()
    }
}

/// Checks a scheme's tree: names, depth, positive points, a rule on every leaf and
/// none elsewhere, each rule's parameters, and that the points of the children of every
/// node add up to the node's (the top level to 100). Every error names the node
/// (`tree.<code>` and its name). Renumbers the tree first.
pub fn validate_tree(tree: &mut [Node]) -> Result<(), Vec<FieldError>> {
    renumber(tree);
    let mut errs = Vec::new();
    if tree.is_empty() {
        errs.push(FieldError::new(
            "tree",
            R::Required,
            "考核方案至少需要一个一级指标",
            "A scheme needs at least one first-level item",
        ));
        return Err(errs);
    }
    check_level(tree, 1, &mut errs);
    let sum: i64 = tree.iter().map(|n| cents(n.points)).sum();
    if sum != cents(TOTAL_POINTS) {
        errs.push(FieldError::new(
            "tree",
            R::BadFormat,
            format!("一级指标分值合计为{}分，应为100分", fmt_pts(sum)),
            format!(
                "The first-level items add up to {} points; they must add up to 100",
                fmt_pts(sum)
            ),
        ));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

fn check_level(nodes: &[Node], depth: usize, errs: &mut Vec<FieldError>) {
    let level_zh = ["一级", "二级", "三级"];
    for n in nodes {
        let f = node_field(&n.code);
        let label = if n.name.trim().is_empty() {
            format!("{}指标{}", level_zh.get(depth - 1).unwrap_or(&""), n.code)
        } else {
            format!("「{}」({})", n.name.trim(), n.code)
        };
        if n.name.trim().is_empty() {
            errs.push(FieldError::new(
                format!("{f}.name"),
                R::Required,
                format!("{label}的名称为必填项"),
                format!("Item {} needs a name", n.code),
            ));
        } else if n.name.chars().count() > 100 {
            errs.push(FieldError::new(
                format!("{f}.name"),
                R::TooLong,
                format!("{label}的名称不能超过100个字符"),
                format!("The name of item {} must be at most 100 characters", n.code),
            ));
        }
        if !(n.points.is_finite() && n.points > 0.0) || cents(n.points) <= 0 {
            errs.push(FieldError::new(
                format!("{f}.points"),
                R::BadFormat,
                format!("{label}的分值必须大于0"),
                format!("Item {} must be worth more than 0 points", n.code),
            ));
        }
        if depth > MAX_DEPTH {
            errs.push(FieldError::new(
                f.clone(),
                R::Forbidden,
                format!("{label}超过三级：指标树最多三级"),
                format!(
                    "Item {} is below the third level: at most three levels",
                    n.code
                ),
            ));
        }
        if n.is_leaf() {
            match &n.rule {
                None => errs.push(FieldError::new(
                    format!("{f}.rule"),
                    R::Required,
                    format!("末级指标{label}需要计分规则"),
                    format!("Leaf {} needs a scoring rule", n.code),
                )),
                Some(r) => check_rule(r, &f, &label, &n.code, errs),
            }
        } else {
            if n.rule.is_some() {
                errs.push(FieldError::new(
                    format!("{f}.rule"),
                    R::Forbidden,
                    format!("{label}有下级指标，不能设置计分规则（由下级指标得分相加）"),
                    format!(
                        "Item {} has sub-items and cannot carry a rule (its score is theirs added up)",
                        n.code
                    ),
                ));
            }
            let sum: i64 = n.children.iter().map(|c| cents(c.points)).sum();
            if sum != cents(n.points) {
                errs.push(FieldError::new(
                    format!("{f}.points"),
                    R::BadFormat,
                    format!(
                        "{label}的下级指标分值合计为{}分，应等于其分值{}分",
                        fmt_pts(sum),
                        fmt_pts(cents(n.points))
                    ),
                    format!(
                        "The sub-items of {} ({}) add up to {} points; they must add up to its {} points",
                        n.code,
                        n.name.trim(),
                        fmt_pts(sum),
                        fmt_pts(cents(n.points))
                    ),
                ));
            }
            check_level(&n.children, depth + 1, errs);
        }
    }
}

fn check_rule(r: &ScoringRule, f: &str, label: &str, code: &str, errs: &mut Vec<FieldError>) {
    let field = format!("{f}.rule");
    let mut bad = |zh: String, en: String| {
        errs.push(FieldError::new(field.clone(), R::BadFormat, zh, en));
    };
    match r {
        ScoringRule::Checklist => {}
        ScoringRule::Bands { bands } => {
            if bands.is_empty() {
                bad(
                    format!("{label}的分档规则至少需要一档"),
                    format!("The bands of {code} need at least one band"),
                );
            }
            for (i, b) in bands.iter().enumerate() {
                if !b.min.is_finite() || !(0.0..=100.0).contains(&b.percent) {
                    bad(
                        format!("{label}第{}档：得分比例应在0–100%之间", i + 1),
                        format!("Band {} of {code}: the percentage must be 0–100", i + 1),
                    );
                }
                if i > 0 && b.min >= bands[i - 1].min {
                    bad(
                        format!(
                            "{label}第{}档：下限应低于上一档的{}",
                            i + 1,
                            bands[i - 1].min
                        ),
                        format!(
                            "Band {} of {code}: its minimum must be below the previous band's {}",
                            i + 1,
                            bands[i - 1].min
                        ),
                    );
                }
                if i > 0 && b.percent > bands[i - 1].percent {
                    bad(
                        format!("{label}第{}档：得分比例不能高于上一档", i + 1),
                        format!(
                            "Band {} of {code}: the percentage cannot exceed the previous band's",
                            i + 1
                        ),
                    );
                }
            }
        }
        ScoringRule::Ratio { target } => {
            if !(target.is_finite() && *target > 0.0) {
                bad(
                    format!("{label}的目标值必须大于0"),
                    format!("The target of {code} must be more than 0"),
                );
            }
        }
        ScoringRule::Indicator { code: ind, target } => {
            if crate::indicators::find(ind).is_none() {
                bad(
                    format!("{label}引用的指标「{ind}」不存在"),
                    format!("{code} refers to an unknown indicator {ind}"),
                );
            }
            if !(target.is_finite() && *target > 0.0) {
                bad(
                    format!("{label}的目标值必须大于0"),
                    format!("The target of {code} must be more than 0"),
                );
            }
        }
        ScoringRule::Expert { max, criteria } => {
            if !(max.is_finite() && *max > 0.0 && *max <= 1000.0) {
                bad(
                    format!("{label}的专家评分满分应在0–1000之间且大于0"),
                    format!("The expert maximum of {code} must be more than 0 and at most 1000"),
                );
            }
            if criteria.trim().is_empty() {
                bad(
                    format!("{label}需要书面评分标准"),
                    format!("{code} needs written scoring criteria"),
                );
            }
        }
    }
}

/// Checks one expert's score for a leaf: within 0 … max.
pub fn check_score(leaf: &Node, score: f64) -> Result<(), FieldError> {
    let Some(ScoringRule::Expert { max, .. }) = &leaf.rule else {
        return Err(FieldError::new(
            "leaf",
            R::UnknownValue,
            format!("指标「{}」（{}）不是专家评分项", leaf.name, leaf.code),
            format!("{} ({}) is not scored by experts", leaf.code, leaf.name),
        ));
    };
    if !score.is_finite() || score < 0.0 || score > *max || cents(score) > cents(*max) {
        return Err(FieldError::new(
            "score",
            R::BadFormat,
            format!(
                "指标「{}」（{}）的评分应在0–{}分之间（收到{}）",
                leaf.name, leaf.code, max, score
            ),
            format!(
                "The score for {} ({}) must be between 0 and {} (got {})",
                leaf.code, leaf.name, max, score
            ),
        ));
    }
    Ok(())
}
