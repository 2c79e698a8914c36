//! The yearly assessment end to end: a scheme whose weights do not add up is refused
//! naming the node; publishing freezes a version; a round references a frozen version;
//! self-reports lock on submit; experts related to a target are refused (and the recusal
//! recorded); scores out of range are refused naming the leaf; trimmed mean with five
//! experts, mean with three, an outlier flagged, a tie in the ranking; results are
//! published in versions, readable by targets without the experts' identities, and
//! feed the indicator engine; the console pages render.

use crate::helpers::*;
use gongjiang_domain::Role;
use gongjiang_storage::Actor;
use serde_json::{json, Value};

fn tree() -> Value {
    json!([
        {"name": "组织领导", "points": 40, "rule": {"kind": "checklist"}},
        {"name": "特色亮点", "points": 60, "rule": {"kind": "expert", "max": 10, "criteria": "创新性与成效"}}
    ])
}

async fn scheme(app: &TestApp, city: &str, publish: bool) -> i64 {
    let v = app
        .post_ok(
            city,
            "/api/v1/assessment/schemes",
            json!({"name": "测试方案", "tree": tree()}),
        )
        .await;
    let id = v["id"].as_i64().unwrap();
    if publish {
        let v = app
            .post_ok(
                city,
                &format!("/api/v1/assessment/versions/{id}/publish"),
                json!({}),
            )
            .await;
        assert_eq!(v["status"], "published");
    }
    id
}

async fn score(app: &TestApp, tok: &str, round: i64, target: &str, s: f64) -> (u16, Value) {
    app.put(
        tok,
        &format!("/api/v1/assessment/rounds/{round}/scores"),
        json!({"target": target, "leaf": "2", "score": s}),
    )
    .await
}

#[tokio::test]
async fn weights_that_do_not_add_up_are_refused_naming_the_node() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let bad = json!([
        {"name": "组织领导", "points": 40, "children": [
            {"name": "领导小组", "points": 20, "rule": {"kind": "checklist"}},
            {"name": "联席会议", "points": 15, "rule": {"kind": "ratio", "target": 4}}
        ]},
        {"name": "特色亮点", "points": 60, "rule": {"kind": "expert", "max": 10, "criteria": "x"}}
    ]);
    let (s, e) = app
        .post(
            &city,
            "/api/v1/assessment/schemes",
            json!({"name": "坏方案", "tree": bad}),
        )
        .await;
    refused_on(s, &e, 422, "tree.1.points");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains("组织领导") && msg.contains("35"), "{msg}");
    // The top level must add up to 100.
    let (s, e) = app
        .post(
            &city,
            "/api/v1/assessment/schemes",
            json!({"name": "坏方案", "tree": [{"name": "a", "points": 90, "rule": {"kind": "checklist"}}]}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e.to_string().contains("100"), "{e}");
    // Nothing was created; a district may not create schemes at all.
    let (_, list) = app.get(&city, "/api/v1/assessment/schemes").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "only the demo's scheme");
    let tn = app.token("tianning").await;
    app.post(
        &tn,
        "/api/v1/assessment/schemes",
        json!({"name": "x", "tree": tree()}),
    )
    .await
    .answers(403);
    // The console editor shows the message next to the row and keeps what was typed.
    let b = app.browser("city").await;
    let html = b
        .refused(
            "/assessment/schemes/new",
            &[
                ("name", "表单方案"),
                ("rows", "3"),
                ("level_0", "1"),
                ("name_0", "队伍建设"),
                ("points_0", "100"),
                ("rule_0", ""),
                ("level_1", "2"),
                ("name_1", "培训"),
                ("points_1", "50"),
                ("rule_1", "checklist"),
                ("level_2", "2"),
                ("name_2", "高技能"),
                ("points_2", "40"),
                ("rule_2", "indicator"),
                ("indicator_2", "high_skilled_per_10k"),
                ("param_2", "1500"),
                ("_op", "save"),
            ],
        )
        .await;
    assert!(html.contains("队伍建设") && html.contains("90"), "{html}");
    assert!(html.contains("value=\"高技能\""));
}

