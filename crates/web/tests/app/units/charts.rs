//! How a bar chart lays itself out (`ui::charts`).

use gongjiang_web::i18n::{Lang, T};
use gongjiang_web::ui::charts::{bars, has_data, Bar, MAX_BARS};
use serde_json::{json, Value};

fn bar(name: &str, v: f64) -> Bar {
    Bar {
        name: name.into(),
        code: Some(name.into()),
        values: vec![v, 1.0],
    }
}

#[test]
fn few_short_names_stay_vertical_and_in_order() {
    let t = T(Lang::Zh);
    let j = bars(
        &t,
        &["a".into(), "b".into()],
        vec![bar("天宁区", 1.0), bar("钟楼区", 3.0)],
    );
    assert_eq!(j["horizontal"], false);
    assert_eq!(j["names"], json!(["天宁区", "钟楼区"]));
    assert_eq!(j["contain_label"], true);
}

#[test]
fn many_or_long_names_turn_horizontal_sorted_and_fold_into_others() {
    let t = T(Lang::Zh);
    let j = bars(
        &t,
        &["a".into()],
        vec![bar("钟楼区", 1.0), bar("常州国家高新技术产业开发区", 2.0)],
    );
    assert_eq!(j["horizontal"], true);
    assert_eq!(j["names"][0], "常州国家高新技术产业开发区");
    let items: Vec<Bar> = (0..20)
        .map(|i| bar(&format!("单位{i}"), f64::from(i)))
        .collect();
    let j = bars(&t, &["a".into(), "b".into()], items);
    assert_eq!(j["horizontal"], true);
    let names = j["names"].as_array().map(Vec::len);
    assert_eq!(names, Some(MAX_BARS));
    assert_eq!(j["names"][0], "单位19");
    assert_eq!(j["names"][MAX_BARS - 1], "其他（6）");
    assert_eq!(j["codes"][MAX_BARS - 1], Value::Null);
    // 0 + 1 + … + 5 and six times 1.
    assert_eq!(j["series"][0]["values"][MAX_BARS - 1], 15.0);
    assert_eq!(j["series"][1]["values"][MAX_BARS - 1], 6.0);
    assert_eq!(j["others"], 6);
}

#[test]
fn empty_charts_have_no_data() {
    assert!(!has_data(&json!({"names": [], "values": []})));
    assert!(!has_data(
        &json!({"names": ["a"], "series": [{"values": [0.0]}]})
    ));
    assert!(!has_data(&json!({"kind": "treemap", "tree": []})));
    assert!(has_data(&json!({"names": ["a"], "values": [2]})));
    assert!(has_data(
        &json!({"kind": "treemap", "tree": [{"value": 1}]})
    ));
}
