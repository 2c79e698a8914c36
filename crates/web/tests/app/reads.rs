//! Reads kept by the data version (issue #11, the request path): an indicator read or an
//! organisation list is served again only while nothing it depends on has changed —
//! whether the change came through this server or another one on the same database.

use crate::helpers::*;
use serde_json::{json, Value};

#[tokio::test]
async fn kept_reads_follow_a_change_made_through_another_server() {
    let app = spawn_demo().await;
    // A second server over the same database, with answers of its own.
    let other = spawn_svc(gongjiang_web::WebConfig::default(), app.svc.clone()).await;
    let city = app.token("city").await;
    let year = demo_year();
    let ind = format!("/api/v1/indicators?org=320400&period={year}");
    let drill = format!("{ind}&by=child");
    let first = app.get_ok(&city, &ind).await;
    assert_eq!(app.get_ok(&city, &ind).await, first, "kept");
    let children = app.get_ok(&city, &drill).await;
    let list = app
        .get_ok(&city, "/api/v1/orgs?q=工匠学院&per_page=100")
        .await;
    let before = indicator_in(&first, "colleges_craftsman");

    // The other server registers a 工匠学院: the aggregates and the tree change.
    let (s, o) = other
        .post(
            &city,
            "/api/v1/orgs",
            json!({"name": "常州数据版本工匠学院", "kind": "院校", "region_code": "320402", "college_type": "工匠学院"}),
        )
        .await;
    assert_eq!(s, 201, "{o}");

    let after = app.get_ok(&city, &ind).await;
    assert_eq!(
        indicator_in(&after, "colleges_craftsman"),
        before + 1.0,
        "{after}"
    );
    assert_ne!(app.get_ok(&city, &drill).await, children);
    let list2 = app
        .get_ok(&city, "/api/v1/orgs?q=工匠学院&per_page=100")
        .await;
    assert_eq!(
        list2["total"].as_i64().unwrap(),
        list["total"].as_i64().unwrap() + 1,
        "{list2}"
    );
    // Each caller's answer is its own: a district reads only its area.
    let tianning = app.token("tianning").await;
    let (s, _) = app
        .get(
            &tianning,
            &format!("/api/v1/indicators?org=320412&period={year}"),
        )
        .await;
    assert_eq!(s, 404);
    // The language is part of the answer.
    let en = app
        .client
        .get(app.at(&ind))
        .header("accept-language", "en")
        .bearer_auth(&city)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_ne!(en["indicators"][0]["name"], after["indicators"][0]["name"]);
}
