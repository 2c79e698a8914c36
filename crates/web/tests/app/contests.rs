//! 劳动和技能竞赛 (issue #12, point 3): a plan approved on the engine, entries with
//! eligibility, a panel with recusal from the tree, a marking scheme that must add up,
//! marks per judge with two-person entry for paper marks, re-scoring of flagged
//! aspects, the lock and its undoing, the ranking with ties, 公示 on the engine, and
//! results that write honours into the registry and open 以赛促评 promotions.

use crate::helpers::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

async fn act(app: &TestApp, tok: &str, id: i64, action: &str) -> Value {
    app.post_ok(
        tok,
        &format!("/api/v1/cases/{id}/actions"),
        json!({"action": action}),
    )
    .await
}

use crate::helpers::indicator_value as indicator;

use crate::helpers::err_field as field;

/// Three Tianning workers of one occupation, below 首席技师, and one of another.
async fn entrants(app: &TestApp, city: &str) -> (String, Vec<i64>, i64) {
    let ws = app
        .get_ok(city, "/api/v1/workers?region=320402&per_page=500")
        .await;
    let mut by_occ: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for w in ws["items"].as_array().unwrap() {
        if let (Some(o), Some(l)) = (w["occupation"].as_str(), w["skill_level"].as_str()) {
            if l != "chief" && l != "principal" {
                by_occ
                    .entry(o.to_string())
                    .or_default()
                    .push(w["id"].as_i64().unwrap());
            }
        }
    }
    let (occ, ids) = by_occ
        .iter()
        .find(|(_, v)| v.len() >= 3)
        .expect("an occupation with three workers");
    let other = by_occ
        .iter()
        .find(|(o, _)| *o != occ)
        .map(|(_, v)| v[0])
        .expect("another occupation");
    (occ.clone(), ids[..3].to_vec(), other)
}

fn plan(code: &str, occupation: &str, organiser: i64, year: i64) -> Value {
    json!({
        "code": code,
        "name": format!("{occupation}职业技能竞赛"),
        "level": "市级",
        "year": year,
        "occupation": occupation,
        "organiser": organiser.to_string(),
        "starts_on": format!("{year}-05-01"),
        "ends_on": format!("{year}-05-03"),
        "first_prizes": 1, "second_prizes": 1, "third_prizes": 1,
        "honour_top": 2, "medal_top": 1, "promote_top": 1
    })
}

fn scheme(judged_weight: f64, publish: bool) -> Value {
    json!({
        "publish": publish,
        "aspects": [
            {"name": "尺寸精度", "kind": "测量评分", "weight": 50, "max_mark": 50},
            {"name": "形位公差", "kind": "measurement", "weight": 20, "tolerance": 0.02},
            {"name": "工艺规范", "kind": "评价评分", "weight": judged_weight,
             "descriptors": ["不符合规范", "基本符合", "符合规范", "规范且熟练"]}
        ]
    })
}

async fn expert(app: &TestApp, admin: &str, name: &str, region: &str) {
    let (s, u) = app
        .post(
            admin,
            "/api/v1/users",
            json!({"username": name, "display_name": format!("评委{name}"), "role": "expert", "org": region, "password": "Judge-2024-pass"}),
        )
        .await;
    assert_eq!(s, 201, "{u}");
}

