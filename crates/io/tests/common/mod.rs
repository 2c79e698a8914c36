//! Shared helpers for the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use gongjiang_io::{map_headers, open, HeaderMap, Limits, Problem, Row, Sheet, Spec};

/// Sample rows (values in spec column order, as an export would give them), including
/// values that are easy to break: leading zeros, commas and quotes, a leading `=`,
/// CJK punctuation, decimals, dates.
pub fn sample_rows(spec: &Spec) -> Vec<Vec<String>> {
    let rows: Vec<Vec<&str>> = match spec.kind {
        "orgs" => vec![
            vec![
                "常州市天宁精密机械有限公司",
                "91320402MA1MXXXX0A",
                "企业",
                "320402",
                "",
                "C34",
                "民营",
                "是",
                "",
            ],
            vec![
                "天宁区总工会",
                "",
                "工会",
                "320402",
                "91320402MA1MXXXX0A",
                "",
                "",
                "否",
                "",
            ],
            vec![
                "A,\"B\" 公司",
                "913204000000000123",
                "园区",
                "320412",
                "",
                "",
                "国有",
                "",
                "",
            ],
            vec![
                "=SUM(A1)",
                "",
                "院校",
                "320400",
                "",
                "P83",
                "",
                "",
                "工匠学院",
            ],
        ],
        "pilots" => vec![
            vec![
                "91320402MA1MXXXX0A",
                "市级",
                "企业",
                "2023",
                "数字化车间,“师带徒”",
                "是",
            ],
            vec!["913204000000000123", "省级", "园区", "2021", "", ""],
        ],
        "reports" => vec![
            vec![
                "91320402MA1MXXXX0A",
                "2023",
                "1200",
                "800",
                "300",
                "25",
                "1500",
                "12.5",
                "40",
                "6",
                "0.75",
            ],
            vec![
                "913204000000000123",
                "2023Q4",
                "0",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        ],
        "workers" => vec![
            vec![
                "张三",
                "32040219900101123X",
                "91320402MA1MXXXX0A",
                "13812345678",
                "车工",
                "高级工",
                "000123",
                "2023-05-01",
                "是",
                "中共党员",
            ],
            vec![
                "李 四",
                "320402199202021234",
                "91320402MA1MXXXX0A",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            vec![
                "-王五",
                "320402198503033456",
                "913204000000000123",
                "+8613900000000",
                "焊工",
                "首席技师",
                "S-2020-01",
                "1999-12-31",
                "否",
                "群众",
            ],
        ],
        "designations" => vec![
            vec![
                "龙城工匠",
                "市级",
                "2023",
                "",
                "32040219900101123X",
                "常人社发〔2023〕12号",
            ],
            vec!["创新工作室", "国家级", "2022", "91320402MA1MXXXX0A", "", ""],
        ],
        "classes" => vec![
            vec![
                "XT-2024-001",
                "数控车工新型学徒制培训班（第1期）",
                "新型学徒制",
                "12320411589949912A",
                "91320402MA1MXXXX0A",
                "2024",
                "40",
                "38",
            ],
            vec![
                "JT-2024_002",
                "A,\"B\" 技能提升班",
                "技能提升",
                "12320411589949912A",
                "",
                "2024",
                "120",
                "",
            ],
        ],
        "contests" => vec![
            vec![
                "JS-2024-001",
                "数控车工职业技能竞赛",
                "市级",
                "2024",
                "数控车工",
                "12320400MB1234567X",
            ],
            vec!["QY_2024-02", "岗位练兵", "企业级", "2024", "电工", ""],
        ],
        "contest_results" => vec![
            vec![
                "JS-2024-001",
                "32040219900101123X",
                "1",
                "一等奖",
                "技术能手",
                "技师",
            ],
            vec!["JS-2024-001", "320402198805050016", "2", "二等奖", "无", ""],
        ],
        "innovations" => vec![
            vec![
                "CX-2024-001",
                "一种快换定位夹具",
                "专利",
                "12320400MB1234567X",
                "32040219900101123X;320402198805050016",
                "2024",
                "ZL200410018477.9",
                "35.5",
            ],
            vec![
                "CX-2024-002",
                "物流通道优化建议",
                "合理化建议",
                "12320400MB1234567X",
                "",
                "2024",
                "",
                "",
            ],
        ],
        other => panic!("unknown spec {other}"),
    };
    rows.into_iter()
        .map(|r| r.into_iter().map(String::from).collect())
        .collect()
}

/// Opens, maps the headers and returns the rows' values in spec order.
pub fn read_values(spec: &'static Spec, bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    let mut sheet = open(bytes, name, Some(spec.sheet), &Limits::default()).unwrap();
    let map = map_headers(spec, sheet.headers()).unwrap();
    assert!(sheet.problems().is_empty());
    let rows: Vec<Row> = sheet.rows().unwrap().map(|r| r.unwrap()).collect();
    rows.iter()
        .map(|r| {
            assert!(map.check_row(r).is_empty(), "{:?}", map.check_row(r));
            map.values(r)
        })
        .collect()
}

/// All rows of a sheet.
pub fn all_rows(sheet: &mut Sheet<'_>) -> Vec<Row> {
    sheet.rows().unwrap().map(|r| r.unwrap()).collect()
}

/// Opens with the spec's sheet and default limits and maps the headers.
pub fn open_mapped<'a>(spec: &'static Spec, bytes: &'a [u8]) -> (Sheet<'a>, HeaderMap) {
    let sheet = open(bytes, "t.xlsx", Some(spec.sheet), &Limits::default()).unwrap();
    let map = map_headers(spec, sheet.headers()).unwrap();
    (sheet, map)
}

/// Problems joined for assertions.
pub fn joined(p: &[Problem]) -> String {
    p.iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}
