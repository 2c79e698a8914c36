//! Charts whose labels never overlap (issue #10, point 10): long or many names become
//! horizontal bars, sorted, with the tail summed as 其他; a chart with nothing to draw is a
//! sentence saying why, not an empty frame; pair-graph labels only on the large nodes.
use crate::helpers::*;
use serde_json::Value;

/// The JSON in the first `data-chart="…"` attribute after `marker`.
fn chart_after(html: &str, marker: &str) -> Value {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in page"));
    let rest = &html[at..];
    let key = "data-chart=\"";
    let start = rest.find(key).expect("data-chart") + key.len();
    let raw = &rest[start..start + rest[start..].find('"').expect("end of attribute")];
    attribute_json(raw)
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap_or("").to_string())
        .collect()
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[tokio::test]
async fn the_home_chart_makes_room_for_long_district_names() {
    let app = spawn_demo().await;
    let b = app.browser("city").await;
    let home = b.get_ok("/").await;
    let c = chart_after(&home, "id=\"chart-districts\"");
    let names = strs(&c["names"]);
    assert!(
        names.iter().any(|n| n == "常州国家高新技术产业开发区"),
        "{names:?}"
    );
    // Names on the y axis, the grid sized to hold them, cut with an ellipsis past the
    // label width (the tooltip has the full name).
    assert_eq!(c["horizontal"], true, "{c}");
    assert_eq!(c["contain_label"], true, "{c}");
    assert!(c["label_width"].as_u64().unwrap() >= 100, "{c}");
    // Sorted, largest first; every district still drills down.
    let v = nums(&c["series"][0]["values"]);
    assert!(v.windows(2).all(|w| w[0] >= w[1]), "{v:?}");
    assert_eq!(c["codes"].as_array().unwrap().len(), names.len());
    assert!(c["codes"].as_array().unwrap().iter().all(Value::is_string));
    assert_eq!(v.iter().sum::<f64>(), 1200.0);
}

#[tokio::test]
async fn town_and_unit_homes_say_why_there_is_no_chart() {
    let app = spawn_demo().await;
    for user in ["town", "unit"] {
        let b = app.browser(user).await;
        let (s, home) = b.get("/").await;
        assert_eq!(s, 200, "{user}");
        assert!(
            !home.contains("data-chart="),
            "{user}: an empty chart frame"
        );
        assert!(!home.contains("id=\"chart-districts\""), "{user}");
        assert!(
            home.contains("暂无数据：本账号的范围内没有区县或功能区"),
            "{user}: no sentence"
        );
        let (_, en) = b.get("/?lang=en").await;
        assert!(en.contains("No data: there is no district"), "{user}");
    }
    // The unit's dashboard: nothing below an enterprise, so sentences, not frames.
    let b = app.browser("unit").await;
    let dash = b.get_ok("/dashboard").await;
    assert!(
        dash.contains("data-chart-none=\"by_child\""),
        "bars sentence"
    );
    assert!(
        dash.contains("data-chart-none=\"treemap\""),
        "treemap sentence"
    );
    assert!(dash.contains("暂无数据：下一级没有含试点企业"));
    assert!(!dash.contains("data-chart-kind=\"bars\""));
    assert!(!dash.contains("data-chart-kind=\"treemap\""));
}

#[tokio::test]
async fn a_street_drill_down_draws_horizontal_sorted_bars_with_the_rest_as_others() {
    let app = spawn_demo().await;
    // The town account's street, opened by the district above it.
    let town = app.browser("town").await;
    let (_, own) = town.get("/dashboard").await;
    let mine = chart_after(&own, "data-chart-kind=\"bars\"");
    let b = app.browser("tianning").await;
    let code = {
        let key = "name=\"org\" value=\"";
        let at = own.find(key).expect("org field") + key.len();
        own[at..at + own[at..].find('"').unwrap()].to_string()
    };
    assert!(code.starts_with("320402"), "{code}");
    let (s, page) = b.get(&format!("/dashboard?org={code}")).await;
    assert_eq!(s, 200);
    let c = chart_after(&page, "data-chart-kind=\"bars\"");
    assert_eq!(c, mine, "the same chart for the town and the district");
    let names = strs(&c["names"]);
    assert_eq!(c["horizontal"], true, "{c}");
    assert_eq!(c["contain_label"], true);
    assert!(names.len() <= 15, "{} bars", names.len());
    // The street has more than 15 units with pilots: the tail is one bar 其他 that
    // leads nowhere, holding the sum of the rest.
    let others = c["others"].as_u64().unwrap();
    assert!(others > 0, "{c}");
    let last = names.last().unwrap();
    assert_eq!(last, &format!("其他（{others}）"));
    assert!(c["codes"].as_array().unwrap().last().unwrap().is_null());
    // Largest first (the 其他 bar aside), as the API's numbers.
    let v = nums(&c["series"][0]["values"]);
    let head = &v[..v.len() - 1];
    assert!(head.windows(2).all(|w| w[0] >= w[1]), "{v:?}");
    let drill = c["drill"].as_str().unwrap();
    let period = &drill["/dashboard?period=".len()..drill.len() - "&org=".len()];
    let tok = app.token("tianning").await;
    let (s, api) = app
        .get(
            &tok,
            &format!("/api/v1/indicators?org={code}&period={period}&by=child"),
        )
        .await;
    assert_eq!(s, 200, "{api}");
    let total: f64 = v.iter().sum();
    let from_api: f64 = api["children"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|ch| ch["indicators"].as_array().unwrap().iter())
        .filter(|x| x["code"] == "pilot_enterprises")
        .filter_map(|x| x["value"].as_f64())
        .sum();
    assert_eq!(total, from_api, "the bars keep every pilot enterprise");
    // A district's few towns keep one bar each and drill down.
    let (_, district) = b.get("/dashboard?org=320402").await;
    let d = chart_after(&district, "data-chart-kind=\"bars\"");
    assert_eq!(d["others"], 0);
    assert!(d["codes"].as_array().unwrap().iter().all(Value::is_string));
}

#[tokio::test]
async fn task_and_pair_charts_keep_their_labels_apart() {
    let app = spawn_demo().await;
    let b = app.browser("city").await;
    let (s, page) = b.get("/tasks").await;
    assert_eq!(s, 200);
    // Lead units: long names, so horizontal bars, most tasks first, each bar opens the
    // unit's tasks.
    let u = chart_after(&page, "data-chart-kind=\"units\"");
    assert_eq!(u["horizontal"], true, "{u}");
    assert_eq!(u["contain_label"], true);
    let v = nums(&u["series"][0]["values"]);
    let folded = usize::from(u["others"].as_u64().unwrap() > 0);
    let head = &v[..v.len() - folded];
    assert!(head.windows(2).all(|w| w[0] >= w[1]), "{v:?}");
    assert!(u["drill"].as_str().unwrap().starts_with("/tasks?year="));
    // Pair graphs: names as labels only on the large nodes, the rest in the tooltip,
    // overlapping labels hidden, repulsion growing with the graph.
    let page = b.get_ok("/pairs").await;
    let g = chart_after(&page, "chart-graph");
    assert_eq!(g["kind"], "graph");
    assert_eq!(g["label_overlap"], "hide");
    assert!(g["repulsion"].as_u64().unwrap() >= 180);
    let nodes = g["nodes"].as_array().unwrap();
    assert!(nodes.len() > 4);
    for n in nodes {
        let big = n["leader"] == true || n["pairs"].as_i64().unwrap() >= 3;
        assert_eq!(n["label"], big, "{n}");
    }
}
