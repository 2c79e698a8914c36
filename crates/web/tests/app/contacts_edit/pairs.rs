//! Pairs and activities corrected and ended.

use super::*;

#[tokio::test]
async fn pairs_and_activities_are_corrected_and_ended() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let wujin = app.token("wujin").await;
    let unit = app.token("unit").await;
    // The demo has one ended pair; lists filter by status.
    let (_, ended) = app.get(&city, "/api/v1/pairs?status=ended").await;
    assert_eq!(ended["total"], 1, "{ended}");
    assert_eq!(ended["items"][0]["active"], false);
    assert!(ended["items"][0]["end_reason"].is_string());
    let (_, all) = app.get(&city, "/api/v1/pairs?per_page=500").await;
    let (_, active) = app
        .get(&city, "/api/v1/pairs?status=active&per_page=500")
        .await;
    assert_eq!(
        active["total"].as_i64().unwrap() + 1,
        all["total"].as_i64().unwrap()
    );
    let (_, sp) = app
        .get(
            &city,
            "/api/v1/pairs?kind=state_private&status=active&per_page=500",
        )
        .await;
    let items = sp["items"].as_array().unwrap();
    let p = items[0].clone();
    let q = items[1].clone();
    let id = p["id"].as_i64().unwrap();
    let path = format!("/api/v1/pairs/{id}");
    let (_, d) = app.get(&city, &path).await;
    assert_eq!(d["may_edit"], true);
    let v = d["pair"]["version"].as_i64().unwrap();

    for (body, field) in [
        (json!({"start_year": 1999}), "start_year"),
        (json!({"org_b": p["org_a"].to_string()}), "org_b"),
        (json!({"org_a": q["org_b"].to_string()}), "org_a"),
        (json!({"kind": "friends"}), "kind"),
    ] {
        let (s, e) = app.put(&city, &path, body).await;
        refused_on(s, &e, 422, field);
    }
    app.put(&city, &path, json!({"version": v + 1, "goals": "x"}))
        .await
        .refused(409, "stale_version");
    let (s, e) = app
        .put(
            &city,
            &format!("/api/v1/pairs/{}", q["id"]),
            json!({"org_a": p["org_a"].to_string(), "org_b": p["org_b"].to_string()}),
        )
        .await;
    refused(s, &e, 409, "pair_exists");
    let p2 = app
        .put_ok(
            &city,
            &path,
            json!({"version": v, "goals": "共建技能大师工作室 2 个"}),
        )
        .await;
    assert_eq!(p2["goals"], "共建技能大师工作室 2 个");
    assert_eq!(p2["version"], v + 1);
    assert_eq!(p2["org_a"], p["org_a"], "left out = unchanged");
    let entries = app.audit_of("pair", id).await;
    assert!(entries
        .iter()
        .any(|e| e["action"] == "update"
            && e["after_json"].as_str().unwrap().contains("技能大师工作室")));
    // Roles and scope.
    app.put(&unit, &path, json!({"goals": "x"}))
        .await
        .answers(403);
    let (_, wl) = app.get(&wujin, "/api/v1/pairs?per_page=500").await;
    let wujin_sees: Vec<i64> = wl["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    let hidden_pair = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .find(|i| !wujin_sees.contains(i))
        .expect("a pair 武进区 does not see");
    app.put(
        &wujin,
        &format!("/api/v1/pairs/{hidden_pair}"),
        json!({"goals": "x"}),
    )
    .await
    .answers(404);
    // A pair 武进区 sees with one side elsewhere: not theirs to change.
    for x in wl["items"].as_array().unwrap() {
        let (sa, _) = app
            .get(&wujin, &format!("/api/v1/orgs/{}", x["org_a"]))
            .await;
        let (sb, _) = app
            .get(&wujin, &format!("/api/v1/orgs/{}", x["org_b"]))
            .await;
        if sa == 404 || sb == 404 {
            app.put(
                &wujin,
                &format!("/api/v1/pairs/{}", x["id"]),
                json!({"goals": "x"}),
            )
            .await
            .refused(403, "pair_not_yours");
            break;
        }
    }

    // Activities: corrected, then deleted.
    let a = app
        .post_ok(
            &city,
            &format!("{path}/activities"),
            json!({"held_on": "2024-06-01", "title": "联合培训", "participants": 30}),
        )
        .await;
    let aid = a["id"].as_i64().unwrap();
    let apath = format!("/api/v1/pair-activities/{aid}");
    for (body, field) in [
        (json!({"participants": 0}), "participants"),
        (json!({"held_on": in_days(2)}), "held_on"),
        (json!({"title": ""}), "title"),
    ] {
        let (s, e) = app.put(&city, &apath, body).await;
        refused_on(s, &e, 422, field);
    }
    let a2 = app
        .put_ok(
            &city,
            &apath,
            json!({"version": 1, "title": "联合技能培训", "participants": 35}),
        )
        .await;
    assert_eq!(a2["version"], 2);
    assert_eq!(a2["held_on"], "2024-06-01");
    app.send(
        Method::DELETE,
        &city,
        &format!("{apath}?version=1"),
        json!({}),
    )
    .await
    .answers(409);
    let (s, _) = app
        .send(
            Method::DELETE,
            &unit,
            &format!("{apath}?version=2"),
            json!({}),
        )
        .await;
    assert!(s == 403 || s == 404, "{s}");
    app.send(
        Method::DELETE,
        &city,
        &format!("{apath}?version=2"),
        json!({}),
    )
    .await
    .answers(204);
    let (_, d) = app.get(&city, &path).await;
    assert!(!d["activities"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == aid));
    app.put(&city, &apath, json!({})).await.answers(404);
    let entries = app.audit_of("pair_activity", aid).await;
    let del = entries.iter().find(|e| e["action"] == "delete").unwrap();
    assert!(del["before_json"]
        .as_str()
        .unwrap()
        .contains("联合技能培训"));

    // Ending the pair.
    let end = format!("{path}/end");
    let last = d["pair"]["last_activity"].as_str().unwrap().to_string();
    for (body, field) in [
        (json!({"ended_on": in_days(1), "reason": "x"}), "ended_on"),
        (json!({"ended_on": "2001-01-01", "reason": "x"}), "ended_on"),
        (json!({"ended_on": today(), "reason": " "}), "reason"),
    ] {
        let (s, e) = app.post(&city, &end, body).await;
        refused_on(s, &e, 422, field);
    }
    // Not before the latest activity.
    let before_last = (chrono::NaiveDate::parse_from_str(&last, "%Y-%m-%d").unwrap()
        - chrono::Duration::days(1))
    .to_string();
    let (s, e) = app
        .post(&city, &end, json!({"ended_on": before_last, "reason": "x"}))
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["error"]["message"]
        .as_str()
        .unwrap()
        .contains("最近一次共建活动"));
    let ended_on = "2025-01-15";
    let p3 = app
        .post_ok(
            &city,
            &end,
            json!({"ended_on": ended_on, "reason": "完成共建目标", "version": v + 1}),
        )
        .await;
    assert_eq!(p3["active"], false);
    assert_eq!(p3["ended_on"], ended_on);
    // After the end: no activity dated later; earlier ones can still be recorded.
    app.post(
        &city,
        &format!("{path}/activities"),
        json!({"held_on": "2025-02-01", "title": "回访", "participants": 5}),
    )
    .await
    .refused_on(422, "held_on");
    app.post_ok(
        &city,
        &format!("{path}/activities"),
        json!({"held_on": "2025-01-10", "title": "总结会", "participants": 12}),
    )
    .await;
    app.put(&city, &path, json!({"goals": "x"}))
        .await
        .refused(409, "pair_ended");
    app.post(&city, &end, json!({"ended_on": ended_on, "reason": "x"}))
        .await
        .answers(409);
    // The graph marks it; the lists filter it.
    let (_, g) = app
        .get(&city, "/api/v1/pairs/graph?kind=state_private")
        .await;
    let link = g[0]["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["pair_id"] == id)
        .unwrap()
        .clone();
    assert_eq!(link["ended"], true);
    let (_, g) = app
        .get(
            &city,
            "/api/v1/pairs/graph?kind=state_private&status=active",
        )
        .await;
    assert!(!g[0]["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["pair_id"] == id));
    let (_, ended) = app.get(&city, "/api/v1/pairs?status=ended").await;
    assert_eq!(ended["total"], 2);
    let entries = app.audit_of("pair", id).await;
    assert!(entries.iter().any(|e| e["action"] == "pair_end"));
}
