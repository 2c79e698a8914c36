//! The 六有 checklist: evidence with checked files, submit needs all six, item-by-item
//! review with reasons, the completion indicator moves at once, scope on files.

use crate::helpers::*;
use serde_json::{json, Value};

async fn indicator(app: &TestApp, tok: &str, org: &str, code: &str) -> Value {
    indicator_at(app, tok, org, &this_year().to_string(), code).await
}

#[tokio::test]
async fn six_items_submitted_reviewed_and_counted() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let town = app.token("town").await;
    let district = app.token("tianning").await;
    let city = app.token("city").await;
    let org = app.get(&unit, "/api/v1/me").await.1["org_id"]
        .as_i64()
        .unwrap();
    let base = format!("/api/v1/liuyou/{org}/{}", this_year());
    let before = indicator(&app, &city, "320402", "liuyou_complete_units").await["value"]
        .as_f64()
        .unwrap();
    let items = [
        "organisation",
        "plan",
        "tasks",
        "guidance",
        "skills",
        "rights",
    ];
    for it in &items[..5] {
        let (s, v) = app
            .put(
                &unit,
                &format!("{base}/{it}"),
                json!({"text": format!("{it} 的说明")}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
    }
    // The unit has its own account: the district reviews, it does not fill in or
    // submit the unit's checklist, and its page offers no edit form or submit button.
    app.put(
        &district,
        &format!("{base}/rights"),
        json!({"text": "代填"}),
    )
    .await
    .refused(403, "unit_keeps_own");
    app.post(&district, &format!("{base}/submit"), json!({}))
        .await
        .answers(403);
    let (s, html) = app
        .browser("tianning")
        .await
        .get(&format!("/liuyou/{org}/{}", this_year()))
        .await;
    assert_eq!(s, 200);
    assert!(
        !html.contains("/submit\""),
        "no submit button for the reviewer"
    );
    assert!(
        !html.contains("enctype=\"multipart/form-data\""),
        "no edit forms for the reviewer"
    );
    let (_, html) = app
        .browser("unit")
        .await
        .get(&format!("/liuyou/{org}/{}", this_year()))
        .await;
    assert!(html.contains("/submit\""), "the unit submits its own");
    // A bad link and a bad file are refused, naming the field.
    app.put(
        &unit,
        &format!("{base}/plan"),
        json!({"link": "javascript:alert(1)"}),
    )
    .await
    .refused_on(422, "link");
    app.upload_file(
        &unit,
        &format!("{base}/plan/files"),
        "virus.pdf",
        b"MZ\x90\x00binary".to_vec(),
    )
    .await
    .refused_on(422, "file");
    let (s, v) = app
        .upload_file(
            &unit,
            &format!("{base}/plan/files"),
            "方案.pdf",
            b"%PDF-1.4 test".to_vec(),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let file_id = v["items"][1]["files"][0]["id"].as_i64().unwrap();
    // Submitting without the sixth item names it.
    app.post(&unit, &format!("{base}/submit"), json!({}))
        .await
        .refused_on(422, "rights");
    app.put(
        &unit,
        &format!("{base}/rights"),
        json!({"text": "集体合同"}),
    )
    .await;
    let (s, v) = app.post(&unit, &format!("{base}/submit"), json!({})).await;
    assert_eq!((s, v["submitted"].as_i64()), (200, Some(6)), "{v}");
    // Submitted items are locked for the unit; the unit does not review.
    app.put(&unit, &format!("{base}/plan"), json!({"text": "改"}))
        .await
        .answers(409);
    let (s, _) = app
        .post(
            &unit,
            &format!("{base}/plan/review"),
            json!({"accept": true}),
        )
        .await;
    assert_eq!(s, 403);
    // The submission is a case of the workflow engine, waiting in the district's inbox
    // (not the town's: the 六有 is reviewed by the district).
    let case_id = v["case_id"].as_i64().unwrap();
    assert_eq!(v["case_status"].as_str(), Some("in_review"), "{v}");
    let (_, inbox) = app.get(&district, "/api/v1/inbox").await;
    assert!(
        inbox.as_array().unwrap().iter().any(|c| c["id"] == case_id),
        "{inbox}"
    );
    let (_, inbox) = app.get(&town, "/api/v1/inbox").await;
    assert!(!inbox.as_array().unwrap().iter().any(|c| c["id"] == case_id));
    let (s, _) = app
        .post(
            &town,
            &format!("{base}/rights/review"),
            json!({"accept": true}),
        )
        .await;
    assert_eq!(s, 403, "the town does not review the 六有");
    // The district returns one (a reason is required) and accepts the rest; once no
    // item waits, the case is returned as a whole with the reason.
    app.post(
        &district,
        &format!("{base}/rights/review"),
        json!({"accept": false}),
    )
    .await
    .refused_on(422, "reason");
    app.post_ok(
        &district,
        &format!("{base}/rights/review"),
        json!({"accept": false, "reason": "请附集体合同文本"}),
    )
    .await;
    app.post(
        &district,
        &format!("{base}/rights/review"),
        json!({"accept": true}),
    )
    .await
    .refused(409, "item_not_submitted");
    for it in &items[..5] {
        let (s, v) = app
            .post(
                &district,
                &format!("{base}/{it}/review"),
                json!({"accept": true}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
    }
    assert_eq!(
        indicator(&app, &city, "320402", "liuyou_complete_units").await["value"].as_f64(),
        Some(before),
        "five of six is not complete"
    );
    let (_, notes) = app.get(&unit, "/api/v1/notifications").await;
    assert!(notes.to_string().contains("请附集体合同文本"), "{notes}");
    let (_, d) = app.get(&unit, &format!("/api/v1/cases/{case_id}")).await;
    assert_eq!(d["case"]["status"].as_str(), Some("returned"), "{d}");
    assert!(d["case"]["items"][5]["reason"]
        .as_str()
        .unwrap()
        .contains("集体合同"));
    let history: Vec<&str> = strs(&d["history"], "action");
    assert_eq!(history.iter().filter(|a| **a == "item_accept").count(), 5);
    assert_eq!(history.last(), Some(&"return"), "{history:?}");
    // Fixed and resubmitted: only the returned item goes to review again; accepted, the
    // case is approved and the indicator moves at once, in the district and the city,
    // and the rate's denominator is the pilot units.
    app.put(
        &unit,
        &format!("{base}/rights"),
        json!({"text": "集体合同(附文本)"}),
    )
    .await;
    let (_, v) = app.post(&unit, &format!("{base}/submit"), json!({})).await;
    assert_eq!(
        (v["accepted"].as_i64(), v["submitted"].as_i64()),
        (Some(5), Some(1)),
        "{v}"
    );
    let (s, _) = app
        .post(
            &district,
            &format!("{base}/rights/review"),
            json!({"accept": true}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, d) = app.get(&city, &format!("/api/v1/cases/{case_id}")).await;
    assert_eq!(d["case"]["status"].as_str(), Some("approved"), "{d}");
    assert_eq!(
        indicator(&app, &city, "320402", "liuyou_complete_units").await["value"].as_f64(),
        Some(before + 1.0)
    );
    // The engine's own item endpoint refuses a case that waits for nobody.
    app.post(
        &district,
        &format!("/api/v1/cases/{case_id}/items/rights"),
        json!({"accept": true}),
    )
    .await
    .answers(409);
    // 六有 cases start from the 六有 page, not as a free-standing case.
    app.post(
        &unit,
        "/api/v1/cases",
        json!({"process": "liuyou", "data": {"year": this_year().to_string()}}),
    )
    .await
    .refused_on(422, "process");
    let rate = indicator(&app, &city, "320400", "liuyou_completion_rate").await;
    assert!(rate["denominator"].as_i64().unwrap() >= 1000, "{rate}");
    // Files: the unit and the district may download; another district may not.
    let r = app
        .raw(&district, &format!("/api/v1/files/{file_id}"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(&r.bytes().await.unwrap()[..5], b"%PDF-");
    app.get(
        &app.token("wujin").await,
        &format!("/api/v1/files/{file_id}"),
    )
    .await
    .answers(404);
    app.get(&app.token("wujin").await, &base).await.answers(404);
    // Console.
    let (s, html) = app
        .browser("city")
        .await
        .get(&format!("/liuyou?year={}", demo_year()))
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("data-chart") && html.contains("有产改组织机构"),
        "{html}"
    );
    let (s, html) = app
        .browser("unit")
        .await
        .get(&format!("/liuyou/{org}/{}", this_year()))
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("方案.pdf"));
}

#[tokio::test]
async fn demo_has_checklists_in_every_state() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let (_, rows) = app
        .get(&city, &format!("/api/v1/liuyou?year={}", demo_year()))
        .await;
    let rows = rows.as_array().unwrap();
    assert!(rows.iter().any(|r| r["accepted"] == 6));
    assert!(rows
        .iter()
        .any(|r| r["statuses"].to_string().contains("returned")));
    assert!(rows
        .iter()
        .any(|r| r["statuses"].to_string().contains("submitted")));
    let v = app
        .get(
            &city,
            &format!("/api/v1/indicators?org=320400&period={}", demo_year()),
        )
        .await
        .1;
    let ind = v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "liuyou_complete_units")
        .unwrap()
        .clone();
    assert_eq!(ind["value"].as_f64(), Some(50.0), "{ind}");
}

/// Six item decisions on one case at the same moment: each item is decided once and the
/// case moves exactly once, whichever decision comes last.
#[tokio::test]
async fn simultaneous_item_decisions_move_the_case_once() {
    let app = spawn_demo().await;
    let district = app.token("tianning").await;
    let (_, inbox) = app.get(&district, "/api/v1/inbox").await;
    let case = inbox
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["process"] == "liuyou")
        .cloned()
        .expect("the demo has 六有 sheets awaiting review");
    let id = case["id"].as_i64().unwrap();
    let items = [
        "organisation",
        "plan",
        "tasks",
        "guidance",
        "skills",
        "rights",
    ];
    let requests = items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let body = if i == 2 {
                json!({"accept": false, "reason": "任务清单缺少完成情况"})
            } else {
                json!({"accept": true})
            };
            (
                district.clone(),
                format!("/api/v1/cases/{id}/items/{it}"),
                body,
            )
        })
        .collect();
    let codes = app.post_at_once(requests).await;
    assert_eq!(tally(&codes, 200), items.len(), "{codes:?}");
    let (_, d) = app.get(&district, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(d["case"]["status"].as_str(), Some("returned"), "{d}");
    let moves = d["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "return" || e["action"] == "accept")
        .count();
    assert_eq!(moves, 1, "{d}");
    assert!(d["history"].to_string().contains("任务清单缺少完成情况"));
    // The 六有 sheet says the same.
    let org = d["case"]["org_id"].as_i64().unwrap();
    let (_, sheet) = app
        .get(&district, &format!("/api/v1/liuyou/{org}/{}", demo_year()))
        .await;
    assert_eq!(sheet["accepted"].as_i64(), Some(5), "{sheet}");
    assert_eq!(sheet["items"][2]["status"].as_str(), Some("returned"));
    // Another sheet awaiting review goes through a bulk approval: every item accepted.
    let (_, inbox) = app.get(&district, "/api/v1/inbox").await;
    let other = inbox
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["process"] == "liuyou" && c["id"] != id)
        .cloned()
        .unwrap();
    let oid = other["id"].as_i64().unwrap();
    let (s, job) = app
        .post(
            &district,
            "/api/v1/cases/bulk",
            json!({"ids": [oid], "action": "accept"}),
        )
        .await;
    assert_eq!(s, 202, "{job}");
    let job_id = job["id"].as_str().unwrap().to_string();
    let mut done = Value::Null;
    for _ in 0..100 {
        done = app
            .get(&district, &format!("/api/v1/cases/bulk/{job_id}"))
            .await
            .1;
        if done["status"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(done["succeeded"].as_i64(), Some(1), "{done}");
    let (_, d) = app.get(&district, &format!("/api/v1/cases/{oid}")).await;
    assert_eq!(d["case"]["status"].as_str(), Some("approved"), "{d}");
    let org = d["case"]["org_id"].as_i64().unwrap();
    let (_, sheet) = app
        .get(&district, &format!("/api/v1/liuyou/{org}/{}", demo_year()))
        .await;
    assert_eq!(sheet["accepted"].as_i64(), Some(6), "{sheet}");
}

/// The console's evidence form: text, a file and the CSRF token in one multipart post;
/// a post without the token changes nothing.
#[tokio::test]
async fn the_console_saves_evidence_with_files() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let org = app.get(&unit, "/api/v1/me").await.1["org_id"]
        .as_i64()
        .unwrap();
    let b = app.browser("unit").await;
    let html = b.get_ok(&format!("/liuyou/{org}/{}", this_year())).await;
    let csrf = hidden(&html, "_csrf");
    let post = |csrf: Option<String>| {
        let mut form = reqwest::multipart::Form::new()
            .text("text", "领导小组成立文件")
            .part(
                "files",
                reqwest::multipart::Part::bytes(b"%PDF-1.4 evidence".to_vec())
                    .file_name("领导小组.pdf"),
            )
            .part(
                "files",
                reqwest::multipart::Part::bytes(Vec::new()).file_name(""),
            );
        if let Some(c) = csrf {
            form = form.text("_csrf", c);
        }
        b.c.post(app.at(&format!("/liuyou/{org}/{}/organisation", this_year())))
            .multipart(form)
            .send()
    };
    let r = post(None).await.unwrap();
    assert_eq!(r.status(), 403);
    let (_, sheet) = app
        .get(&unit, &format!("/api/v1/liuyou/{org}/{}", this_year()))
        .await;
    assert_eq!(sheet["items"][0]["text"], Value::Null, "{sheet}");
    let r = post(Some(csrf)).await.unwrap();
    assert_eq!(r.status(), 303);
    let (_, sheet) = app
        .get(&unit, &format!("/api/v1/liuyou/{org}/{}", this_year()))
        .await;
    assert_eq!(sheet["items"][0]["text"], "领导小组成立文件", "{sheet}");
    assert_eq!(sheet["items"][0]["files"].as_array().unwrap().len(), 1);
}

/// The units listed on a page of the completion view (their sheet links).
fn unit_links(html: &str) -> Vec<String> {
    html.split("<td><a href=\"/liuyou/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_overview_loads_its_chart_library_and_pages_and_filters_the_pilots() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let b = app.browser("city").await;
    let (s, html) = b.get("/liuyou").await;
    assert_eq!(s, 200);
    assert!(html.contains("<script src=\"/assets/echarts.min.js\""));
    assert!(html.contains("data-chart="));
    // The year the page opened on (the demo's checklists are in it).
    let year: i32 = html
        .split("\" selected>")
        .next()
        .and_then(|s| s.rsplit("<option value=\"").next())
        .unwrap()
        .parse()
        .unwrap();
    let (_, html) = b.get(&format!("/liuyou?year={year}")).await;
    let r = app.anon("/assets/echarts.min.js").await;
    assert_eq!(r.status(), 200);
    // One page at a time, like every list.
    let (_, all) = app.get(&city, &format!("/api/v1/liuyou?year={year}")).await;
    let total = all.as_array().unwrap().len();
    assert!(total > 1000, "{total}");
    let pages = total.div_ceil(20);
    let first = unit_links(&html);
    assert_eq!(first.len(), 20);
    assert!(html.len() < 150_000, "{} bytes", html.len());
    assert!(html.contains("<nav class=\"pagination\">"));
    assert!(html.contains(&format!("1/{pages}")));
    assert!(
        html.contains(&format!("href=\"/liuyou?year={year}&#38;page=2\"")),
        "next link"
    );
    let (s, html2) = b.get(&format!("/liuyou?year={year}&page=2")).await;
    assert_eq!(s, 200);
    let second = unit_links(&html2);
    assert_eq!(second.len(), 20);
    assert!(second.iter().all(|l| !first.contains(l)));
    let (_, last) = b.get(&format!("/liuyou?year={year}&page={pages}")).await;
    assert_eq!(unit_links(&last).len(), total - (pages - 1) * 20);
    assert!(last.contains(&format!("{pages}/{pages}")));
    // By name.
    let name = all[25]["org_name"].as_str().unwrap().to_string();
    let q: String = name.chars().take(6).collect();
    let (_, found) = b
        .get(&format!("/liuyou?year={year}&q={}", url_encode(&q)))
        .await;
    assert!(found.contains(&name), "{q}");
    let expected = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["org_name"].as_str().unwrap().contains(&q))
        .count();
    assert_eq!(unit_links(&found).len(), expected.min(20));
    // By district (and the town inside it).
    let in_wujin = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["region_code"].as_str().unwrap().starts_with("320412"))
        .count();
    let (_, wujin) = b.get(&format!("/liuyou?year={year}&region=320412")).await;
    assert!(
        wujin.contains(&format!("共 {} 条", group(in_wujin))),
        "{in_wujin}"
    );
    for row in wujin.split("<td><a href=\"/liuyou/").skip(1) {
        let area = row.split("<td>").nth(1).unwrap();
        assert!(area.starts_with("武进区"), "{area}");
    }
    // By status: every filter keeps exactly the units in that state.
    let rows = all.as_array().unwrap();
    let statuses = |r: &Value| -> Vec<String> {
        r["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    for (status, keep) in [
        (
            "complete",
            &(|s: &[String]| s.iter().all(|x| x == "accepted")) as &dyn Fn(&[String]) -> bool,
        ),
        ("submitted", &|s: &[String]| {
            s.iter().any(|x| x == "submitted")
        }),
        ("returned", &|s: &[String]| {
            s.iter().any(|x| x == "returned")
        }),
        ("draft", &|s: &[String]| s.iter().all(|x| x == "draft")),
    ] {
        let n = rows.iter().filter(|r| keep(&statuses(r))).count();
        assert!(n > 0, "{status}: the demo has units in every state");
        let html = b
            .get_ok(&format!("/liuyou?year={year}&status={status}"))
            .await;
        assert!(
            html.contains(&format!("共 {} 条", group(n))),
            "{status}: {n}"
        );
    }
    // Older links (`pending=1`) still filter.
    let (_, pending) = b.get(&format!("/liuyou?year={year}&pending=1")).await;
    let (_, submitted) = b
        .get(&format!("/liuyou?year={year}&status=submitted"))
        .await;
    assert_eq!(unit_links(&pending), unit_links(&submitted));
    // A district sees its own units only.
    let (_, tianning) = app
        .browser("tianning")
        .await
        .get(&format!("/liuyou?year={year}"))
        .await;
    let n = rows
        .iter()
        .filter(|r| r["region_code"].as_str().unwrap().starts_with("320402"))
        .count();
    assert!(tianning.contains(&format!("共 {} 条", group(n))));
    b.get(&format!("/liuyou?year={year}&status=bogus"))
        .await
        .answers(422);
}

fn url_encode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// 1234 → "1,234", as the console writes counts.
fn group(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
