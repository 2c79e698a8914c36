//! Correcting and ending contact points, visits, pairs and activities: an official
//! reassigned, a point ended (结束联系) that keeps its history, is listed as ended and
//! takes no later visits; a visit corrected by its author or region staff above (the
//! indicators follow the date); a pair edited and ended (结束结对), shown apart in the
//! graph; activities corrected and deleted. Every refusal names its field or answers
//! 403/404/409 and changes nothing; every change is in the audit log with before and
//! after; the console forms keep what was typed.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn today() -> String {
    gongjiang_storage::contacts::today().to_string()
}

/// An enterprise of 天宁区 without any contact point.
async fn free_enterprise(app: &TestApp, tok: &str) -> i64 {
    let (_, pts) = app.get(tok, "/api/v1/contacts?region=320402").await;
    let taken: Vec<i64> = pts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["org_id"].as_i64().unwrap())
        .collect();
    let (_, orgs) = app
        .get(
            tok,
            "/api/v1/orgs?kind=enterprise&region=320402&per_page=100",
        )
        .await;
    orgs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .find(|id| !taken.contains(id))
        .expect("an enterprise without a contact point")
}

fn indicator(v: &Value, code: &str) -> Value {
    v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("no indicator {code}: {v}"))["value"]
        .clone()
}

