//! 工匠培育 (issue #12, point 4): rounds at four levels, nominations by the level below
//! within its subtree and quota, review, expert scoring and 公示 on the engine, and the
//! title in the registry with the live counts.

use crate::helpers::*;
use serde_json::{json, Value};

async fn indicator(app: &TestApp, token: &str, period: &str, code: &str) -> f64 {
    indicator_value(app, token, "320400", period, code).await
}

use crate::helpers::err_field as field;

async fn act(app: &TestApp, tok: &str, id: i64, action: &str) -> Value {
    app.post_ok(
        tok,
        &format!("/api/v1/cases/{id}/actions"),
        json!({"action": action, "comment": "同意"}),
    )
    .await
}

/// Workers of a district that hold no craftsman title.
async fn workers_of(app: &TestApp, tok: &str, region: &str) -> Vec<i64> {
    let ws = app
        .get_ok(
            tok,
            &format!("/api/v1/workers?region={region}&per_page=200"),
        )
        .await;
    ws["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn the_demo_holds_craftsmen_at_four_levels() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let y = demo_year().to_string();
    assert!(indicator(&app, &city, &y, "craftsmen_city").await >= 40.0);
    assert!(indicator(&app, &city, &y, "craftsmen_district").await >= 12.0);
    assert!(indicator(&app, &city, &y, "craftsmen_town").await >= 3.0);
    assert!(indicator(&app, &city, &y, "craftsmen_enterprise").await >= 2.0);
    let l = app
        .get_ok(&city, "/api/v1/craftsman-rounds?level=city")
        .await;
    assert!(l["total"].as_i64().unwrap() >= 1, "{l}");
}

#[tokio::test]
async fn a_city_round_from_nomination_to_the_title() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let admin = app.token("admin").await;
    let tianning = app.token("tianning").await;
    let wujin = app.token("wujin").await;
    let town = app.token("town").await;
    let year = this_year();

    // Only the city opens a city round; the quota cannot exceed the titles.
    let round =
        json!({"name": "测试龙城工匠评选", "level": "市级", "year": year, "titles": 3, "quota": 1});
    let (s, e) = app
        .post(&tianning, "/api/v1/craftsman-rounds", round.clone())
        .await;
    assert_eq!((s, field(&e).as_str()), (422, "level"), "{e}");
    let mut bad = round.clone();
    bad["quota"] = json!(5);
    let (s, e) = app.post(&city, "/api/v1/craftsman-rounds", bad).await;
    assert_eq!((s, field(&e).as_str()), (422, "quota"), "{e}");
    let (s, r) = app.post(&city, "/api/v1/craftsman-rounds", round).await;
    assert_eq!(s, 201, "{r}");
    let id = r["id"].as_i64().unwrap();
    assert_eq!(r["title"], "龙城工匠");
    let nominations = format!("/api/v1/craftsman-rounds/{id}/nominations");

    // The level below nominates, inside its own subtree and quota.
    let ours = workers_of(&app, &tianning, "320402").await;
    let nominate = |w: i64| json!({"worker": w.to_string(), "reason": "技艺精湛，带徒多名"});
    let (s, _) = app.post(&town, &nominations, nominate(ours[0])).await;
    assert_eq!(s, 403, "a town does not nominate for the city");
    let (s, e) = app.post(&wujin, &nominations, nominate(ours[0])).await;
    assert_eq!(
        (s, field(&e).as_str()),
        (422, "worker"),
        "outside Wujin: {e}"
    );
    let (s, e) = app
        .post(
            &tianning,
            &nominations,
            json!({"worker": ours[0].to_string(), "reason": " "}),
        )
        .await;
    assert_eq!((s, field(&e).as_str()), (422, "reason"), "{e}");
    // A holder of the city title is refused.
    let holders = app
        .get_ok(
            &city,
            "/api/v1/designations?dtype=longcheng_craftsman&level=city&per_page=200",
        )
        .await;
    let holder = holders["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["holder_worker_id"].as_i64())
        .find(|w| ours.contains(w));
    if let Some(h) = holder {
        let (s, e) = app.post(&tianning, &nominations, nominate(h)).await;
        assert_eq!((s, field(&e).as_str()), (422, "worker"), "{e}");
        assert!(e.to_string().contains("龙城工匠"), "{e}");
    }
    let candidate = ours.iter().copied().find(|w| Some(*w) != holder).unwrap();
    let (s, n) = app.post(&tianning, &nominations, nominate(candidate)).await;
    assert_eq!(s, 201, "{n}");
    assert_eq!(n["status"], "in_review");
    let other = ours
        .iter()
        .copied()
        .find(|w| *w != candidate && Some(*w) != holder)
        .unwrap();
    let (s, e) = app.post(&tianning, &nominations, nominate(other)).await;
    assert_eq!(
        (s, field(&e).as_str()),
        (422, "worker"),
        "over the quota: {e}"
    );
    assert!(e.to_string().contains("名额"), "{e}");
    let q = app
        .get_ok(&city, &format!("/api/v1/craftsman-rounds/{id}/quotas"))
        .await;
    assert_eq!(q[0]["used"], 1, "{q}");

    // Review at the city, three experts, 公示, the decision.
    let case = n["case_id"].as_i64().unwrap();
    act(&app, &admin, case, "accept").await;
    for e in ["expert", "expert2", "expert3"] {
        app.post_ok(
            &city,
            &format!("/api/v1/cases/{case}/experts"),
            json!({"expert": e}),
        )
        .await;
        let t = app.token(e).await;
        app.send_ok(
            reqwest::Method::PUT,
            &t,
            &format!("/api/v1/cases/{case}/score"),
            json!({"score": 90, "comment": "技艺精湛"}),
        )
        .await;
    }
    let before = indicator(&app, &city, &year.to_string(), "craftsmen_city").await;
    act(&app, &admin, case, "accept").await;
    sqlx::query("UPDATE wf_cases SET due_at = 1 WHERE id = $1")
        .bind(case)
        .execute(&app.svc.db.pool)
        .await
        .unwrap();
    act(&app, &admin, case, "accept").await;
    let ns = app.get_ok(&city, &nominations).await;
    let n = &ns[0];
    assert_eq!(n["status"], "approved", "{ns}");
    assert!(n["designation_id"].is_i64(), "{ns}");
    assert_eq!(
        indicator(&app, &city, &year.to_string(), "craftsmen_city").await,
        before + 1.0
    );
    // Now a holder: nominated again in another round, refused.
    let (_, r2) = app
        .post(
            &city,
            "/api/v1/craftsman-rounds",
            json!({"name": "第二批", "level": "city", "year": year, "titles": 2, "quota": 2}),
        )
        .await;
    let (s, e) = app
        .post(
            &tianning,
            &format!("/api/v1/craftsman-rounds/{}/nominations", r2["id"]),
            nominate(candidate),
        )
        .await;
    assert_eq!((s, field(&e).as_str()), (422, "worker"), "{e}");
}

#[tokio::test]
async fn the_console_lists_rounds_and_takes_nominations() {
    let app = spawn_demo().await;
    let b = app.browser("tianning").await;
    let html = b.get_ok("/craftsmen").await;
    assert!(
        html.contains("区级工匠数") && html.contains("龙城工匠评选"),
        "{html}"
    );
    let city = app.token("city").await;
    let l = app
        .get_ok(
            &city,
            &format!("/api/v1/craftsman-rounds?level=city&year={}", this_year()),
        )
        .await;
    let id = l["items"][0]["id"].as_i64().unwrap();
    let html = b.get_ok(&format!("/craftsmen/{id}")).await;
    assert!(
        html.contains("推荐人选") && html.contains("已推荐 / 名额"),
        "{html}"
    );
    // A bad nomination comes back with the error by its field, nothing lost.
    let html = b
        .refused(
            &format!("/craftsmen/{id}/nominations"),
            &[("worker", "999999"), ("reason", "事迹突出")],
        )
        .await;
    assert!(
        html.contains("事迹突出") && html.contains("field-error"),
        "{html}"
    );
    let html = b.get_ok("/craftsmen?lang=en").await;
    assert!(html.contains("District craftsmen"));
}

/// A district's own round: its towns nominate, the district reviews, runs the expert
/// stage and decides after 公示 (the process's decider); the city does not decide it.
#[tokio::test]
async fn a_district_round_is_decided_by_the_district() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let town = app.token("town").await;
    let me = app.get_ok(&town, "/api/v1/me").await;
    let town_code = me["region_code"]
        .as_str()
        .or(me["user"]["region_code"].as_str())
        .expect("the town account's region")
        .to_string();
    let (district_account, district_code) = if town_code.starts_with("320412") {
        ("wujin", "320412")
    } else {
        ("tianning", "320402")
    };
    assert!(town_code.starts_with(district_code), "{town_code}");
    let district = app.token(district_account).await;
    let (s, r) = app
        .post(
            &district,
            "/api/v1/craftsman-rounds",
            json!({"name": "区级工匠评选（测试）", "level": "district", "year": this_year(), "titles": 2, "quota": 1}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let id = r["id"].as_i64().unwrap();
    let ws = workers_of(&app, &town, &town_code).await;
    let (s, n) = app
        .post(
            &town,
            &format!("/api/v1/craftsman-rounds/{id}/nominations"),
            json!({"worker": ws[0].to_string(), "reason": "技艺精湛"}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    let case = n["case_id"].as_i64().unwrap();
    act(&app, &district, case, "accept").await;
    // The expert stage is the district's: the city may not assign.
    app.post(
        &city,
        &format!("/api/v1/cases/{case}/experts"),
        json!({"expert": "expert"}),
    )
    .await
    .answers(403);
    for e in ["expert", "expert2", "expert3"] {
        let (s, v) = app
            .post(
                &district,
                &format!("/api/v1/cases/{case}/experts"),
                json!({"expert": e}),
            )
            .await;
        assert!(s == 200 || s == 201, "{v}");
        let t = app.token(e).await;
        app.send_ok(
            reqwest::Method::PUT,
            &t,
            &format!("/api/v1/cases/{case}/score"),
            json!({"score": 88}),
        )
        .await;
    }
    act(&app, &district, case, "accept").await;
    let inbox = app.get_ok(&district, "/api/v1/inbox").await;
    assert!(
        inbox.to_string().contains(&format!("\"id\":{case}")),
        "on notice, in the district's inbox"
    );
    sqlx::query("UPDATE wf_cases SET due_at = 1 WHERE id = $1")
        .bind(case)
        .execute(&app.svc.db.pool)
        .await
        .unwrap();
    let (s, _) = app
        .post(
            &city,
            &format!("/api/v1/cases/{case}/actions"),
            json!({"action": "accept", "comment": "同意"}),
        )
        .await;
    assert_eq!(s, 403, "the city does not decide a district's round");
    act(&app, &district, case, "accept").await;
    let ns = app
        .get_ok(&city, &format!("/api/v1/craftsman-rounds/{id}/nominations"))
        .await;
    assert_eq!(ns[0]["status"], "approved", "{ns}");
}
