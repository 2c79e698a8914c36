//! Unit tests of the assessment rules.
#![allow(clippy::unwrap_used)]

use super::*;

fn leaf(name: &str, points: f64, rule: ScoringRule) -> Node {
    Node {
        code: String::new(),
        name: name.into(),
        points,
        rule: Some(rule),
        children: vec![],
    }
}
fn item(name: &str, points: f64, children: Vec<Node>) -> Node {
    Node {
        code: String::new(),
        name: name.into(),
        points,
        rule: None,
        children,
    }
}
fn expert(max: f64) -> ScoringRule {
    ScoringRule::Expert {
        max,
        criteria: "亮点突出".into(),
    }
}

fn scheme() -> Vec<Node> {
    vec![
        item(
            "组织领导",
            20.0,
            vec![
                leaf("成立产改领导小组", 10.0, ScoringRule::Checklist),
                leaf("联席会议召开次数", 10.0, ScoringRule::Ratio { target: 4.0 }),
            ],
        ),
        item(
            "队伍建设",
            50.0,
            vec![
                leaf(
                    "每万名职工高技能人才数",
                    30.0,
                    ScoringRule::Indicator {
                        code: "high_skilled_per_10k".into(),
                        target: 1500.0,
                    },
                ),
                leaf(
                    "培训覆盖率",
                    20.0,
                    ScoringRule::Bands {
                        bands: vec![
                            Band {
                                min: 90.0,
                                percent: 100.0,
                            },
                            Band {
                                min: 80.0,
                                percent: 80.0,
                            },
                        ],
                    },
                ),
            ],
        ),
        leaf("特色亮点", 30.0, expert(30.0)),
    ]
}

#[test]
fn a_good_scheme_validates_and_is_numbered() {
    let mut s = scheme();
    validate_tree(&mut s).unwrap();
    assert_eq!(s[1].children[0].code, "2.1");
    assert_eq!(leaves(&s).len(), 5);
    assert_eq!(find(&s, "2.2").unwrap().name, "培训覆盖率");
}

#[test]
fn weights_that_do_not_add_up_name_the_node() {
    let mut s = scheme();
    s[1].children[1].points = 15.0;
    let e = validate_tree(&mut s).unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].field, "tree.2.points");
    assert!(e[0].detail_zh.contains("队伍建设"), "{}", e[0].detail_zh);
    assert!(e[0].detail_zh.contains("45"), "{}", e[0].detail_zh);
    // The top level must make 100.
    let mut s = scheme();
    s[2].points = 20.0;
    s[2].rule = Some(expert(20.0));
    let e = validate_tree(&mut s).unwrap_err();
    assert_eq!(e[0].field, "tree");
    assert!(e[0].detail_zh.contains("90"));
}

#[test]
fn decimals_add_up_exactly() {
    let mut s = vec![
        leaf("a", 33.33, ScoringRule::Checklist),
        leaf("b", 33.33, ScoringRule::Checklist),
        leaf("c", 33.34, ScoringRule::Checklist),
    ];
    validate_tree(&mut s).unwrap();
}

#[test]
fn leaves_need_rules_and_rules_need_parameters() {
    let mut s = scheme();
    s[0].children[0].rule = None;
    s[0].children[1].rule = Some(ScoringRule::Ratio { target: 0.0 });
    s[1].children[0].rule = Some(ScoringRule::Indicator {
        code: "nope".into(),
        target: 1.0,
    });
    s[2].rule = Some(ScoringRule::Expert {
        max: 30.0,
        criteria: " ".into(),
    });
    let e = validate_tree(&mut s).unwrap_err();
    let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "tree.1.1.rule",
            "tree.1.2.rule",
            "tree.2.1.rule",
            "tree.3.rule"
        ]
    );
    // A node with children cannot carry a rule; four levels are too deep.
    let mut s = scheme();
    s[0].rule = Some(ScoringRule::Checklist);
    s[1].children[0] = item(
        "x",
        30.0,
        vec![item(
            "y",
            30.0,
            vec![leaf("z", 30.0, ScoringRule::Checklist)],
        )],
    );
    let e = validate_tree(&mut s).unwrap_err();
    assert!(e.iter().any(|e| e.field == "tree.1.rule"));
    assert!(e.iter().any(|e| e.field == "tree.2.1.1.1"));
}

#[test]
fn bands_must_descend() {
    let mut s = scheme();
    s[1].children[1].rule = Some(ScoringRule::Bands {
        bands: vec![
            Band {
                min: 80.0,
                percent: 80.0,
            },
            Band {
                min: 90.0,
                percent: 100.0,
            },
        ],
    });
    let e = validate_tree(&mut s).unwrap_err();
    assert_eq!(e[0].field, "tree.2.2.rule");
}

