//! Contact points and pairing end to end: a visit and a problem resolved move the
//! indicators (visits, problems raised / resolved, resolution rate, average days);
//! scope (404 outside the area, a unit sees only its own problems); pairs of the wrong
//! kinds are refused naming the field; the pairs page carries the graph; pages render.

use crate::helpers::*;
use serde_json::{json, Value};
use sqlx::Row;

/// An enterprise of 天宁区 (320402) that the demo gave no problems or visits in 2022.
async fn tianning_enterprise(app: &TestApp, tok: &str) -> i64 {
    app.org_id(tok, "kind=enterprise&region=320402&per_page=1")
        .await
}

fn indicator(v: &Value, code: &str) -> Value {
    indicator_of(v, code)["value"].clone()
}

#[tokio::test]
async fn visit_problem_resolve_and_the_indicators() {
    let app = spawn_demo().await;
    let tok = app.token("tianning").await;
    let org = tianning_enterprise(&app, &tok).await;
    // 2022 is empty in the demo: the figures below are exactly ours.
    let path = format!("/api/v1/indicators?org={org}&period={}", demo_period(-3));
    let before = app.get_ok(&tok, &path).await;
    assert_eq!(indicator(&before, "visits"), json!(0.0));
    assert_eq!(indicator(&before, "avg_days_to_resolve"), Value::Null);

    let v = app.post_ok(
            &tok,
            "/api/v1/visits",
            json!({"org": org.to_string(), "visited_on": format!("{}-03-01", demo_period(-3)), "form": "on_site", "summary": "走访车间"}),
        ).await;
    assert_eq!(v["form_label"], "现场走访");
    let visit = v["id"].as_i64().unwrap();

    let mut ids = Vec::new();
    for (raised, cat) in [
        (&format!("{}-03-01", demo_period(-3)), "用工"),
        (&format!("{}-03-10", demo_period(-3)), "training"),
        (&format!("{}-04-01", demo_period(-3)), "pay"),
    ] {
        let p = app.post_ok(
                &tok,
                "/api/v1/problems",
                json!({"org": org.to_string(), "visit_id": visit, "source": "official", "category": cat,
                       "description": "招工难", "raised_on": raised, "responsible_unit": "区人社局"}),
            ).await;
        assert_eq!(p["status"], "open");
        ids.push(p["id"].as_i64().unwrap());
    }
    let act = |id: i64, body: Value| {
        let app = &app;
        let tok = &tok;
        async move {
            app.post(tok, &format!("/api/v1/problems/{id}/actions"), body)
                .await
        }
    };
    // Resolve needs the resolution and a date not before raising.
    let (s, e) = act(
        ids[0],
        json!({"action": "resolve", "resolved_on": format!("{}-03-11", demo_period(-3))}),
    )
    .await;
    refused_on(s, &e, 422, "resolution");
    let (s, e) = act(
        ids[0],
        json!({"action": "resolve", "resolution": "已对接", "resolved_on": format!("{}-02-01", demo_period(-3))}),
    )
    .await;
    refused_on(s, &e, 422, "resolved_on");
    // open → in_progress → resolved after 10 days; the second resolved after 20 days.
    let (s, p) = act(ids[0], json!({"action": "start"})).await;
    assert_eq!((s, p["status"].as_str()), (200, Some("in_progress")), "{p}");
    let (s, p) = act(
        ids[0],
        json!({"action": "resolve", "resolution": "已对接招聘会", "resolved_on": format!("{}-03-11", demo_period(-3))}),
    )
    .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["days_to_resolve"], 10);
    let (s, _) = act(
        ids[1],
        json!({"action": "resolve", "resolution": "已开班", "resolved_on": format!("{}-03-30", demo_period(-3))}),
    )
    .await;
    assert_eq!(s, 200);
    // Resolved is final: closing it is a conflict. The third is closed with a reason.
    let (s, e) = act(ids[0], json!({"action": "close", "reason": "x"})).await;
    assert_eq!(s, 409, "{e}");
    let (s, e) = act(ids[2], json!({"action": "close"})).await;
    refused_on(s, &e, 422, "reason");
    let (s, p) = act(
        ids[2],
        json!({"action": "close", "reason": "属企业内部事项"}),
    )
    .await;
    assert_eq!((s, p["status"].as_str()), (200, Some("closed")));

    let (_, after) = app.get(&tok, &path).await;
    assert_eq!(indicator(&after, "visits"), json!(1.0));
    assert_eq!(indicator(&after, "problems_raised"), json!(3.0));
    assert_eq!(indicator(&after, "problems_resolved"), json!(2.0));
    let rate = indicator(&after, "problem_resolution_rate")
        .as_f64()
        .unwrap();
    assert!((rate - 200.0 / 3.0).abs() < 1e-9, "{rate}");
    // (10 + 20) / 2 days.
    assert_eq!(indicator(&after, "avg_days_to_resolve"), json!(15.0));
    // The district's figures moved by the same amounts, in the same transaction.
    let (_, district) = app
        .get(
            &tok,
            &format!("/api/v1/indicators?org=320402&period={}", demo_period(-3)),
        )
        .await;
    assert_eq!(indicator(&district, "problems_resolved"), json!(2.0));
    assert_eq!(indicator(&district, "avg_days_to_resolve"), json!(15.0));
    // The maintained aggregates (demo data included) equal a full recomputation.
    let snapshot = || async {
        let rows = sqlx::query("SELECT node, measure, period, value FROM agg WHERE value <> 0 AND measure LIKE 'contact:%' ORDER BY node, measure, period")
            .fetch_all(&app.svc.db.pool)
            .await
            .unwrap();
        rows.iter()
            .map(|r| {
                (
                    r.try_get::<String, _>(0).unwrap(),
                    r.try_get::<String, _>(1).unwrap(),
                    r.try_get::<String, _>(2).unwrap(),
                    r.try_get::<i64, _>(3).unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let maintained = snapshot().await;
    assert!(maintained.len() > 100);
    let mut tx = app.svc.db.begin().await.unwrap();
    gongjiang_storage::indicators::rebuild(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(maintained, snapshot().await);
    // Every change is in the audit log.
    let (_, audit) = app
        .get(
            &app.token("city").await,
            "/api/v1/audit?entity_kind=problem",
        )
        .await;
    assert!(audit.to_string().contains("problem_resolve"), "{audit}");
}

#[tokio::test]
async fn scope_and_units() {
    let app = spawn_demo().await;
    let wujin = app.token("wujin").await;
    let tianning = app.token("tianning").await;
    let unit = app.token("unit").await;
    let org = tianning_enterprise(&app, &tianning).await;
    let p = app.post_ok(
            &tianning,
            "/api/v1/problems",
            json!({"org": org.to_string(), "source": "head", "category": "policy", "description": "补贴申领", "raised_on": "2024-05-01"}),
        ).await;
    let id = p["id"].as_i64().unwrap();
    // Another district: not found, and cannot act or record for it.
    app.get(&wujin, &format!("/api/v1/problems/{id}"))
        .await
        .answers(404);
    app.post(
        &wujin,
        &format!("/api/v1/problems/{id}/actions"),
        json!({"action": "start"}),
    )
    .await
    .answers(404);
    app
        .post(
            &wujin,
            "/api/v1/visits",
            json!({"org": org.to_string(), "visited_on": "2024-05-01", "form": "phone", "summary": "x"}),
        )
        .await.refused_on(422, "org");
    // The unit raises one for its own enterprise (never as the official) and sees only
    // its own problems; it cannot work on them.
    app
        .post(
            &unit,
            "/api/v1/problems",
            json!({"source": "official", "category": "pay", "description": "x", "raised_on": "2024-05-01"}),
        )
        .await.refused_on(422, "source");
    let mine = app.post_ok(
            &unit,
            "/api/v1/problems",
            json!({"source": "worker", "category": "薪酬", "description": "技能津贴标准未公示", "raised_on": "2024-05-02"}),
        ).await;
    let me = app.get_ok(&unit, "/api/v1/me").await;
    let my_org = me["org_id"].as_i64().unwrap();
    // A unit naming another enterprise is told so (422 on `org`), not silently given
    // its own; naming its own is fine.
    for other in [(my_org + 1).to_string(), "91320402MA1XXXXX0X".to_string()] {
        app
            .post(
                &unit,
                "/api/v1/problems",
                json!({"org": other, "source": "worker", "category": "薪酬", "description": "x", "raised_on": "2024-05-02"}),
            )
            .await.refused_on(422, "org");
    }
    let _p = app.post_ok(
            &unit,
            "/api/v1/problems",
            json!({"org": my_org.to_string(), "source": "worker", "category": "薪酬", "description": "本单位", "raised_on": "2024-05-02"}),
        ).await;
    let list = app.get_ok(&unit, "/api/v1/problems?per_page=500").await;
    let items = list["items"].as_array().unwrap();
    assert!(items.iter().any(|p| p["id"] == mine["id"]));
    assert!(items.iter().all(|p| p["org_id"] == my_org), "{list}");
    if org != my_org {
        app.get(&unit, &format!("/api/v1/problems/{id}"))
            .await
            .answers(404);
    }
    let d = app
        .get_ok(&unit, &format!("/api/v1/problems/{}", mine["id"]))
        .await;
    assert_eq!(d["actions"], json!([]));
    app.post(
        &unit,
        &format!("/api/v1/problems/{}/actions", mine["id"]),
        json!({"action": "start"}),
    )
    .await
    .answers(403);
    // The district sees it and resolves it.
    let d = app
        .get_ok(&tianning, &format!("/api/v1/problems/{}", mine["id"]))
        .await;
    assert!(d["actions"].as_array().unwrap().contains(&json!("resolve")));
    // Bad input names the field and changes nothing.
    let (s, e) = app
        .post(
            &tianning,
            "/api/v1/problems",
            json!({"org": org.to_string(), "source": "head", "category": "天气", "description": "x", "raised_on": "2099-01-01"}),
        )
        .await;
    refused_on(s, &e, 422, "category");
    assert!(e["error"]["message"].as_str().unwrap().contains("问题类别"));
    assert!(e["error"]["message"]
        .as_str()
        .unwrap()
        .contains("不能晚于今天"));
}

#[tokio::test]
async fn pairs_are_checked_and_drawn() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let list = app.get_ok(&city, "/api/v1/pairs?per_page=500").await;
    let pairs = list["items"].as_array().unwrap();
    let chain = pairs.iter().find(|p| p["kind"] == "chain").unwrap();
    let sp = pairs.iter().find(|p| p["kind"] == "state_private").unwrap();
    let leader = chain["org_a"].as_i64().unwrap();
    let supplier = chain["org_b"].as_i64().unwrap();
    let state = sp["org_a"].as_i64().unwrap();
    let private = sp["org_b"].as_i64().unwrap();
    let post = |body: Value| {
        let app = &app;
        let city = &city;
        async move { app.post(city, "/api/v1/pairs", body).await }
    };
    // With itself.
    let (s, e) = post(json!({"kind": "chain", "org_a": leader.to_string(), "org_b": leader.to_string(), "chain": "新能源汽车", "start_year": 2024})).await;
    refused_on(s, &e, 422, "org_b");
    assert!(e["error"]["message"].as_str().unwrap().contains("同一单位"));
    // Wrong kinds: a private enterprise as the 国企 side; a supplier as the chain leader.
    let (s, e) = post(json!({"kind": "state_private", "org_a": private.to_string(), "org_b": state.to_string(), "start_year": 2024})).await;
    refused_on(s, &e, 422, "org_a");
    assert!(e["error"]["message"].as_str().unwrap().contains("国有企业"));
    let (s, e) = post(json!({"kind": "chain", "org_a": supplier.to_string(), "org_b": private.to_string(), "chain": "新材料", "start_year": 2024})).await;
    refused_on(s, &e, 422, "org_a");
    assert!(e["error"]["message"].as_str().unwrap().contains("链主"));
    let (s, e) =
        post(json!({"kind": "friends", "org_a": "1", "org_b": "2", "start_year": 2024})).await;
    refused_on(s, &e, 422, "kind");
    // The same pair twice is a conflict.
    let (s, e) = post(json!({"kind": "chain", "org_a": leader.to_string(), "org_b": supplier.to_string(), "chain": chain["chain"], "start_year": 2024})).await;
    assert_eq!(s, 409, "{e}");
    // Activities: checked, then listed on the pair.
    let pid = chain["id"].as_i64().unwrap();
    app.post(
        &city,
        &format!("/api/v1/pairs/{pid}/activities"),
        json!({"held_on": "2024-06-01", "title": "技能比武", "participants": 0}),
    )
    .await
    .refused_on(422, "participants");
    app.post_ok(
        &city,
        &format!("/api/v1/pairs/{pid}/activities"),
        json!({"held_on": "2024-06-01", "title": "联合技能比武", "participants": 40}),
    )
    .await;
    let d = app.get_ok(&city, &format!("/api/v1/pairs/{pid}")).await;
    assert!(d.to_string().contains("联合技能比武"));
    // The graph: chain leaders are the large nodes, pairs the edges.
    let g = app.get_ok(&city, "/api/v1/pairs/graph?kind=chain").await;
    let graphs = g.as_array().unwrap();
    assert_eq!(graphs.len(), 3, "{g}");
    for gr in graphs {
        let nodes = gr["nodes"].as_array().unwrap();
        let links = gr["links"].as_array().unwrap();
        assert_eq!(nodes.iter().filter(|n| n["leader"] == true).count(), 1);
        assert!((4..=8).contains(&links.len()), "{gr}");
        assert_eq!(nodes.len(), links.len() + 1);
    }
    // The pairs page carries the same nodes and edges for the chart.
    let b = app.browser("city").await;
    let (s, html) = b.get("/pairs?kind=chain").await;
    assert_eq!(s, 200);
    // The chart's JSON sits HTML-escaped in a data attribute.
    let html = html.replace("&#34;", "\"").replace("&quot;", "\"");
    assert!(html.contains("\"kind\":\"graph\""), "no graph data");
    assert!(
        html.contains(&format!(
            "\"source\":\"{leader}\",\"target\":\"{supplier}\""
        )),
        "no edge"
    );
    assert!(
        html.contains(&format!("\"id\":\"{leader}\"")),
        "no leader node"
    );
    assert!(html.contains(chain["org_b_name"].as_str().unwrap()));
    assert!(html.contains("/orgs/"));
    // A district sees only pairs with a side in it.
    let wujin = app.token("wujin").await;
    let (_, w) = app.get(&wujin, "/api/v1/pairs?per_page=500").await;
    assert!(w["total"].as_i64().unwrap() < list["total"].as_i64().unwrap());
    // Staff of a district may not pair enterprises outside it.
    let (s, e) = app
        .post(
            &wujin,
            "/api/v1/pairs",
            json!({"kind": "state_private", "org_a": state.to_string(), "org_b": private.to_string(), "start_year": 2024}),
        )
        .await;
    assert!(s == 422 || s == 409, "{s} {e}");
}

#[tokio::test]
async fn console_pages_render_and_forms_keep_input() {
    let app = spawn_demo().await;
    for user in ["city", "tianning", "unit", "renshe"] {
        let b = app.browser(user).await;
        let (s, html) = b.get("/contacts").await;
        assert_eq!(s, 200, "{user} /contacts");
        assert!(html.contains("问题平均解决天数"), "{user}");
        let (s, html) = b.get("/pairs").await;
        assert_eq!(s, 200, "{user} /pairs");
        assert!(html.contains("结对共建"));
        b.get_ok("/contacts/problems/new").await;
    }
    let b = app.browser("tianning").await;
    let (_, html) = b.get("/contacts").await;
    assert!(html.contains("data-chart"));
    // The demo has problems in every status and the district sees some.
    for st in ["open", "in_progress", "resolved", "closed"] {
        let html = b.get_ok(&format!("/contacts?status={st}")).await;
        assert!(html.contains("/contacts/problems/"), "no {st} problem");
    }
    // A form error stays on the form, next to its field, with what was typed.
    let html = b
        .refused(
            "/contacts/visits/new",
            &[
                ("org", "1"),
                ("visited_on", "2024-13-01"),
                ("form", "on_site"),
                ("summary", "座谈会纪要"),
            ],
        )
        .await;
    assert!(html.contains("不是有效日期"));
    assert!(html.contains("座谈会纪要"));
    // The problem page: act through the form.
    let tok = app.token("tianning").await;
    let (_, list) = app.get(&tok, "/api/v1/problems?status=open").await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let html = b.get_ok(&format!("/contacts/problems/{id}")).await;
    let version = hidden(&html, "_version");
    let (s, _, loc) = b
        .post(
            &format!("/contacts/problems/{id}"),
            &[
                ("_action", "resolve"),
                ("_version", &version),
                ("resolution", "已协调"),
                ("resolved_on", &in_days(0)),
            ],
        )
        .await;
    assert_eq!(s, 303, "resolve via form");
    assert_eq!(
        loc.as_deref(),
        Some(format!("/contacts/problems/{id}").as_str())
    );
    let (_, html) = b.get(&format!("/contacts/problems/{id}")).await;
    assert!(html.contains("已解决"));
    // A pair page and an out-of-scope problem page.
    let (_, pairs) = app.get(&tok, "/api/v1/pairs").await;
    if let Some(pid) = pairs["items"][0]["id"].as_i64() {
        let html = b.get_ok(&format!("/pairs/{pid}")).await;
        assert!(html.contains("共建活动"));
    }
    let wj = app.browser("wujin").await;
    wj.get(&format!("/contacts/problems/{id}"))
        .await
        .answers(404);
    // English.
    let html = b.get_ok("/pairs?lang=en").await;
    assert!(html.contains("Pairing"));
}