#[tokio::test]
async fn a_contest_from_its_plan_to_honours_and_promotions() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let admin = app.token("admin").await;
    let tianning = app.token("tianning").await;
    let renshe = app.token("renshe").await;
    let year = this_year();
    let (occ, ids, other) = entrants(&app, &city).await;
    let organiser = app.org_id(&city, "kind=member_unit").await;

    // The plan: dates in order, at the planner's own level.
    let mut bad = plan("JS-T-01", &occ, organiser, year);
    bad["ends_on"] = json!(format!("{year}-04-01"));
    let (s, e) = app.post(&city, "/api/v1/contests", bad).await;
    assert_eq!((s, field(&e).as_str()), (422, "ends_on"), "{e}");
    let (s, e) = app
        .post(
            &tianning,
            "/api/v1/contests",
            plan("JS-T-01", &occ, organiser, year),
        )
        .await;
    assert_eq!((s, field(&e).as_str()), (422, "level"), "{e}");
    let (s, c) = app
        .post(
            &city,
            "/api/v1/contests",
            plan("JS-T-01", &occ, organiser, year),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let id = c["id"].as_i64().unwrap();
    let base = format!("/api/v1/contests/{id}");
    assert_eq!(c["status"], "draft");
    // No entries before the plan is approved.
    app.post(
        &city,
        &format!("{base}/entries"),
        json!({"worker": ids[0].to_string()}),
    )
    .await
    .answers(409);
    let c = app
        .post_ok(&city, &format!("{base}/submit"), json!({}))
        .await;
    assert_eq!(c["status"], "in_review", "{c}");
    let held_before = indicator(&app, &city, "320400", &year.to_string(), "contests_held").await;
    act(&app, &admin, c["plan_case_id"].as_i64().unwrap(), "accept").await;
    let c = app.get_ok(&city, &base).await;
    assert_eq!(c["status"], "open", "{c}");
    assert_eq!(
        indicator(&app, &city, "320400", &year.to_string(), "contests_held").await,
        held_before + 1.0
    );

    // The scheme: weights must add up to 100 to publish, the error names the aspect.
    let (s, e) = app
        .put(&city, &format!("{base}/scheme"), scheme(20.0, true))
        .await;
    assert_eq!((s, field(&e).as_str()), (422, "aspects[2].weight"), "{e}");
    assert!(e.to_string().contains("工艺规范"), "{e}");
    let aspects = app
        .put_ok(&city, &format!("{base}/scheme"), scheme(30.0, true))
        .await;
    let aspect = |i: usize| aspects[i]["id"].as_i64().unwrap();

    // Entries: the occupation must match; once each.
    let (s, e) = app
        .post(
            &city,
            &format!("{base}/entries"),
            json!({"worker": other.to_string()}),
        )
        .await;
    assert_eq!((s, field(&e).as_str()), (422, "worker"), "{e}");
    let mut entries = Vec::new();
    for w in &ids {
        let e = app
            .post(
                &city,
                &format!("{base}/entries"),
                json!({"worker": w.to_string()}),
            )
            .await;
        assert_eq!(e.0, 201, "{}", e.1);
        entries.push(e.1["id"].as_i64().unwrap());
    }
    let (s, e) = app
        .post(
            &city,
            &format!("{base}/entries"),
            json!({"worker": ids[0].to_string()}),
        )
        .await;
    assert_eq!((s, field(&e).as_str()), (422, "worker"), "{e}");

    // The panel: three judges from Wujin, one attached to Tianning (recused from all).
    for (n, r) in [
        ("judge1", "320412"),
        ("judge2", "320412"),
        ("judge3", "320412"),
        ("judge4", "320402"),
    ] {
        expert(&app, &admin, n, r).await;
        let j = app
            .post(&city, &format!("{base}/judges"), json!({"username": n}))
            .await;
        assert_eq!(j.0, 201, "{}", j.1);
        assert_eq!(j.1["recusals"], if n == "judge4" { 3 } else { 0 });
    }
    let j: Vec<String> = {
        let mut v = Vec::new();
        for n in ["judge1", "judge2", "judge3", "judge4"] {
            v.push(app.token_with(n, "Judge-2024-pass").await);
        }
        v
    };
    let mark = |tok: &str, entry: i64, aspect: i64, value: f64| {
        let (app, base, tok) = (&app, base.clone(), tok.to_string());
        async move {
            app.post(
                &tok,
                &format!("{base}/marks"),
                json!({"entry": entry, "aspect": aspect, "value": value}),
            )
            .await
        }
    };
    let (s, e) = mark(&j[3], entries[0], aspect(2), 2.0).await;
    refused(s, &e, 403, "conflict_of_interest");
    let (s, e) = mark(&j[0], entries[0], aspect(2), 4.0).await;
    assert_eq!((s, field(&e).as_str()), (422, "value"), "{e}");
    // Paper marks: entered by one, confirmed by another.
    let paper = [(45.0, 0.01), (45.0, 0.01), (40.0, 0.05)];
    for (k, (mm, tol)) in paper.iter().enumerate() {
        for (a, v) in [(aspect(0), *mm), (aspect(1), *tol)] {
            let (s, m) = mark(&city, entries[k], a, v).await;
            assert_eq!(s, 200, "{m}");
            let confirm = format!("{base}/marks/{}/confirm", m["id"]);
            let (s, e) = app.post(&city, &confirm, json!({})).await;
            assert_eq!((s, field(&e).as_str()), (422, "confirmed_by"), "{e}");
            app.post_ok(&j[0], &confirm, json!({})).await;
        }
    }
    // Judgement: entrant 0 gets (1, 3, 2) — flagged; entrant 1 (2, 2, 2); entrant 2 (3, 3, 3).
    for (k, scores) in [[1.0, 3.0, 2.0], [2.0, 2.0, 2.0], [3.0, 3.0, 3.0]]
        .iter()
        .enumerate()
    {
        for (t, v) in j.iter().take(3).zip(scores) {
            let (s, m) = mark(t, entries[k], aspect(2), *v).await;
            assert_eq!(s, 200, "{m}");
        }
    }
    let r = app.get_ok(&city, &format!("{base}/ranking")).await;
    assert_eq!(r["flagged"], 1, "{r}");
    let (s, e) = app.post(&city, &format!("{base}/lock"), json!({})).await;
    assert_eq!((s, field(&e).as_str()), (422, "marks"), "{e}");
    // Re-scoring: two judges change their scores; still one score per judge.
    mark(&j[0], entries[0], aspect(2), 2.0).await;
    mark(&j[1], entries[0], aspect(2), 2.0).await;
    let marks = app.get_ok(&city, &format!("{base}/marks")).await;
    assert_eq!(marks.as_array().unwrap().len(), 3 * 2 + 3 * 3);
    // Ranking with a tie: entrants 0 and 1 both 50 + 20 + 20 = 90; entrant 2 40 + 0 + 30 = 70.
    let r = app.get_ok(&city, &format!("{base}/ranking")).await;
    let st = r["standings"].as_array().unwrap();
    let ranks: Vec<(i64, f64)> = st
        .iter()
        .map(|s| (s["rank"].as_i64().unwrap(), s["total"].as_f64().unwrap()))
        .collect();
    assert_eq!(ranks, vec![(1, 85.0), (1, 85.0), (3, 70.0)], "{r}");

    // The lock: once; undone only with a reason, audited.
    app.post_ok(&city, &format!("{base}/lock"), json!({})).await;
    app.post(&city, &format!("{base}/lock"), json!({}))
        .await
        .refused(409, "contest_locked");
    let (s, _) = mark(&j[1], entries[1], aspect(2), 3.0).await;
    assert_eq!(s, 409, "no marks while locked");
    let (s, e) = app
        .post(&city, &format!("{base}/unlock"), json!({"reason": " "}))
        .await;
    assert_eq!((s, field(&e).as_str()), (422, "reason"), "{e}");
    app.post_ok(
        &city,
        &format!("{base}/unlock"),
        json!({"reason": "复核第二名选手工艺分"}),
    )
    .await;
    assert!(app
        .audit_of("contest", id)
        .await
        .iter()
        .any(|a| a["summary"]
            .as_str()
            .unwrap_or("")
            .contains("复核第二名选手工艺分")));
    app.post_ok(&city, &format!("{base}/lock"), json!({})).await;

    // 公示 on the engine, then the decision.
    let c = app
        .post_ok(&city, &format!("{base}/publish"), json!({}))
        .await;
    assert_eq!(c["status"], "notice", "{c}");
    let results = app.get_ok(&city, &format!("{base}/results")).await;
    assert_eq!(results.as_array().unwrap().len(), 3);
    assert!(results
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["is_final"] == false));
    let case = c["results_case_id"].as_i64().unwrap();
    sqlx::query("UPDATE wf_cases SET due_at = 1 WHERE id = $1")
        .bind(case)
        .execute(&app.svc.db.pool)
        .await
        .unwrap();
    let p = year.to_string();
    let entrants_before = indicator(&app, &city, "320400", &p, "contest_entrants").await;
    act(&app, &admin, case, "accept").await;
    let c = app.get_ok(&city, &base).await;
    assert_eq!(c["status"], "closed", "{c}");
    assert_eq!(
        indicator(&app, &city, "320400", &p, "contest_entrants").await,
        entrants_before + 3.0
    );
    let results = app.get_ok(&city, &format!("{base}/results")).await;
    let rs = results.as_array().unwrap();
    // Both first places share 一等奖; the first is named for the 五一劳动奖章, the
    // second 技术能手 (honour_top = 2), and the promoted ones have their cases.
    assert_eq!(rs[0]["award"], "first");
    assert_eq!(rs[1]["award"], "first");
    assert_eq!(rs[2]["award"], "third");
    let honours: Vec<&str> = rs.iter().filter_map(|r| r["honour"].as_str()).collect();
    assert_eq!(honours.len(), 2, "{results}");
    assert!(rs.iter().take(2).all(|r| r["designation_id"].is_i64()));
    let promoted: Vec<&Value> = rs.iter().filter(|r| r["promoted_to"].is_string()).collect();
    assert_eq!(promoted.len(), 2, "both share rank 1: {results}");
    let w = promoted[0]["worker_id"].as_i64().unwrap();
    let before = app.get_ok(&city, &format!("/api/v1/workers/{w}")).await;
    assert_ne!(before["skill_level"], promoted[0]["promoted_to"]);
    act(
        &app,
        &renshe,
        promoted[0]["promotion_case_id"].as_i64().unwrap(),
        "accept",
    )
    .await;
    let after = app.get_ok(&city, &format!("/api/v1/workers/{w}")).await;
    assert_eq!(after["skill_level"], promoted[0]["promoted_to"]);
    // The honours are in the one registry.
    let d = app
        .get_ok(
            &city,
            &format!("/api/v1/designations?worker_id={w}&per_page=50"),
        )
        .await;
    assert!(d.to_string().contains("JS-T-01"), "{d}");
}