#[test]
fn leaf_rules_score() {
    let mut s = scheme();
    validate_tree(&mut s).unwrap();
    let v = |x: f64| LeafInput {
        value: Some(x),
        expert_scores: vec![],
    };
    assert_eq!(score_leaf(&s[0].children[0], &v(1.0)).points, 10.0);
    assert_eq!(score_leaf(&s[0].children[0], &v(0.0)).points, 0.0);
    assert_eq!(
        score_leaf(&s[0].children[0], &LeafInput::default()).points,
        0.0
    );
    assert_eq!(score_leaf(&s[0].children[1], &v(3.0)).points, 7.5);
    assert_eq!(score_leaf(&s[0].children[1], &v(9.0)).points, 10.0);
    assert_eq!(score_leaf(&s[1].children[0], &v(1200.0)).points, 24.0);
    let b = &s[1].children[1];
    assert_eq!(score_leaf(b, &v(95.0)).points, 20.0);
    assert_eq!(score_leaf(b, &v(90.0)).points, 20.0);
    assert_eq!(score_leaf(b, &v(85.0)).points, 16.0);
    let low = score_leaf(b, &v(50.0));
    assert_eq!(low.points, 0.0);
    assert!(low.explain_zh.contains("低于"));
    let e = score_leaf(
        &s[2],
        &LeafInput {
            value: None,
            expert_scores: vec![24.0, 27.0, 30.0],
        },
    );
    assert_eq!(e.points, 27.0);
    assert_eq!(e.aggregate.unwrap().method, Method::Mean);
}

#[test]
fn trimmed_mean_from_five_experts() {
    let a = aggregate(&[10.0, 12.0, 14.0, 13.0, 1.0], 15.0);
    assert_eq!(a.method, Method::TrimmedMean);
    assert_eq!(a.dropped, vec![2, 4]);
    assert_eq!(a.value, 35.0 / 3.0);
    // 1 is far (more than 3 points = 20 % of 15) from the others' median 12.5; 14 is
    // exactly 3 from its others' median 11 and is not flagged.
    assert_eq!(a.outliers, vec![4]);
    let a = aggregate(&[10.0, 12.0, 14.0], 15.0);
    assert_eq!(a.method, Method::Mean);
    assert_eq!(a.value, 12.0);
    assert!(a.outliers.is_empty());
    assert!(a.dropped.is_empty());
    assert_eq!(aggregate(&[], 10.0).method, Method::None);
    // Equal extremes: one of each is dropped.
    let a = aggregate(&[8.0, 8.0, 8.0, 8.0, 8.0], 10.0);
    assert_eq!(a.value, 8.0);
    assert_eq!(a.dropped.len(), 2);
}

#[test]
fn outliers_need_two_others_and_the_threshold() {
    // Two experts: no flag (no "others" to compare with meaningfully).
    assert!(aggregate(&[0.0, 10.0], 10.0).outliers.is_empty());
    // Exactly 20 % away is not flagged; just over is.
    assert!(aggregate(&[8.0, 8.0, 6.0], 10.0).outliers.is_empty());
    assert_eq!(aggregate(&[8.0, 8.0, 5.9], 10.0).outliers, vec![2]);
}

#[test]
fn scores_out_of_range_name_the_leaf() {
    let mut s = scheme();
    validate_tree(&mut s).unwrap();
    assert!(check_score(&s[2], 30.0).is_ok());
    let e = check_score(&s[2], 31.0).unwrap_err();
    assert_eq!(e.field, "score");
    assert!(e.detail_zh.contains("特色亮点"));
    assert!(check_score(&s[2], -1.0).is_err());
    assert!(check_score(&s[2], f64::NAN).is_err());
    assert_eq!(
        check_score(&s[0].children[0], 1.0).unwrap_err().field,
        "leaf"
    );
}

#[test]
fn ranking_with_ties() {
    assert_eq!(rank(&[80.0, 90.0, 80.0, 70.0]), vec![2, 1, 2, 4]);
    assert_eq!(rank(&[80.001, 80.0]), vec![1, 1]);
    assert!(rank(&[]).is_empty());
}

#[test]
fn subtotals_add_leaves() {
    let mut s = scheme();
    validate_tree(&mut s).unwrap();
    let lp: std::collections::HashMap<String, f64> =
        [("1.1", 10.0), ("1.2", 7.5), ("2.1", 24.0), ("3", 27.0)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
    let st = subtotals(&s, &lp);
    assert_eq!(st["1"], 17.5);
    assert_eq!(st["2"], 24.0);
    assert_eq!(st["2.2"], 0.0);
    assert_eq!(st["3"], 27.0);
}

#[test]
fn labels_and_republish() {
    assert_eq!(expert_label(0, false), "专家A");
    assert_eq!(expert_label(2, true), "Expert C");
    assert_eq!(expert_label(26, false), "专家AA");
    assert_eq!(check_republish(0, ""), Ok(None));
    assert_eq!(check_republish(1, "").unwrap_err().field, "reason");
    assert_eq!(
        check_republish(1, " 补录数据 "),
        Ok(Some("补录数据".to_string()))
    );
}

#[test]
fn rules_describe_themselves() {
    let r = ScoringRule::Indicator {
        code: "high_skilled_per_10k".into(),
        target: 1500.0,
    };
    assert!(r.describe(30.0, false).contains("每万名职工"));
    assert!(expert(15.0).describe(15.0, false).contains("亮点突出"));
}