#[tokio::test]
async fn publishing_freezes_and_rounds_need_a_frozen_version() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let draft = scheme(&app, &city, false).await;
    app.post(
        &city,
        "/api/v1/assessment/rounds",
        json!({"year": this_year(), "title": "x", "version_id": draft, "target_kind": "district"}),
    )
    .await
    .refused_on(422, "version_id");
    app.post_ok(
        &city,
        &format!("/api/v1/assessment/versions/{draft}/publish"),
        json!({}),
    )
    .await;
    app.put(
        &city,
        &format!("/api/v1/assessment/versions/{draft}"),
        json!({"tree": tree()}),
    )
    .await
    .refused(409, "version_frozen");
    // A new draft copies the tree and is version 2.
    let v2 = app
        .post_ok(
            &city,
            &format!("/api/v1/assessment/versions/{draft}/draft"),
            json!({}),
        )
        .await;
    assert_eq!(v2["version_no"], 2);
    assert_eq!(v2["status"], "draft");
    assert_eq!(v2["tree"][1]["name"], "特色亮点");
}

#[tokio::test]
async fn a_round_from_self_report_to_published_results() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let vid = scheme(&app, &city, true).await;
    // An expert attached to 天宁区.
    app.svc
        .create_user(
            &Actor::system("test"),
            "expert_tn",
            "天宁专家",
            Role::Expert,
            "320402",
            "gongjiang-demo",
            false,
        )
        .await
        .unwrap();
    let r = app.post_ok(
            &city,
            "/api/v1/assessment/rounds",
            json!({"year": this_year(), "title": format!("{}年度考核", this_year()), "version_id": vid, "target_kind": "district",
                   "targets": ["320402", "320412", "320404"]}),
        ).await;
    let id = r["id"].as_i64().unwrap();
    // The same year and kind twice: conflict.
    app
        .post(
            &city,
            "/api/v1/assessment/rounds",
            json!({"year": this_year(), "title": "again", "version_id": vid, "target_kind": "district"}),
        )
        .await.answers(409);
    for name in [
        "expert",
        "expert2",
        "expert3",
        "expert4",
        "expert5",
        "expert_tn",
    ] {
        let (s, d) = app
            .post(
                &city,
                &format!("/api/v1/assessment/rounds/{id}/experts"),
                json!({"expert": name}),
            )
            .await;
        assert_eq!(s, 200, "{name}: {d}");
    }
    // Only users with role expert can be assigned.
    app.post(
        &city,
        &format!("/api/v1/assessment/rounds/{id}/experts"),
        json!({"expert": "tianning"}),
    )
    .await
    .refused_on(422, "expert");

    // Self-reports: 天宁 and 武进 report yes and submit; submitted reports are locked.
    let tn = app.token("tianning").await;
    let wj = app.token("wujin").await;
    for (tok, code) in [(&tn, "320402"), (&wj, "320412")] {
        let v = app.put_ok(
                tok,
                &format!("/api/v1/assessment/rounds/{id}/self/{code}"),
                json!({"entries": [{"leaf": "1", "value": 1, "evidence": "领导小组文件"}, {"leaf": "2", "evidence": "特色材料"}], "submit": true}),
            ).await;
        assert_eq!(v["target"]["self_status"], "submitted");
    }
    let (s, e) = app
        .put(
            &tn,
            &format!("/api/v1/assessment/rounds/{id}/self/320402"),
            json!({"entries": [{"leaf": "1", "value": 0}]}),
        )
        .await;
    refused(s, &e, 409, "self_report_locked");
    // The city checks each self-report on the workflow engine: 天宁's comes back with
    // a reason, is corrected and resubmitted, and is accepted; 武进's is accepted.
    let (_, v) = app
        .get(&tn, &format!("/api/v1/assessment/rounds/{id}/self/320402"))
        .await;
    let case = v["case_id"].as_i64().unwrap();
    let (_, inbox) = app.get(&city, "/api/v1/inbox").await;
    assert!(inbox.as_array().unwrap().iter().any(|c| c["id"] == case));
    let (s, e) = app
        .post(
            &tn,
            &format!("/api/v1/cases/{case}/actions"),
            json!({"action": "accept"}),
        )
        .await;
    assert_eq!(s, 403, "a target does not check its own report: {e}");
    let (s, c) = app
        .post(
            &city,
            &format!("/api/v1/cases/{case}/actions"),
            json!({"action": "return", "comment": "请补充领导小组文件的文号"}),
        )
        .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("returned")), "{c}");
    let (_, v) = app
        .get(&tn, &format!("/api/v1/assessment/rounds/{id}/self/320402"))
        .await;
    assert_eq!(v["target"]["self_status"], "draft");
    assert_eq!(v["editable"], true);
    assert!(
        v["returned_reason"].as_str().unwrap().contains("文号"),
        "{v}"
    );
    let (s, v) = app
        .put(
            &tn,
            &format!("/api/v1/assessment/rounds/{id}/self/320402"),
            json!({"entries": [{"leaf": "1", "value": 1, "evidence": "领导小组文件(常天委发〔2023〕12号)"}], "submit": true}),
        )
        .await;
    assert_eq!((s, v["case_id"].as_i64()), (200, Some(case)), "{v}");
    assert_eq!(v["target"]["self_status"], "submitted");
    let (_, v) = app
        .get(&wj, &format!("/api/v1/assessment/rounds/{id}/self/320412"))
        .await;
    let wj_case = v["case_id"].as_i64().unwrap();
    for c in [case, wj_case] {
        let (s, d) = app
            .post(
                &city,
                &format!("/api/v1/cases/{c}/actions"),
                json!({"action": "accept"}),
            )
            .await;
        assert_eq!((s, d["status"].as_str()), (200, Some("approved")), "{d}");
    }
    let (_, v) = app
        .get(&tn, &format!("/api/v1/assessment/rounds/{id}/self/320402"))
        .await;
    assert_eq!(v["target"]["self_status"], "accepted");
    assert_eq!(v["editable"], false);
    // 天宁 cannot see or fill 武进's report.
    app.get(&tn, &format!("/api/v1/assessment/rounds/{id}/self/320412"))
        .await
        .answers(404);

    let ex: Vec<String> = {
        let mut v = Vec::new();
        for n in [
            "expert",
            "expert2",
            "expert3",
            "expert4",
            "expert5",
            "expert_tn",
        ] {
            v.push(app.token(n).await);
        }
        v
    };
    // Out of range: 422 naming the leaf.
    let (s, e) = score(&app, &ex[0], id, "320404", 11.0).await;
    refused_on(s, &e, 422, "score");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("特色亮点"),
        "{e}"
    );
    let (s, _) = score(&app, &ex[0], id, "320404", -1.0).await;
    assert_eq!(s, 422);
    // The expert attached to 天宁区 is refused, and the recusal is recorded.
    let (s, e) = score(&app, &ex[5], id, "320402", 8.0).await;
    refused(s, &e, 403, "conflict_of_interest");
    // expert2 declares a relation to 武进 and is then refused there.
    app.post_ok(
        &ex[1],
        &format!("/api/v1/assessment/rounds/{id}/conflicts"),
        json!({"target": "320412", "reason": "曾任武进区某企业顾问"}),
    )
    .await;
    let (s, _) = score(&app, &ex[1], id, "320412", 8.0).await;
    assert_eq!(s, 403);
    // 钟楼: five experts, one far off → trimmed mean, outlier flagged.
    for (i, v) in [8.0, 8.0, 9.0, 7.0, 2.0].iter().enumerate() {
        let (s, e) = score(&app, &ex[i], id, "320404", *v).await;
        assert_eq!(s, 200, "{e}");
    }
    // 天宁 and 武进: three experts each, the same scores → a tie.
    for code in ["320402", "320412"] {
        for (i, v) in [(0, 6.0), (2, 7.0), (3, 8.0)] {
            let (s, e) = score(&app, &ex[i], id, code, v).await;
            assert_eq!(s, 200, "{e}");
        }
    }
    // Independent scoring: an expert's sheet holds only their own scores.
    let sheet = app
        .get_ok(&ex[1], &format!("/api/v1/assessment/rounds/{id}/scores"))
        .await;
    let t = sheet["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "320404")
        .unwrap();
    assert_eq!(t["scores"], json!({"2": 8.0}));
    let recused: Vec<&str> = sheet["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["recused"] == true)
        .map(|t| t["key"].as_str().unwrap())
        .collect();
    assert_eq!(recused, vec!["320412"]);
    // Results are not readable by a target before publication; publishing needs a closed round.
    app.get(&tn, &format!("/api/v1/assessment/rounds/{id}/results"))
        .await
        .answers(404);
    app.post(
        &city,
        &format!("/api/v1/assessment/rounds/{id}/results"),
        json!({}),
    )
    .await
    .refused(409, "round_open");
    app.post_ok(
        &city,
        &format!("/api/v1/assessment/rounds/{id}/actions"),
        json!({"action": "close"}),
    )
    .await;
    let (s, e) = score(&app, &ex[4], id, "320402", 5.0).await;
    refused(s, &e, 409, "round_closed");
    let res = app
        .post_ok(
            &city,
            &format!("/api/v1/assessment/rounds/{id}/results"),
            json!({}),
        )
        .await;
    assert_eq!(res["result_no"], 1);
    let ranking: Vec<(String, f64, i64)> = res["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["key"].as_str().unwrap().to_string(),
                t["total"].as_f64().unwrap(),
                t["rank"].as_i64().unwrap(),
            )
        })
        .collect();
    // 天宁/武进: 40 + 7/10 × 60 = 82 (tie, rank 1); 钟楼: no self-report → 0 + 7.67 × 6 = 46.
    assert_eq!(
        ranking,
        vec![
            ("320402".to_string(), 82.0, 1),
            ("320412".to_string(), 82.0, 1),
            ("320404".to_string(), 46.0, 3)
        ]
    );
    let zl = &res["targets"][2]["nodes"][1];
    assert_eq!(zl["method"], "trimmed_mean");
    assert!(
        (zl["aggregate"].as_f64().unwrap() - 7.67).abs() < 0.01,
        "{zl}"
    );
    let experts = zl["experts"].as_array().unwrap();
    assert_eq!(experts.len(), 5);
    assert_eq!(experts.iter().filter(|e| e["dropped"] == true).count(), 2);
    let outliers: Vec<f64> = experts
        .iter()
        .filter(|e| e["outlier"] == true)
        .map(|e| e["score"].as_f64().unwrap())
        .collect();
    assert_eq!(outliers, vec![2.0]);
    assert_eq!(res["targets"][2]["outliers"], 1);
    // The city sees who scored.
    assert!(experts[0]["name"].is_string(), "{zl}");
    let tn_node = &res["targets"][0]["nodes"][1];
    assert_eq!(tn_node["method"], "mean");
    assert_eq!(tn_node["aggregate"], 7.0);

    // A target reads its own breakdown without experts' identities, and only totals of the others.
    let mine = app
        .get_ok(&tn, &format!("/api/v1/assessment/rounds/{id}/results"))
        .await;
    let own = mine["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "320402")
        .unwrap();
    let e0 = &own["nodes"][1]["experts"][0];
    assert_eq!(e0["label"], "专家A");
    assert!(
        e0.get("name").is_none() && e0.get("user_id").is_none(),
        "{e0}"
    );
    assert!(!mine.to_string().contains("评审专家"), "no names: {mine}");
    for t in mine["targets"].as_array().unwrap() {
        if t["key"] != "320402" {
            assert_eq!(t["nodes"], json!([]), "{t}");
            assert!(t["total"].is_number());
        }
    }
    // The published total is an indicator of the district for the year.
    let ind = app
        .get_ok(
            &city,
            &format!("/api/v1/indicators?org=320402&period={}", this_year()),
        )
        .await;
    let v = ind["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "assessment_score")
        .unwrap();
    assert_eq!(v["value"], 82.0, "{v}");

    // Re-publishing needs a reason; the first version stays readable.
    app.post_ok(
        &city,
        &format!("/api/v1/assessment/rounds/{id}/actions"),
        json!({"action": "reopen"}),
    )
    .await;
    let (s, _) = score(&app, &ex[4], id, "320402", 10.0).await;
    assert_eq!(s, 200);
    app.post(
        &city,
        &format!("/api/v1/assessment/rounds/{id}/actions"),
        json!({"action": "close"}),
    )
    .await;
    app.post(
        &city,
        &format!("/api/v1/assessment/rounds/{id}/results"),
        json!({"reason": " "}),
    )
    .await
    .refused_on(422, "reason");
    let (s, res2) = app
        .post(
            &city,
            &format!("/api/v1/assessment/rounds/{id}/results"),
            json!({"reason": "补录专家E评分"}),
        )
        .await;
    assert_eq!(s, 200, "{res2}");
    assert_eq!(res2["result_no"], 2);
    // 天宁 now has four experts' scores (6, 7, 8, 10): mean 7.75 → 40 + 46.5 = 86.5.
    assert_eq!(res2["targets"][0]["key"], "320402");
    assert_eq!(res2["targets"][0]["total"], 86.5);
    let (_, old) = app
        .get(
            &tn,
            &format!("/api/v1/assessment/rounds/{id}/results?version=1"),
        )
        .await;
    assert_eq!(old["superseded"], true);
    assert_eq!(old["targets"][0]["total"], 82.0);
    assert_eq!(old["versions"].as_array().unwrap().len(), 2);
    let (_, ind) = app
        .get(
            &city,
            &format!("/api/v1/indicators?org=320402&period={}", this_year()),
        )
        .await;
    let v = ind["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "assessment_score")
        .unwrap()
        .clone();
    assert_eq!(v["value"], 86.5, "{v}");
    // A rebuild of the aggregates keeps the newest published total.
    {
        let mut tx = app.svc.db.begin().await.unwrap();
        gongjiang_storage::indicators::rebuild(tx.conn())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let (_, ind) = app
        .get(
            &city,
            &format!("/api/v1/indicators?org=320402&period={}", this_year()),
        )
        .await;
    assert!(ind.to_string().contains("86.5"));

    // The city's round page lists the recusals.
    let (_, d) = app
        .get(&city, &format!("/api/v1/assessment/rounds/{id}"))
        .await;
    let kinds: Vec<&str> = strs(&d["conflicts"], "kind");
    assert!(
        kinds.contains(&"attached") && kinds.contains(&"declared") && kinds.contains(&"refused"),
        "{kinds:?}"
    );

    // Console pages render for each role.
    let b = app.browser("city").await;
    for p in [
        "/assessment/schemes".to_string(),
        format!("/assessment/versions/{vid}"),
        format!("/assessment/rounds/{id}"),
        format!("/assessment/results/{id}"),
        format!("/assessment/results/{id}/320404"),
        "/assessment/results".to_string(),
        "/assessment/schemes/new".to_string(),
    ] {
        let (s, html) = b.get(&p).await;
        assert_eq!(s, 200, "{p}: {html}");
    }
    let (_, html) = b.get(&format!("/assessment/results/{id}/320404")).await;
    assert!(
        html.contains("去掉最高最低分后平均") && html.contains("（偏离）"),
        "{html}"
    );
    let b = app.browser("tianning").await;
    let html = b.get_ok("/assessment/self").await;
    assert!(html.contains(&format!("{}年度考核", this_year())));
    b.get_ok(&format!("/assessment/self/{id}/320402")).await;
    let html = b.get_ok(&format!("/assessment/results/{id}/320402")).await;
    assert!(
        html.contains("专家A") && !html.contains("评审专家"),
        "{html}"
    );
    b.get(&format!("/assessment/results/{id}/320404"))
        .await
        .answers(404);
    let b = app.browser("expert").await;
    let html = b.get_ok(&format!("/assessment/scoring/{id}")).await;
    assert!(html.contains("专家A"), "{html}");
}

#[tokio::test]
async fn the_demo_publishes_a_ranked_assessment_of_seven_districts_for_its_year() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let (_, rounds) = app.get(&city, "/api/v1/assessment/rounds").await;
    let r = rounds
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["year"] == demo_year())
        .expect("a round of the demo's year")
        .clone();
    assert_eq!(r["status"], "published");
    let id = r["id"].as_i64().unwrap();
    let (s, res) = app
        .get(&city, &format!("/api/v1/assessment/rounds/{id}/results"))
        .await;
    assert_eq!(s, 200);
    let ts = res["targets"].as_array().unwrap();
    assert_eq!(ts.len(), 7);
    let totals: Vec<f64> = ts.iter().map(|t| t["total"].as_f64().unwrap()).collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "{totals:?}");
    assert!(
        totals.iter().all(|t| *t > 30.0 && *t <= 100.0),
        "{totals:?}"
    );
    // Five experts → trimmed means; the demo's planted outlier is flagged.
    assert!(res.to_string().contains("trimmed_mean"));
    assert!(ts.iter().any(|t| t["outliers"].as_i64().unwrap() > 0));
    // The indicator leaf read the live indicator.
    let wj = ts.iter().find(|t| t["key"] == "320412").unwrap();
    let ind = wj["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["rule"] == "indicator")
        .unwrap();
    assert!(ind["value"].as_f64().unwrap() > 0.0, "{ind}");
    // A district reads its breakdown; the console results page renders a chart.
    let b = app.browser("wujin").await;
    let html = b.get_ok(&format!("/assessment/results/{id}")).await;
    assert!(html.contains("data-chart"));
    b.get_ok(&format!("/assessment/results/{id}/320412")).await;
    b.get_ok("/assessment/results").await;
}