async fn audit(app: &TestApp, kind: &str, id: i64) -> Vec<Value> {
    let city = app.token("city").await;
    let (s, a) = app
        .get(
            &city,
            &format!("/api/v1/audit?entity_kind={kind}&entity_id={id}&per_page=100"),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    a["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_contact_point_is_reassigned_and_ended() {
    let app = spawn_demo().await;
    let tianning = app.token("tianning").await;
    let wujin = app.token("wujin").await;
    let renshe = app.token("renshe").await;
    let unit = app.token("unit").await;
    // The demo has one ended point (in 武进区), listed as ended.
    let (_, wj) = app.get(&wujin, "/api/v1/contacts").await;
    assert!(
        wj.as_array()
            .unwrap()
            .iter()
            .any(|c| c["ended"] == true && c["active"] == false && c["end_reason"].is_string()),
        "{wj}"
    );
    let org = free_enterprise(&app, &tianning).await;
    let (s, c) = app
        .send(
            Method::POST,
            &tianning,
            "/api/v1/contacts",
            json!({"org": org.to_string(), "official": "city", "start_on": "2024-01-01"}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let id = c["id"].as_i64().unwrap();
    let path = format!("/api/v1/contacts/{id}");
    let (s, d) = app.get(&tianning, &path).await;
    assert_eq!(s, 200);
    assert_eq!(d["may_edit"], true);
    let v = d["contact"]["version"].as_i64().unwrap();

    for (body, field, words) in [
        (json!({"official": "nobody"}), "official", "不存在"),
        (json!({"official": "expert"}), "official", "联系干部"),
        (json!({"end_on": "2023-12-01"}), "end_on", "结束日期"),
        (json!({"start_on": "2024-02-30"}), "start_on", "开始日期"),
    ] {
        let (s, e) = app.send(Method::PUT, &tianning, &path, body).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["error"]["field"], field, "{e}");
        assert!(
            e["error"]["message"].as_str().unwrap().contains(words),
            "{e}"
        );
    }
    let (s, e) = app
        .send(
            Method::PUT,
            &tianning,
            &path,
            json!({"version": v + 1, "note": "x"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("stale_version"))
    );
    let (_, same) = app.get(&tianning, &path).await;
    assert_eq!(same["contact"]["official_username"], "city");
    assert_eq!(same["contact"]["version"], v);
    // Others: another district does not see it; member units and units may not edit.
    let (s, _) = app.get(&wujin, &path).await;
    assert_eq!(s, 404);
    let (s, _) = app
        .send(Method::PUT, &wujin, &path, json!({"note": "x"}))
        .await;
    assert_eq!(s, 404);
    for tok in [&renshe, &unit] {
        let (s, _) = app
            .send(Method::PUT, tok, &path, json!({"note": "x"}))
            .await;
        assert_eq!(s, 403);
    }

    // Reassigned to 人社局's official.
    let (s, c) = app
        .send(
            Method::PUT,
            &tianning,
            &path,
            json!({"version": v, "official": "renshe", "note": "改派市人社局联系"}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["official_username"], "renshe");
    assert_eq!(c["version"], v + 1);
    assert_eq!(c["start_on"], "2024-01-01", "left out = unchanged");
    let visit = |date: &str| json!({"org": org.to_string(), "visited_on": date, "form": "on_site", "summary": "走访车间", "official": "renshe"});
    let (s, _) = app
        .send(
            Method::POST,
            &tianning,
            "/api/v1/visits",
            visit("2024-03-01"),
        )
        .await;
    assert_eq!(s, 200);

    // Ending: a date not after today, not before the start or the latest visit.
    let end = format!("{path}/end");
    for (body, field, words) in [
        (
            json!({"end_on": in_days(3), "reason": "x"}),
            "end_on",
            "不能晚于今天",
        ),
        (json!({"end_on": "2024-02-01"}), "end_on", "最近一次走访"),
        (json!({"end_on": "2023-06-01"}), "end_on", "开始日期"),
        (json!({"end_on": ""}), "end_on", "结束日期"),
    ] {
        let (s, e) = app.send(Method::POST, &tianning, &end, body).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["error"]["field"], field, "{e}");
        assert!(
            e["error"]["message"].as_str().unwrap().contains(words),
            "{e}"
        );
    }
    let (s, e) = app
        .send(
            Method::POST,
            &tianning,
            &end,
            json!({"end_on": "2024-06-30", "version": v}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("stale_version"))
    );
    let (s, c) = app
        .send(
            Method::POST,
            &tianning,
            &end,
            json!({"end_on": "2024-06-30", "reason": "企业迁出本区", "version": v + 1}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["ended"], true);
    assert_eq!(c["active"], false);
    assert_eq!(c["end_on"], "2024-06-30");
    assert_eq!(c["end_reason"], "企业迁出本区");

    // No visits after the end; the history before it can still be completed.
    let (s, e) = app
        .send(
            Method::POST,
            &tianning,
            "/api/v1/visits",
            visit("2024-07-01"),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["field"], "visited_on");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains("2024-06-30") && msg.contains("结束"), "{msg}");
    let (s, _) = app
        .send(
            Method::POST,
            &tianning,
            "/api/v1/visits",
            visit("2024-05-01"),
        )
        .await;
    assert_eq!(s, 200);
    // The official is no longer assigned: they cannot log visits there themselves.
    let (s, e) = app
        .send(
            Method::POST,
            &renshe,
            "/api/v1/visits",
            json!({"org": org.to_string(), "visited_on": "2024-06-01", "form": "phone", "summary": "x"}),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("org")));
    // An ended point is history: no edit, no second end.
    let (s, e) = app
        .send(Method::PUT, &tianning, &path, json!({"note": "x"}))
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("contact_ended"))
    );
    let (s, _) = app
        .send(
            Method::POST,
            &tianning,
            &end,
            json!({"end_on": "2024-07-01"}),
        )
        .await;
    assert_eq!(s, 409);
    let (_, list) = app
        .get(&tianning, &format!("/api/v1/contacts?org_id={org}"))
        .await;
    let row = &list.as_array().unwrap()[0];
    assert_eq!(row["ended"], true);
    assert_eq!(row["visits"], 2, "its visits stay");
    let (_, d) = app.get(&tianning, &path).await;
    assert_eq!(d["may_edit"], false);
    // Audit: the reassignment and the end, with before and after.
    let entries = audit(&app, "contact_point", id).await;
    let upd = entries.iter().find(|e| e["action"] == "update").unwrap();
    assert!(upd["before_json"].as_str().unwrap().contains("\"city\""));
    assert!(upd["after_json"].as_str().unwrap().contains("\"renshe\""));
    let ended = entries
        .iter()
        .find(|e| e["action"] == "contact_end")
        .unwrap();
    assert!(ended["after_json"].as_str().unwrap().contains("2024-06-30"));
}

#[tokio::test]
async fn a_visit_is_corrected_by_its_author_or_staff_above() {
    let app = spawn_demo().await;
    let tianning = app.token("tianning").await;
    let city = app.token("city").await;
    let wujin = app.token("wujin").await;
    let renshe = app.token("renshe").await;
    let org = free_enterprise(&app, &tianning).await;
    let ind = |period: &'static str| {
        let app = &app;
        let tianning = &tianning;
        async move {
            let (_, v) = app
                .get(
                    tianning,
                    &format!("/api/v1/indicators?org={org}&period={period}"),
                )
                .await;
            indicator(&v, "visits")
        }
    };
    let (_, before_2021) = app
        .get(&tianning, "/api/v1/indicators?org=320402&period=2021")
        .await;
    let before_2021 = indicator(&before_2021, "visits").as_f64().unwrap();
    let (s, v) = app
        .send(
            Method::POST,
            &tianning,
            "/api/v1/visits",
            json!({"org": org.to_string(), "visited_on": "2022-03-01", "form": "on_site", "summary": "座谈"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let id = v["id"].as_i64().unwrap();
    assert_eq!(ind("2022").await, json!(1.0));
    let path = format!("/api/v1/visits/{id}");
    let (s, d) = app.get(&tianning, &path).await;
    assert_eq!(s, 200);
    assert_eq!(d["may_edit"], true);
    let ver = d["visit"]["version"].as_i64().unwrap();
    for (body, field) in [
        (json!({"visited_on": "2099-01-01"}), "visited_on"),
        (json!({"visited_on": "2022-13-01"}), "visited_on"),
        (json!({"form": "by pigeon"}), "form"),
        (json!({"summary": " "}), "summary"),
    ] {
        let (s, e) = app.send(Method::PUT, &tianning, &path, body).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["error"]["field"], field, "{e}");
    }
    let (s, e) = app
        .send(
            Method::PUT,
            &tianning,
            &path,
            json!({"version": ver + 1, "summary": "x"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("stale_version"))
    );
    assert_eq!(ind("2022").await, json!(1.0), "nothing changed");
    // Not the author and not over the enterprise: 403; outside the area: 404.
    let (s, e) = app
        .send(Method::PUT, &renshe, &path, json!({"summary": "x"}))
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (403, Some("visit_not_yours"))
    );
    let (s, _) = app
        .send(Method::PUT, &wujin, &path, json!({"summary": "x"}))
        .await;
    assert_eq!(s, 404);
    // The author moves it to another year: the indicators follow in the same transaction.
    let (s, v2) = app
        .send(
            Method::PUT,
            &tianning,
            &path,
            json!({"version": ver, "visited_on": "2021-05-01", "form": "电话沟通", "summary": "电话回访"}),
        )
        .await;
    assert_eq!(s, 200, "{v2}");
    assert_eq!(v2["form"], "phone");
    assert_eq!(v2["version"], ver + 1);
    assert_eq!(ind("2022").await, json!(0.0));
    assert_eq!(ind("2021").await, json!(1.0));
    let (_, after_2021) = app
        .get(&tianning, "/api/v1/indicators?org=320402&period=2021")
        .await;
    assert_eq!(
        indicator(&after_2021, "visits").as_f64().unwrap(),
        before_2021 + 1.0
    );
    aggregates_agree(&app, "contact:").await;
    // Region staff above (the city) may correct it too.
    let (s, _) = app
        .send(
            Method::PUT,
            &city,
            &path,
            json!({"summary": "市产改办补充"}),
        )
        .await;
    assert_eq!(s, 200);
    let entries = audit(&app, "visit", id).await;
    let upd: Vec<&Value> = entries.iter().filter(|e| e["action"] == "update").collect();
    assert_eq!(upd.len(), 2);
    assert!(upd.iter().any(
        |e| e["before_json"].as_str().unwrap().contains("2022-03-01")
            && e["after_json"].as_str().unwrap().contains("2021-05-01")
    ));

    // A member unit's official corrects the visit they logged themselves.
    let (_, pts) = app.get(&renshe, "/api/v1/contacts?region=320402").await;
    let mine = pts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["official_username"] == "renshe" && c["active"] == true)
        .expect("人社局 has a contact point in the demo")["org_id"]
        .as_i64()
        .unwrap();
    let (s, v) = app
        .send(
            Method::POST,
            &renshe,
            "/api/v1/visits",
            json!({"org": mine.to_string(), "visited_on": today(), "form": "online", "summary": "线上沟通"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = app
        .send(
            Method::PUT,
            &renshe,
            &format!("/api/v1/visits/{}", v["id"]),
            json!({"summary": "线上沟通,企业反映培训需求"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["summary"], "线上沟通,企业反映培训需求");
}

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
        let (s, e) = app.send(Method::PUT, &city, &path, body).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["error"]["field"], field, "{e}");
    }
    let (s, e) = app
        .send(
            Method::PUT,
            &city,
            &path,
            json!({"version": v + 1, "goals": "x"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("stale_version"))
    );
    let (s, e) = app
        .send(
            Method::PUT,
            &city,
            &format!("/api/v1/pairs/{}", q["id"]),
            json!({"org_a": p["org_a"].to_string(), "org_b": p["org_b"].to_string()}),
        )
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("pair_exists")));
    let (s, p2) = app
        .send(
            Method::PUT,
            &city,
            &path,
            json!({"version": v, "goals": "共建技能大师工作室 2 个"}),
        )
        .await;
    assert_eq!(s, 200, "{p2}");
    assert_eq!(p2["goals"], "共建技能大师工作室 2 个");
    assert_eq!(p2["version"], v + 1);
    assert_eq!(p2["org_a"], p["org_a"], "left out = unchanged");
    let entries = audit(&app, "pair", id).await;
    assert!(entries
        .iter()
        .any(|e| e["action"] == "update"
            && e["after_json"].as_str().unwrap().contains("技能大师工作室")));
    // Roles and scope.
    let (s, _) = app
        .send(Method::PUT, &unit, &path, json!({"goals": "x"}))
        .await;
    assert_eq!(s, 403);
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
    let (s, _) = app
        .send(
            Method::PUT,
            &wujin,
            &format!("/api/v1/pairs/{hidden_pair}"),
            json!({"goals": "x"}),
        )
        .await;
    assert_eq!(s, 404);
    // A pair 武进区 sees with one side elsewhere: not theirs to change.
    for x in wl["items"].as_array().unwrap() {
        let (sa, _) = app
            .get(&wujin, &format!("/api/v1/orgs/{}", x["org_a"]))
            .await;
        let (sb, _) = app
            .get(&wujin, &format!("/api/v1/orgs/{}", x["org_b"]))
            .await;
        if sa == 404 || sb == 404 {
            let (s, e) = app
                .send(
                    Method::PUT,
                    &wujin,
                    &format!("/api/v1/pairs/{}", x["id"]),
                    json!({"goals": "x"}),
                )
                .await;
            assert_eq!(
                (s, e["error"]["code"].as_str()),
                (403, Some("pair_not_yours"))
            );
            break;
        }
    }

    // Activities: corrected, then deleted.
    let (s, a) = app
        .send(
            Method::POST,
            &city,
            &format!("{path}/activities"),
            json!({"held_on": "2024-06-01", "title": "联合培训", "participants": 30}),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    let aid = a["id"].as_i64().unwrap();
    let apath = format!("/api/v1/pair-activities/{aid}");
    for (body, field) in [
        (json!({"participants": 0}), "participants"),
        (json!({"held_on": in_days(2)}), "held_on"),
        (json!({"title": ""}), "title"),
    ] {
        let (s, e) = app.send(Method::PUT, &city, &apath, body).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["error"]["field"], field, "{e}");
    }
    let (s, a2) = app
        .send(
            Method::PUT,
            &city,
            &apath,
            json!({"version": 1, "title": "联合技能培训", "participants": 35}),
        )
        .await;
    assert_eq!(s, 200, "{a2}");
    assert_eq!(a2["version"], 2);
    assert_eq!(a2["held_on"], "2024-06-01");
    let (s, _) = app
        .send(
            Method::DELETE,
            &city,
            &format!("{apath}?version=1"),
            json!({}),
        )
        .await;
    assert_eq!(s, 409);
    let (s, _) = app
        .send(
            Method::DELETE,
            &unit,
            &format!("{apath}?version=2"),
            json!({}),
        )
        .await;
    assert!(s == 403 || s == 404, "{s}");
    let (s, _) = app
        .send(
            Method::DELETE,
            &city,
            &format!("{apath}?version=2"),
            json!({}),
        )
        .await;
    assert_eq!(s, 204);
    let (_, d) = app.get(&city, &path).await;
    assert!(!d["activities"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == aid));
    let (s, _) = app.send(Method::PUT, &city, &apath, json!({})).await;
    assert_eq!(s, 404);
    let entries = audit(&app, "pair_activity", aid).await;
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
        let (s, e) = app.send(Method::POST, &city, &end, body).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["error"]["field"], field, "{e}");
    }
    // Not before the latest activity.
    let before_last = (chrono::NaiveDate::parse_from_str(&last, "%Y-%m-%d").unwrap()
        - chrono::Duration::days(1))
    .to_string();
    let (s, e) = app
        .send(
            Method::POST,
            &city,
            &end,
            json!({"ended_on": before_last, "reason": "x"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["error"]["message"]
        .as_str()
        .unwrap()
        .contains("最近一次共建活动"));
    let ended_on = "2025-01-15";
    let (s, p3) = app
        .send(
            Method::POST,
            &city,
            &end,
            json!({"ended_on": ended_on, "reason": "完成共建目标", "version": v + 1}),
        )
        .await;
    assert_eq!(s, 200, "{p3}");
    assert_eq!(p3["active"], false);
    assert_eq!(p3["ended_on"], ended_on);
    // After the end: no activity dated later; earlier ones can still be recorded.
    let (s, e) = app
        .send(
            Method::POST,
            &city,
            &format!("{path}/activities"),
            json!({"held_on": "2025-02-01", "title": "回访", "participants": 5}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("held_on")),
        "{e}"
    );
    let (s, _) = app
        .send(
            Method::POST,
            &city,
            &format!("{path}/activities"),
            json!({"held_on": "2025-01-10", "title": "总结会", "participants": 12}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, e) = app
        .send(Method::PUT, &city, &path, json!({"goals": "x"}))
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("pair_ended")));
    let (s, _) = app
        .send(
            Method::POST,
            &city,
            &end,
            json!({"ended_on": ended_on, "reason": "x"}),
        )
        .await;
    assert_eq!(s, 409);
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
    let entries = audit(&app, "pair", id).await;
    assert!(entries.iter().any(|e| e["action"] == "pair_end"));
}

#[tokio::test]
async fn console_forms_edit_and_end() {
    let app = spawn_demo().await;
    let tianning = app.token("tianning").await;
    let city = app.token("city").await;
    let org = free_enterprise(&app, &tianning).await;
    let (_, c) = app
        .send(
            Method::POST,
            &tianning,
            "/api/v1/contacts",
            json!({"org": org.to_string(), "official": "city", "start_on": "2024-01-01", "note": "原备注"}),
        )
        .await;
    let cid = c["id"].as_i64().unwrap();
    let b = app.browser("tianning").await;
    let (s, html) = b.get("/contacts").await;
    assert_eq!(s, 200);
    assert!(html.contains(&format!("/contacts/points/{cid}/edit")));
    assert!(html.contains(&format!("/contacts/points/{cid}/end")));
    let (s, html) = b.get(&format!("/contacts/points/{cid}/edit")).await;
    assert_eq!(s, 200);
    assert!(html.contains("原备注"));
    let version = hidden(&html, "_version");
    let (s, html, _) = b
        .post(
            &format!("/contacts/points/{cid}/edit"),
            &[
                ("_version", &version),
                ("official", "nobody"),
                ("start_on", "2024-01-01"),
                ("note", "新备注"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("账号“nobody”不存在"));
    assert!(html.contains("新备注"), "keeps what was typed");
    let (s, _, loc) = b
        .post(
            &format!("/contacts/points/{cid}/edit"),
            &[
                ("_version", &version),
                ("official", "renshe"),
                ("start_on", "2024-01-01"),
                ("note", "新备注"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    assert_eq!(loc.as_deref(), Some("/contacts#points"));
    let (s, html) = b.get(&format!("/contacts/points/{cid}/end")).await;
    assert_eq!(s, 200);
    let version = hidden(&html, "_version");
    let future = in_days(5);
    let (s, html, _) = b
        .post(
            &format!("/contacts/points/{cid}/end"),
            &[
                ("_version", &version),
                ("end_on", &future),
                ("reason", "企业迁出"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("不能晚于今天"));
    assert!(html.contains("企业迁出"));
    let (s, _, _) = b
        .post(
            &format!("/contacts/points/{cid}/end"),
            &[
                ("_version", &version),
                ("end_on", "2024-09-30"),
                ("reason", "企业迁出"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = b.get("/contacts").await;
    assert!(html.contains("已结束联系"));
    assert!(!html.contains(&format!("/contacts/points/{cid}/edit")));
    // Out of the area: not found.
    let wj = app.browser("wujin").await;
    let (s, _) = wj.get(&format!("/contacts/points/{cid}/edit")).await;
    assert_eq!(s, 404);

    // A visit: edit form, errors next to the field.
    let (_, v) = app
        .send(
            Method::POST,
            &tianning,
            "/api/v1/visits",
            json!({"org": org.to_string(), "visited_on": "2024-03-01", "form": "phone", "summary": "电话了解情况"}),
        )
        .await;
    let vid = v["id"].as_i64().unwrap();
    let (s, html) = b.get(&format!("/contacts/visits/{vid}/edit")).await;
    assert_eq!(s, 200);
    assert!(html.contains("电话了解情况"));
    let version = hidden(&html, "_version");
    let (s, html, _) = b
        .post(
            &format!("/contacts/visits/{vid}/edit"),
            &[
                ("_version", &version),
                ("visited_on", "2024-02-30"),
                ("form", "on_site"),
                ("summary", "改成现场走访"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("不是有效日期"));
    assert!(html.contains("改成现场走访"));
    let (s, _, _) = b
        .post(
            &format!("/contacts/visits/{vid}/edit"),
            &[
                ("_version", &version),
                ("visited_on", "2024-03-02"),
                ("form", "on_site"),
                ("summary", "改成现场走访"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, v) = app.get(&tianning, &format!("/api/v1/visits/{vid}")).await;
    assert_eq!(v["visit"]["visited_on"], "2024-03-02");

    // Pairs: the toggle, the edit and end forms, an activity corrected and deleted.
    let cb = app.browser("city").await;
    let (s, html) = cb.get("/pairs?kind=state_private").await;
    assert_eq!(s, 200);
    assert!(html.contains("显示已结束的结对"));
    let plain = html.replace("&#34;", "\"").replace("&quot;", "\"");
    assert!(
        !plain.contains("\"ended\":true"),
        "ended pairs hidden by default"
    );
    let (_, html) = cb.get("/pairs?kind=state_private&ended=1").await;
    let plain = html.replace("&#34;", "\"").replace("&quot;", "\"");
    assert!(
        plain.contains("\"ended\":true"),
        "shown, marked, with the toggle"
    );
    assert!(html.contains("已结束"));
    let (_, sp) = app
        .get(&city, "/api/v1/pairs?kind=state_private&status=active")
        .await;
    let pid = sp["items"][0]["id"].as_i64().unwrap();
    let (s, html) = cb.get(&format!("/pairs/{pid}")).await;
    assert_eq!(s, 200);
    assert!(html.contains(&format!("/pairs/{pid}/edit")));
    assert!(html.contains(&format!("/pairs/{pid}/end")));
    let (s, html) = cb.get(&format!("/pairs/{pid}/edit")).await;
    assert_eq!(s, 200);
    let version = hidden(&html, "_version");
    let org_a = sp["items"][0]["org_a"].to_string();
    let org_b = sp["items"][0]["org_b"].to_string();
    let (s, html, _) = cb
        .post(
            &format!("/pairs/{pid}/edit"),
            &[
                ("_version", &version),
                ("kind", "state_private"),
                ("org_a", &org_a),
                ("org_b", &org_b),
                ("start_year", "二〇二三"),
                ("goals", "页面修改的目标"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("起始年份"));
    assert!(html.contains("页面修改的目标"));
    let (s, _, loc) = cb
        .post(
            &format!("/pairs/{pid}/edit"),
            &[
                ("_version", &version),
                ("kind", "state_private"),
                ("org_a", &org_a),
                ("org_b", &org_b),
                ("start_year", "2023"),
                ("goals", "页面修改的目标"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    assert_eq!(loc.as_deref(), Some(format!("/pairs/{pid}").as_str()));
    let (_, d) = app.get(&city, &format!("/api/v1/pairs/{pid}")).await;
    assert_eq!(d["pair"]["goals"], "页面修改的目标");
    let aid = d["activities"][0]["id"].as_i64().unwrap();
    let (s, html) = cb.get(&format!("/pairs/{pid}/activities/{aid}/edit")).await;
    assert_eq!(s, 200);
    let version = hidden(&html, "_version");
    let held = d["activities"][0]["held_on"].as_str().unwrap().to_string();
    let (s, html, _) = cb
        .post(
            &format!("/pairs/{pid}/activities/{aid}/edit"),
            &[
                ("_version", &version),
                ("held_on", &held),
                ("title", "页面改名的活动"),
                ("participants", "很多"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("参与人数须为整数"));
    assert!(html.contains("页面改名的活动"));
    let (s, _, _) = cb
        .post(
            &format!("/pairs/{pid}/activities/{aid}/edit"),
            &[
                ("_version", &version),
                ("held_on", &held),
                ("title", "页面改名的活动"),
                ("participants", "20"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = cb.get(&format!("/pairs/{pid}")).await;
    assert!(html.contains("页面改名的活动"));
    let version = (version.parse::<i64>().unwrap() + 1).to_string();
    let (s, _, _) = cb
        .post(
            &format!("/pairs/{pid}/activities/{aid}/delete"),
            &[("_version", &version)],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = cb.get(&format!("/pairs/{pid}")).await;
    assert!(!html.contains("页面改名的活动"));
    // An activity of another pair under this pair's address: not found.
    let other = sp["items"][1]["id"].as_i64().unwrap();
    let (_, od) = app.get(&city, &format!("/api/v1/pairs/{other}")).await;
    let oaid = od["activities"][0]["id"].as_i64().unwrap();
    let (s, _) = cb
        .get(&format!("/pairs/{pid}/activities/{oaid}/edit"))
        .await;
    assert_eq!(s, 404);
    // End it.
    let (s, html) = cb.get(&format!("/pairs/{pid}/end")).await;
    assert_eq!(s, 200);
    let version = hidden(&html, "_version");
    let t = today();
    let (s, html, _) = cb
        .post(
            &format!("/pairs/{pid}/end"),
            &[("_version", &version), ("ended_on", &t), ("reason", "")],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("结束原因"));
    let (s, _, _) = cb
        .post(
            &format!("/pairs/{pid}/end"),
            &[
                ("_version", &version),
                ("ended_on", &t),
                ("reason", "目标完成"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = cb.get(&format!("/pairs/{pid}")).await;
    assert!(html.contains("已结束"));
    assert!(html.contains("目标完成"));
    assert!(!html.contains(&format!("/pairs/{pid}/edit")));
}