#[tokio::test]
async fn only_the_organiser_runs_a_contest_and_judges_see_only_theirs() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let unit = app.token("unit").await;
    let expert = app.token("expert").await;
    let organiser = app.org_id(&city, "kind=member_unit").await;
    let (s, c) = app
        .post(
            &city,
            "/api/v1/contests",
            plan("JS-T-02", "电工", organiser, this_year()),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let id = c["id"].as_i64().unwrap();
    // A unit sees it but does not run it; an expert off the panel does not see it.
    assert_eq!(
        app.status(&unit, &format!("/api/v1/contests/{id}")).await,
        200
    );
    app.put(
        &unit,
        &format!("/api/v1/contests/{id}/scheme"),
        scheme(30.0, false),
    )
    .await
    .answers(403);
    assert_eq!(
        app.status(&expert, &format!("/api/v1/contests/{id}")).await,
        404
    );
    let l = app.get_ok(&expert, "/api/v1/contests").await;
    assert_eq!(l["total"], 0);
    // A unit plans an enterprise-level contest of its own.
    let (s, c) = app
        .post(
            &unit,
            "/api/v1/contests",
            json!({"code": "QY-T-01", "name": "岗位练兵", "level": "企业级", "year": this_year(), "occupation": "电工"}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(c["level"], "enterprise");
    app.put(
        &unit,
        &format!("/api/v1/contests/{}/scheme", c["id"]),
        scheme(30.0, false),
    )
    .await
    .answers(200);
}

#[tokio::test]
async fn contest_history_imports_and_exports_in_the_templates() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let y = demo_year() - 4;
    let p = y.to_string();
    let organiser = app.org_id(&city, "kind=member_unit").await;
    let uscc = app
        .get_ok(&city, &format!("/api/v1/orgs/{organiser}"))
        .await["uscc"]
        .as_str()
        .unwrap()
        .to_string();
    let ws = app
        .get_ok(&city, "/api/v1/workers?region=320402&per_page=50")
        .await;
    let low = ws["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["skill_level"] == "intermediate")
        .unwrap()
        .clone();
    let high = ws["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["skill_level"] == "technician")
        .unwrap()
        .clone();
    let reveal = |id: i64| {
        let (app, city) = (&app, city.clone());
        async move {
            app.post_ok(&city, &format!("/api/v1/workers/{id}/reveal"), json!({}))
                .await["id_number"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let (a, b) = (
        reveal(low["id"].as_i64().unwrap()).await,
        reveal(high["id"].as_i64().unwrap()).await,
    );
    // Contests: region staff name the organiser (where the contest counts).
    let bad =
        format!("赛事编号,赛事名称,级别,年份,工种,主办单位信用代码\nH-1,焊工竞赛,市级,{y},焊工,\n");
    let job = app
        .import_and_wait(&city, "contests", "c.csv", bad.into_bytes(), false, None)
        .await;
    assert_eq!(
        job["outcome"]["problems"][0]["field"], "organiser_uscc",
        "{job}"
    );
    let csv = format!(
        "赛事编号,赛事名称,级别,年份,工种,主办单位信用代码\n\
         H-1,焊工竞赛,市级,{y},焊工,{uscc}\nH-2,电工竞赛,区级,{y},电工,{uscc}\n"
    );
    let job = app
        .import_and_wait(
            &city,
            "contests",
            "c.csv",
            csv.clone().into_bytes(),
            false,
            None,
        )
        .await;
    assert_eq!(job["outcome"]["created"], 2, "{job}");
    assert_eq!(
        indicator(&app, &city, "320400", &p, "contests_held").await,
        2.0
    );
    let job = app
        .import_and_wait(&city, "contests", "c.csv", csv.into_bytes(), false, None)
        .await;
    assert_eq!(job["outcome"]["unchanged"], 2, "{job}");
    // Results: the promotion must be above the worker's level; honours reach the registry.
    let head = "赛事编号,身份证号,名次,奖项,授予荣誉,晋升等级\n";
    let bad = format!("{head}H-1,{b},1,一等奖,技术能手,中级工\nH-9,{a},1,,,\n");
    let job = app
        .import_and_wait(
            &city,
            "contest_results",
            "r.csv",
            bad.into_bytes(),
            false,
            None,
        )
        .await;
    let fields: Vec<&str> = job["outcome"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(fields, ["promoted_to", "contest_code"], "{job}");
    let ok = format!("{head}H-1,{a},1,一等奖,技术能手,高级工\nH-1,{b},2,二等奖,无,\n");
    let job = app
        .import_and_wait(
            &city,
            "contest_results",
            "r.csv",
            ok.into_bytes(),
            false,
            None,
        )
        .await;
    assert_eq!(job["outcome"]["created"], 2, "{job}");
    for (code, want) in [
        ("contest_entrants", 2.0),
        ("contest_awards", 2.0),
        ("contest_promotions", 1.0),
    ] {
        assert_eq!(
            indicator(&app, &city, "320400", &p, code).await,
            want,
            "{code}"
        );
    }
    let d = app
        .get_ok(
            &city,
            &format!("/api/v1/designations?worker_id={}", low["id"]),
        )
        .await;
    assert!(d.to_string().contains("skill_master"), "{d}");
    // Both export in their template's columns.
    for (kind, head, row) in [
        (
            "contests",
            "赛事编号*,赛事名称*,级别*,年份*,工种*,主办单位信用代码",
            format!("H-1,焊工竞赛,市级,{y},焊工,{uscc}"),
        ),
        (
            "contest_results",
            "赛事编号*,身份证号*,名次*,奖项,授予荣誉,晋升等级",
            format!("H-1,{a},1,一等奖,技术能手,高级工"),
        ),
    ] {
        let r = app
            .raw(&city, &format!("/api/v1/exports/{kind}?format=csv"))
            .await;
        assert_eq!(r.status(), 200, "{kind}");
        let body = r.text().await.unwrap();
        assert_eq!(
            body.lines().next().unwrap().trim_start_matches('\u{feff}'),
            head
        );
        assert!(body.contains(&row), "{kind}: {body}");
    }
}

/// The demo's contest being marked this year: its id and scheme.
async fn open_contest(app: &TestApp, city: &str) -> (i64, Vec<Value>) {
    let l = app
        .get_ok(
            city,
            &format!("/api/v1/contests?status=open&year={}", this_year()),
        )
        .await;
    let id = l["items"][0]["id"]
        .as_i64()
        .expect("the demo's open contest");
    let scheme = app
        .get_ok(city, &format!("/api/v1/contests/{id}/scheme"))
        .await;
    (id, scheme.as_array().unwrap().clone())
}

#[tokio::test]
async fn the_demo_holds_contests_with_results_and_one_being_marked() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let y = demo_year().to_string();
    assert!(indicator(&app, &city, "320400", &y, "contests_held").await >= 4.0);
    assert!(indicator(&app, &city, "320400", &y, "contest_entrants").await >= 40.0);
    assert!(indicator(&app, &city, "320400", &y, "contest_awards").await >= 30.0);
    assert!(indicator(&app, &city, "320400", &y, "contest_promotions").await >= 12.0);
    let (id, _) = open_contest(&app, &city).await;
    let r = app
        .get_ok(&city, &format!("/api/v1/contests/{id}/ranking"))
        .await;
    assert!(r["complete"].as_i64().unwrap() > 0, "{r}");
    assert_eq!(r["flagged"], 1, "one aspect waits for re-scoring: {r}");
    assert!(r["complete"].as_i64().unwrap() < r["entries"].as_i64().unwrap());
}

#[tokio::test]
async fn the_console_plans_marks_and_ranks_a_contest() {
    let app = spawn_demo().await;
    let city_tok = app.token("city").await;
    let city = app.browser("city").await;
    let judge = app.browser("expert2").await;

    // The list: headline figures from the engine, the demo's contests.
    let html = city.get_ok("/contests").await;
    assert!(
        html.contains("竞赛场次") && html.contains("参赛人数"),
        "headlines"
    );
    assert!(html.contains(&format!("JS-{}-001", demo_year())));
    assert!(html.contains("新建竞赛计划"));
    let html = city.get_ok("/contests?lang=en").await;
    assert!(html.contains("skills contests") && html.contains("Contests held"));

    // A plan through the form: a bad one comes back filled in, the error by its field.
    let y = this_year().to_string();
    let organiser = app.org_id(&city_tok, "kind=member_unit").await.to_string();
    let form = |ends: &str| {
        vec![
            ("code", "WEB-C-1".to_string()),
            ("name", "钳工技能比武".to_string()),
            ("level", "city".to_string()),
            ("year", y.clone()),
            ("occupation", "钳工".to_string()),
            ("organiser", organiser.clone()),
            ("starts_on", format!("{y}-06-01")),
            ("ends_on", ends.to_string()),
            ("first_prizes", "1".to_string()),
            ("honour_top", "x".to_string()),
        ]
    };
    let bad = form(&format!("{y}-05-01"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, html, _) = city.post("/contests", &bad).await;
    assert_eq!(s, 422, "{html}");
    assert!(
        html.contains("value=\"钳工技能比武\""),
        "nothing typed is lost"
    );
    assert!(html.matches("field-error").count() >= 2, "{html}");
    // One form macro for every field: the control names its help and its error, and
    // says it is invalid (what a screen reader reads out).
    assert!(
        html.contains(r#"name="honour_top" value="x" inputmode="numeric" maxlength="5" aria-describedby="h-honour_top e-honour_top" aria-invalid="true">"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<div class="field-error" id="e-honour_top">"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<div class="field-help" id="h-honour_top">"#),
        "{html}"
    );
    let good = form(&format!("{y}-06-03"));
    let mut good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    good.retain(|(k, _)| *k != "honour_top");
    let to = city.saved("/contests", &good).await;
    let to = to.unwrap();
    let id: i64 = to
        .trim_start_matches("/contests/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // The scheme editor: weights that do not add up are refused, naming the aspect.
    let rows = [
        ("a0_name", "尺寸精度"),
        ("a0_kind", "measurement"),
        ("a0_weight", "60"),
        ("a0_max_mark", "100"),
        ("a1_name", "工艺规范"),
        ("a1_kind", "judgement"),
        ("a1_weight", "30"),
        ("a1_d0", "差"),
        ("a1_d1", "中"),
        ("a1_d2", "良"),
        ("a1_d3", "优"),
        ("a2_name", ""),
        ("a2_kind", "measurement"),
    ];
    let mut post: Vec<(&str, &str)> = rows.to_vec();
    post.push(("publish", "1"));
    let (s, html, _) = city.post(&format!("/contests/{id}/scheme"), &post).await;
    assert_eq!(s, 422, "{html}");
    assert!(html.contains("工艺规范") && html.contains("100"), "{html}");
    assert!(
        html.contains("value=\"尺寸精度\""),
        "the rows come back as typed"
    );
    post[6] = ("a1_weight", "40");
    let (s, html, _) = city.post(&format!("/contests/{id}/scheme"), &post).await;
    assert_eq!(s, 303, "{html}");
    let html = city.get_ok(&format!("/contests/{id}")).await;
    assert!(
        html.contains("尺寸精度") && html.contains("提交计划审批"),
        "{html}"
    );

    // Marking the demo's open contest: a judge's sheet, a score of 4 refused.
    let (open, scheme) = open_contest(&app, &city_tok).await;
    let entries = app
        .get_ok(&city_tok, &format!("/api/v1/contests/{open}/entries"))
        .await;
    let kept = app
        .get_ok(&city_tok, &format!("/api/v1/contests/{open}/marks"))
        .await;
    // An entrant nobody has marked yet.
    let last = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .find(|e| !kept.as_array().unwrap().iter().any(|m| m["entry_id"] == *e))
        .expect("an entrant still to mark");
    let aspect = |i: usize| scheme[i]["id"].as_i64().unwrap().to_string();
    let sheet = format!("/contests/{open}/marking");
    let html = judge.get_ok(&format!("{sheet}?entry={last}")).await;
    assert!(
        html.contains("工艺规范") && html.contains("type=\"radio\""),
        "{html}"
    );
    let entry = last.to_string();
    let (m2, m3) = (format!("m{}", aspect(2)), format!("m{}", aspect(3)));
    let (s, html, _) = judge
        .post(&sheet, &[("entry", &entry), (&m2, "4"), (&m3, "2")])
        .await;
    assert_eq!(s, 422, "{html}");
    let before = app
        .get_ok(&city_tok, &format!("/api/v1/contests/{open}/marks"))
        .await
        .as_array()
        .unwrap()
        .len();
    judge
        .saved(&sheet, &[("entry", &entry), (&m2, "2"), (&m3, "3")])
        .await;
    let marks = app
        .get_ok(&city_tok, &format!("/api/v1/contests/{open}/marks"))
        .await;
    assert_eq!(
        marks.as_array().unwrap().len(),
        before + 2,
        "both kept, nothing else"
    );

    // A paper mark: entered by the office, not confirmed by the same person.
    let m0 = format!("m{}", aspect(0));
    city.saved(&sheet, &[("entry", &entry), (&m0, "88")]).await;
    let marks = app
        .get_ok(&city_tok, &format!("/api/v1/contests/{open}/marks"))
        .await;
    let paper = marks
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["entry_id"] == last && m["judge_id"] == 0 && m["aspect_id"] == scheme[0]["id"])
        .expect("the paper mark")["id"]
        .as_i64()
        .unwrap();
    let confirm = format!("/contests/{open}/marks/{paper}/confirm");
    let html = city.refused(&confirm, &[("entry", &entry)]).await;
    assert!(html.contains("双人录入"), "{html}");
    judge.saved(&confirm, &[("entry", &entry)]).await;

    // The live ranking polls while marks come in.
    let html = city.get_ok(&format!("/contests/{open}")).await;
    assert!(html.contains(&format!("hx-get=\"/contests/{open}/ranking\"")));
    assert!(html.contains("待复评"), "the flagged aspect shows");
    let frag = city.get_ok(&format!("/contests/{open}/ranking")).await;
    assert!(frag.contains("data-ranking") && !frag.contains("<html"));

    // A closed contest shows its results with honours and promotions.
    let l = app
        .get_ok(
            &city_tok,
            &format!("/api/v1/contests?status=closed&year={}", demo_year()),
        )
        .await;
    let closed = l["items"][0]["id"].as_i64().unwrap();
    let html = city.get_ok(&format!("/contests/{closed}")).await;
    assert!(html.contains("一等奖") && html.contains("技术能手") && html.contains("以赛促评"));
}
