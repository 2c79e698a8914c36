//! The scheme editor's outline: rows from a scheme tree and from the posted form, the
//! tree built back from rows, and the add / add below / remove operations.
use super::num;
use gongjiang_domain::assessment::{Band, Node, ScoringRule};
use std::collections::BTreeMap;

// ------------------------------------------------------------------ the editor

/// One row of the outline editor.
#[derive(Clone, Default)]
pub struct Row {
    pub level: usize,
    pub code: String,
    pub name: String,
    pub points: String,
    /// "" (an item with sub-items), checklist, bands, ratio, indicator, expert
    pub rule: String,
    /// ratio/indicator target, expert maximum, or bands "90:100, 80:80"
    pub param: String,
    pub indicator: String,
    pub criteria: String,
    pub errors: Vec<String>,
}

pub(super) fn rows_of(tree: &[Node]) -> Vec<Row> {
    fn walk(nodes: &[Node], level: usize, out: &mut Vec<Row>) {
        for n in nodes {
            let (rule, param, indicator, criteria) = match &n.rule {
                None => (String::new(), String::new(), String::new(), String::new()),
                Some(ScoringRule::Checklist) => (
                    "checklist".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                ),
                Some(ScoringRule::Bands { bands }) => (
                    "bands".into(),
                    bands
                        .iter()
                        .map(|b| format!("{}:{}", num(b.min), num(b.percent)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    String::new(),
                    String::new(),
                ),
                Some(ScoringRule::Ratio { target }) => {
                    ("ratio".into(), num(*target), String::new(), String::new())
                }
                Some(ScoringRule::Indicator { code, target }) => (
                    "indicator".into(),
                    num(*target),
                    code.clone(),
                    String::new(),
                ),
                Some(ScoringRule::Expert { max, criteria }) => {
                    ("expert".into(), num(*max), String::new(), criteria.clone())
                }
            };
            out.push(Row {
                level,
                code: n.code.clone(),
                name: n.name.clone(),
                points: num(n.points),
                rule,
                param,
                indicator,
                criteria,
                errors: Vec::new(),
            });
            walk(&n.children, level + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(tree, 1, &mut out);
    out
}

pub(super) fn rows_from_form(f: &BTreeMap<String, String>) -> Vec<Row> {
    let n: usize = f
        .get("rows")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
        .min(500);
    let g = |k: &str, i: usize| f.get(&format!("{k}_{i}")).cloned().unwrap_or_default();
    (0..n)
        .map(|i| Row {
            level: g("level", i).parse().unwrap_or(1).clamp(1, 4),
            code: String::new(),
            name: g("name", i),
            points: g("points", i),
            rule: g("rule", i),
            param: g("param", i),
            indicator: g("indicator", i),
            criteria: g("criteria", i),
            errors: Vec::new(),
        })
        .collect()
}

pub(super) fn parse_num(s: &str) -> Option<f64> {
    let t = gongjiang_domain::error::normalise_code(s).replace('。', ".");
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Builds the tree from the outline; row problems are attached to the rows. Codes are
/// assigned by position, so the service's `tree.<code>` errors land on the right rows.
pub(super) fn tree_of(rows: &mut [Row], en: bool) -> (Vec<Node>, bool) {
    let mut ok = true;
    // Positional codes.
    let mut counters: Vec<usize> = Vec::new();
    for r in rows.iter_mut() {
        let lvl = r.level.min(counters.len() + 1);
        if lvl < r.level {
            r.errors.push(if en {
                "This row skips a level: indent one level at a time".into()
            } else {
                "层级跳跃：下级指标只能比上一行低一级".into()
            });
            ok = false;
        }
        r.level = lvl;
        counters.truncate(lvl);
        if counters.len() < lvl {
            counters.push(0);
        }
        if let Some(last) = counters.last_mut() {
            *last += 1;
        }
        r.code = counters
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(".");
    }
    fn build(rows: &mut [Row], i: &mut usize, level: usize, ok: &mut bool, en: bool) -> Vec<Node> {
        let mut out = Vec::new();
        while *i < rows.len() && rows[*i].level == level {
            let idx = *i;
            *i += 1;
            let children = build(rows, i, level + 1, ok, en);
            let r = &mut rows[idx];
            let points = match parse_num(&r.points) {
                Some(p) => p,
                None => {
                    r.errors.push(if en {
                        "Points must be a number".into()
                    } else {
                        "分值应为数字".into()
                    });
                    *ok = false;
                    0.0
                }
            };
            let param = parse_num(&r.param);
            let need_param = |r: &mut Row, ok: &mut bool| -> f64 {
                match param {
                    Some(p) => p,
                    None => {
                        r.errors.push(if en {
                            "The rule's parameter must be a number".into()
                        } else {
                            "计分规则的参数（目标值/满分）应为数字".into()
                        });
                        *ok = false;
                        0.0
                    }
                }
            };
            let rule = if !children.is_empty() {
                None
            } else {
                match r.rule.as_str() {
                    "checklist" => Some(ScoringRule::Checklist),
                    "ratio" => Some(ScoringRule::Ratio {
                        target: need_param(r, ok),
                    }),
                    "indicator" => Some(ScoringRule::Indicator {
                        code: r.indicator.clone(),
                        target: need_param(r, ok),
                    }),
                    "expert" => Some(ScoringRule::Expert {
                        max: need_param(r, ok),
                        criteria: r.criteria.clone(),
                    }),
                    "bands" => {
                        let mut bands = Vec::new();
                        for part in r.param.split([',', ',', ';', ';']) {
                            let part = part.trim();
                            if part.is_empty() {
                                continue;
                            }
                            let mut it = part.split([':', ':']);
                            match (it.next().and_then(parse_num), it.next().and_then(parse_num)) {
                                (Some(min), Some(percent)) => bands.push(Band { min, percent }),
                                _ => {
                                    r.errors.push(if en {
                                        format!("Band '{part}' must be written min:percent, e.g. 90:100")
                                    } else {
                                        format!("分档“{part}”应写作 下限:得分比例，例如 90:100")
                                    });
                                    *ok = false;
                                }
                            }
                        }
                        Some(ScoringRule::Bands { bands })
                    }
                    _ => None,
                }
            };
            out.push(Node {
                code: r.code.clone(),
                name: r.name.clone(),
                points,
                rule,
                children,
            });
        }
        out
    }
    let mut i = 0;
    let tree = build(rows, &mut i, 1, &mut ok, en);
    (tree, ok)
}

/// Attaches `tree.<code>…` errors to rows; returns the rest.
pub(super) fn attach(rows: &mut [Row], errs: Vec<(String, String)>) -> Vec<String> {
    let mut general = Vec::new();
    for (field, msg) in errs {
        let code = field
            .strip_prefix("tree.")
            .map(|c| {
                c.trim_end_matches(".points")
                    .trim_end_matches(".rule")
                    .trim_end_matches(".name")
                    .to_string()
            })
            .unwrap_or_default();
        match rows.iter_mut().find(|r| !code.is_empty() && r.code == code) {
            Some(r) => r.errors.push(msg),
            None => general.push(msg),
        }
    }
    general
}

/// Applies an outline operation: add:i (a sibling after i and its sub-items),
/// child:i, del:i (with its sub-items), top (a first-level item at the end).
pub(super) fn apply_op(rows: &mut Vec<Row>, op: &str) -> bool {
    let end_of = |rows: &Vec<Row>, i: usize| {
        let lvl = rows[i].level;
        let mut j = i + 1;
        while j < rows.len() && rows[j].level > lvl {
            j += 1;
        }
        j
    };
    let blank = |level: usize| Row {
        level,
        rule: "checklist".into(),
        ..Default::default()
    };
    if op == "top" {
        rows.push(blank(1));
        return true;
    }
    let Some((kind, idx)) = op.split_once(':') else {
        return false;
    };
    let Ok(i) = idx.parse::<usize>() else {
        return false;
    };
    if i >= rows.len() {
        return false;
    }
    match kind {
        "add" => {
            let j = end_of(rows, i);
            let lvl = rows[i].level;
            rows.insert(j, blank(lvl));
        }
        "child" => {
            let lvl = rows[i].level + 1;
            rows[i].rule.clear();
            rows.insert(i + 1, blank(lvl));
        }
        "del" => {
            let j = end_of(rows, i);
            rows.drain(i..j);
        }
        _ => return false,
    }
    true
}
