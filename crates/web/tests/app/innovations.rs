//! 群众性技术创新 (issue #12, point 5: a studio's innovation results): a result filed by
//! its enterprise (the union's certification) is a case reviewed by its district, counts
//! once approved, may be corrected only while returned, is showcased by the city, and
//! imports and exports in the `innovations` template.

use crate::helpers::*;
use serde_json::json;

use crate::helpers::err_field as field;

async fn indicator(app: &TestApp, token: &str, period: i64, code: &str) -> f64 {
    indicator_value(app, token, "320400", &period.to_string(), code).await
}

fn patent(digits: &str) -> String {
    let c = gongjiang_domain::innovations::PatentNo::check_char(digits).unwrap();
    format!("ZL{digits}.{c}")
}

/// Registers a worker in the unit's enterprise; its registry id.
async fn worker(app: &TestApp, unit: &str, name: &str, first17: &str) -> i64 {
    let org = app.get_ok(unit, "/api/v1/me").await["org_id"].clone();
    let (s, w) = app
        .post(
            unit,
            "/api/v1/workers",
            json!({"name": name, "id_number": id_number(first17), "org": org.to_string()}),
        )
        .await;
    assert!(s == 200 || s == 201, "{w}");
    w["id"].as_i64().unwrap()
}

/// Accepts a case as whichever district office reviews it; that office's token.
async fn accept_at_district(app: &TestApp, case: i64) -> String {
    for d in ["tianning", "wujin", "city"] {
        let t = app.token(d).await;
        let (s, _) = app
            .post(
                &t,
                &format!("/api/v1/cases/{case}/actions"),
                json!({"action": "accept", "comment": "同意认定"}),
            )
            .await;
        if s == 200 {
            return t;
        }
    }
    panic!("no office could accept case {case}");
}

#[tokio::test]
async fn the_demo_has_innovation_results_counted_and_shown() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let y = demo_year();
    assert!(indicator(&app, &city, y, "innovation_results").await >= 60.0);
    assert!(indicator(&app, &city, y, "patents").await >= 10.0);
    assert!(indicator(&app, &city, y, "innovation_result_benefit_wan").await > 100.0);
    let l = app
        .get_ok(&city, "/api/v1/innovations?status=counted&per_page=5")
        .await;
    assert!(l["total"].as_i64().unwrap() >= 60, "{l}");
    let shown = app.get_ok(&city, "/api/v1/innovations?featured=true").await;
    assert_eq!(shown["total"], 6, "{shown}");
    // Waiting at the district this year, one returned.
    let p = app
        .get_ok(&city, "/api/v1/innovations?status=pending")
        .await;
    assert!(p["total"].as_i64().unwrap() >= 3, "{p}");
    let b = app.browser("city").await;
    let html = b.get_ok("/innovations").await;
    assert!(
        html.contains("创新成果数") && html.contains("专利数"),
        "{html}"
    );
    assert!(html.contains("万元"), "benefit the Chinese way");
    // A studio's page lists its results.
    let s = app.get_ok(&city, "/api/v1/studios?per_page=1").await;
    let sid = s["items"][0]["id"].as_i64().unwrap();
    let html = b.get_ok(&format!("/studios/{sid}")).await;
    assert!(!html.contains("暂无该工作室的创新成果"), "{html}");
    assert!(html.contains("/innovations/"), "links to the results");
}

#[tokio::test]
async fn a_result_is_certified_reviewed_corrected_and_counted() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let city = app.token("city").await;
    let a = worker(&app, &unit, "陈创新", "32040219880512301").await;
    let b = worker(&app, &unit, "李革新", "32040219900218402").await;
    let year = this_year();
    let p = patent(&format!("{year}20912345"));
    let good = json!({
        "code": "CX-T-001", "title": "一种快换定位夹具", "type": "专利", "year": year,
        "authors": [a.to_string(), id_number("32040219900218402")],
        "patent_no": p, "benefit_wan": 12.5, "summary": "换型时间由40分钟缩短至8分钟。"
    });
    let before = indicator(&app, &city, year, "innovation_results").await;
    let patents = indicator(&app, &city, year, "patents").await;
    let total = app.get_ok(&unit, "/api/v1/innovations").await["total"].clone();

    // Bad input names its field and writes nothing.
    let mut bad = good.clone();
    let wrong = format!(
        "{}{}",
        &p[..p.len() - 1],
        if p.ends_with('1') { "2" } else { "1" }
    );
    bad["patent_no"] = json!(wrong);
    let (s, e) = app.post(&unit, "/api/v1/innovations", bad).await;
    assert_eq!((s, field(&e).as_str()), (422, "patent_no"), "{e}");
    assert!(e.to_string().contains("校验位"), "{e}");
    let mut bad = good.clone();
    bad["patent_no"] = json!("");
    let (s, e) = app.post(&unit, "/api/v1/innovations", bad).await;
    assert_eq!((s, field(&e).as_str()), (422, "patent_no"), "{e}");
    let mut bad = good.clone();
    bad["authors"] = json!(["999999"]);
    let (s, e) = app.post(&unit, "/api/v1/innovations", bad).await;
    assert_eq!((s, field(&e).as_str()), (422, "authors"), "{e}");
    let mut bad = good.clone();
    bad["authors"] = json!([a.to_string(), a.to_string()]);
    let (s, e) = app.post(&unit, "/api/v1/innovations", bad).await;
    assert_eq!((s, field(&e).as_str()), (422, "authors"), "{e}");
    let mut bad = good.clone();
    bad["summary"] = json!("");
    let (s, e) = app.post(&unit, "/api/v1/innovations", bad).await;
    assert_eq!((s, field(&e).as_str()), (422, "summary"), "{e}");
    let mut bad = good.clone();
    bad["benefit_wan"] = json!("-3");
    let (s, e) = app.post(&unit, "/api/v1/innovations", bad).await;
    assert_eq!((s, field(&e).as_str()), (422, "benefit_wan"), "{e}");
    assert_eq!(
        app.get_ok(&unit, "/api/v1/innovations").await["total"],
        total,
        "nothing written"
    );

    // Filed: a case at the district; not counted yet.
    let (s, r) = app.post(&unit, "/api/v1/innovations", good.clone()).await;
    assert_eq!(s, 201, "{r}");
    let id = r["id"].as_i64().unwrap();
    let case = r["case_id"].as_i64().unwrap();
    assert_eq!(r["status"], "in_review");
    assert_eq!(r["patent_no"], p.as_str());
    assert_eq!(r["benefit_wan"], 12.5);
    assert_eq!(r["authors"][1]["worker_id"], b);
    assert_eq!(
        indicator(&app, &city, year, "innovation_results").await,
        before
    );
    // The code and the patent are one result's.
    let mut again = good.clone();
    again["patent_no"] = json!(patent(&format!("{year}20912346")));
    let (s, e) = app.post(&unit, "/api/v1/innovations", again).await;
    assert_eq!((s, field(&e).as_str()), (422, "code"), "{e}");
    let mut again = good.clone();
    again["code"] = json!("CX-T-002");
    let (s, e) = app.post(&unit, "/api/v1/innovations", again).await;
    assert_eq!((s, field(&e).as_str()), (422, "patent_no"), "{e}");
    // In review it cannot be changed.
    let mut fix = good.clone();
    fix["version"] = r["version"].clone();
    let (s, e) = app
        .put(&unit, &format!("/api/v1/innovations/{id}"), fix.clone())
        .await;
    assert_eq!((s, err_code(&e)), (409, "innovation_final"), "{e}");
    // Another district does not see it.
    for d in ["tianning", "wujin"] {
        let t = app.token(d).await;
        let s = app.status(&t, &format!("/api/v1/innovations/{id}")).await;
        assert!(s == 200 || s == 404, "{d}: {s}");
    }

    // Returned, corrected with its version, resubmitted, approved: counted.
    let mut returned = false;
    for d in ["tianning", "wujin", "city"] {
        let t = app.token(d).await;
        let (s, _) = app
            .post(
                &t,
                &format!("/api/v1/cases/{case}/actions"),
                json!({"action": "return", "comment": "请补充效益测算"}),
            )
            .await;
        if s == 200 {
            returned = true;
            break;
        }
    }
    assert!(returned);
    let now = app
        .get_ok(&unit, &format!("/api/v1/innovations/{id}"))
        .await;
    assert_eq!(now["status"], "returned");
    fix["version"] = json!(now["version"].as_i64().unwrap() - 1);
    let (s, e) = app
        .put(&unit, &format!("/api/v1/innovations/{id}"), fix.clone())
        .await;
    assert_eq!((s, err_code(&e)), (409, "stale_version"), "{e}");
    fix["version"] = now["version"].clone();
    fix["benefit_wan"] = json!("18.60");
    fix["summary"] = json!("换型时间缩短至8分钟，年节约工时1,200小时，效益18.6万元。");
    let fixed = app
        .put_ok(&unit, &format!("/api/v1/innovations/{id}"), fix)
        .await;
    assert_eq!(fixed["benefit_wan"], 18.6);
    app.post_ok(
        &unit,
        &format!("/api/v1/cases/{case}/actions"),
        json!({"action": "submit"}),
    )
    .await;
    let c = app.get_ok(&unit, &format!("/api/v1/cases/{case}")).await;
    assert!(
        c["case"]["data"]["summary"]
            .as_str()
            .unwrap()
            .contains("1,200小时"),
        "the case carries the correction: {c}"
    );
    accept_at_district(&app, case).await;
    let done = app
        .get_ok(&unit, &format!("/api/v1/innovations/{id}"))
        .await;
    assert_eq!(done["status"], "approved", "{done}");
    assert!(done["counted"].as_bool().unwrap());
    assert_eq!(
        indicator(&app, &city, year, "innovation_results").await,
        before + 1.0
    );
    assert_eq!(indicator(&app, &city, year, "patents").await, patents + 1.0);
    aggregates_agree(&app, "innovation:").await;
    // The workers who made it find it on their page and by the API's filter.
    let mine = app
        .get_ok(&unit, &format!("/api/v1/innovations?worker={b}"))
        .await;
    assert_eq!(mine["total"], 1, "{mine}");
    let html = app
        .browser("unit")
        .await
        .get_ok(&format!("/workers/{a}"))
        .await;
    assert!(html.contains("一种快换定位夹具"), "{html}");

    // The showcase is the city's; only counted results go in.
    app.post(
        &unit,
        &format!("/api/v1/innovations/{id}/showcase"),
        json!({"featured": true}),
    )
    .await
    .answers(403);
    let f = app
        .post_ok(
            &city,
            &format!("/api/v1/innovations/{id}/showcase"),
            json!({"featured": true}),
        )
        .await;
    assert_eq!(f["featured"], true);
    let pending = app
        .get_ok(&city, "/api/v1/innovations?status=pending&per_page=1")
        .await;
    let pid = pending["items"][0]["id"].as_i64().unwrap();
    let (s, e) = app
        .post(
            &city,
            &format!("/api/v1/innovations/{pid}/showcase"),
            json!({"featured": true}),
        )
        .await;
    assert_eq!((s, field(&e).as_str()), (422, "featured"), "{e}");
    assert!(!app.audit_of("innovation", id).await.is_empty());
}

#[tokio::test]
async fn the_console_files_a_result_and_keeps_what_was_typed() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let a = worker(&app, &unit, "赵五小", "32040219910101503").await;
    let b = app.browser("unit").await;
    let html = b.get_ok("/innovations/new").await;
    let csrf = hidden(&html, "_csrf");
    let html = b
        .refused(
            "/innovations",
            &[
                ("_csrf", &csrf),
                ("code", "CX-UI-1"),
                ("title", "工位照明改进"),
                ("type", "patent"),
                ("year", &this_year().to_string()),
                ("authors", &a.to_string()),
                ("patent_no", "ZL200410018477.8"),
                ("benefit_wan", "3"),
                ("summary", "分区控制照明。"),
            ],
        )
        .await;
    assert!(
        html.contains("校验位错误") && html.contains("工位照明改进"),
        "{html}"
    );
    let to = b
        .saved(
            "/innovations",
            &[
                ("_csrf", &csrf),
                ("code", "CX-UI-1"),
                ("title", "工位照明改进"),
                ("type", "patent"),
                ("year", &this_year().to_string()),
                ("authors", &a.to_string()),
                ("patent_no", "ZL200410018477.9"),
                ("benefit_wan", "3"),
                ("summary", "分区控制照明。"),
            ],
        )
        .await;
    let to = to.unwrap();
    let html = b.get_ok(&to).await;
    assert!(
        html.contains("ZL200410018477.9") && html.contains("3.00万元"),
        "{html}"
    );
}

#[tokio::test]
async fn innovation_history_imports_and_exports_in_the_template() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let city = app.token("city").await;
    worker(&app, &unit, "钱导入", "32040219850607604").await;
    let who = id_number("32040219850607604");
    let me = app.get_ok(&unit, "/api/v1/me").await;
    let org = me["org_id"].as_i64().unwrap();
    let uscc = app.get_ok(&city, &format!("/api/v1/orgs/{org}")).await["uscc"]
        .as_str()
        .unwrap()
        .to_string();
    let y = demo_year() - 2;
    let p = patent(&format!("{y}20001234"));
    let head = "成果编号,成果名称,成果类型,单位信用代码,完成人身份证号,年份,专利号,经济效益万元";
    let csv = format!(
        "{head}\nIMP-CX-1,刀具寿命预测,技术革新,{uscc},{who},{y},,35.5\nIMP-CX-2,防错工装,专利,{uscc},{who},{y},{p},12\n"
    );
    let before = indicator(&app, &city, y, "innovation_results").await;
    let job = app
        .import_and_wait(
            &city,
            "innovations",
            "i.csv",
            csv.clone().into_bytes(),
            false,
            None,
        )
        .await;
    assert_eq!(job["outcome"]["created"], 2, "{job}");
    assert_eq!(
        indicator(&app, &city, y, "innovation_results").await,
        before + 2.0
    );
    let job = app
        .import_and_wait(&city, "innovations", "i.csv", csv.into_bytes(), false, None)
        .await;
    assert_eq!(job["outcome"]["unchanged"], 2, "idempotent: {job}");
    // Bad rows name their column and nothing is written.
    let wrong = format!(
        "{}{}",
        &p[..p.len() - 1],
        if p.ends_with('1') { "2" } else { "1" }
    );
    let bad = format!(
        "{head}\nIMP-CX-3,甲,专利,{uscc},{who},{y},{wrong},1\nIMP-CX-4,乙,发明,{uscc},{who},{y},,1\nIMP-CX-5,丙,五小,{uscc},110101199003077777,{y},,1\n"
    );
    let job = app
        .import_and_wait(
            &city,
            "innovations",
            "bad.csv",
            bad.into_bytes(),
            false,
            None,
        )
        .await;
    assert_eq!(job["outcome"]["written"], false, "{job}");
    let probs: Vec<&str> = job["outcome"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap_or(""))
        .collect();
    // A value outside the drop-down is named by its column header.
    assert_eq!(probs, ["patent_no", "成果类型", "id_numbers"], "{job}");
    // A code filed on the platform is not overwritten by an import.
    let filed = app
        .get_ok(&city, "/api/v1/innovations?status=pending&per_page=1")
        .await;
    let code = filed["items"][0]["code"].as_str().unwrap().to_string();
    let clash = format!("{head}\n{code},改写,五小,{uscc},{who},{y},,1\n");
    let job = app
        .import_and_wait(
            &city,
            "innovations",
            "c.csv",
            clash.into_bytes(),
            false,
            None,
        )
        .await;
    assert_eq!(job["outcome"]["written"], false, "{job}");
    // The export is in the template's columns and holds the imported rows.
    let r = app
        .raw(&city, "/api/v1/exports/innovations?format=csv")
        .await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    let first = body.lines().next().unwrap().trim_start_matches('\u{feff}');
    assert_eq!(
        first,
        "成果编号*,成果名称*,成果类型*,单位信用代码*,完成人身份证号,年份*,专利号,经济效益万元"
    );
    assert!(
        body.contains(&format!(
            "IMP-CX-2,防错工装,专利,{uscc},{who},{y},{p},12.00"
        )),
        "{body}"
    );
    // A recorded result is corrected by region staff with its version.
    let l = app.get_ok(&city, "/api/v1/innovations?q=IMP-CX-1").await;
    let it = &l["items"][0];
    let fixed = app
        .put_ok(
            &city,
            &format!("/api/v1/innovations/{}", it["id"]),
            json!({"code": "IMP-CX-1", "title": "刀具寿命预测小程序", "type": "技术革新", "year": y,
                   "authors": [who.clone()], "benefit_wan": 40, "version": it["version"]}),
        )
        .await;
    assert_eq!(fixed["benefit_wan"], 40.0);
    assert_eq!(fixed["status"], "recorded");
}

/// An organisation that still holds innovation results is not deleted: 409 naming them
/// (not a foreign-key failure).
#[tokio::test]
async fn an_enterprise_with_results_is_not_deleted() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let city = app.token("city").await;
    let admin = app.token("admin").await;
    worker(&app, &unit, "孙外协", "32040219870909705").await;
    let who = id_number("32040219870909705");
    let code = uscc(7_101);
    let (s, o) = app
        .post(
            &city,
            "/api/v1/orgs",
            json!({"name": "常州外协精密部件有限公司", "kind": "企业", "uscc": code, "region_code": "320402"}),
        )
        .await;
    assert_eq!(s, 201, "{o}");
    let y = demo_year();
    let csv = format!(
        "成果编号,成果名称,成果类型,单位信用代码,完成人身份证号,年份\nDEL-CX-1,协作工装,五小,{code},{who},{y}\n"
    );
    let job = app
        .import_and_wait(&city, "innovations", "d.csv", csv.into_bytes(), false, None)
        .await;
    assert_eq!(job["outcome"]["created"], 1, "{job}");
    let (s, e) = app
        .send(
            reqwest::Method::DELETE,
            &admin,
            &format!("/api/v1/orgs/{}", o["id"]),
            json!({}),
        )
        .await;
    assert_eq!((s, err_code(&e)), (409, "has_records"), "{e}");
    assert!(e.to_string().contains("创新成果"), "{e}");
}

/// A worker who made a result is not deleted from the registry: 409 naming the result.
#[tokio::test]
async fn an_author_is_not_deleted_from_the_registry() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let a = worker(&app, &unit, "周作者", "32040219920303806").await;
    let (s, r) = app
        .post(
            &unit,
            "/api/v1/innovations",
            json!({"code": "DEL-W-1", "title": "工位改进", "type": "五小", "year": this_year(),
                   "authors": [a.to_string()], "summary": "改进工位布局。"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (s, e) = app
        .send(
            reqwest::Method::DELETE,
            &unit,
            &format!("/api/v1/workers/{a}"),
            json!({}),
        )
        .await;
    assert_eq!((s, err_code(&e)), (409, "has_records"), "{e}");
    assert!(e.to_string().contains("创新成果"), "{e}");
    // Nor is the holder of a title: the registry would keep a title without its holder.
    let num = id_number("32040219930404907");
    let h = worker(&app, &unit, "吴劳模", "32040219930404907").await;
    let tianning = app.token("tianning").await;
    let (s, d) = app
        .post(
            &tianning,
            "/api/v1/designations",
            json!({"dtype": "劳动模范", "level": "市级", "year": demo_year().to_string(), "worker": num}),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let (s, e) = app
        .send(
            reqwest::Method::DELETE,
            &unit,
            &format!("/api/v1/workers/{h}"),
            json!({}),
        )
        .await;
    assert_eq!((s, err_code(&e)), (409, "has_records"), "{e}");
    assert!(e.to_string().contains("认定与荣誉"), "{e}");
}

/// A returned result corrected on its case's own form takes the corrected year and
/// summary when the case is resubmitted.
#[tokio::test]
async fn a_correction_on_the_case_form_reaches_the_result() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let a = worker(&app, &unit, "郑改年", "32040219940505008").await;
    let (s, r) = app
        .post(
            &unit,
            "/api/v1/innovations",
            json!({"code": "CASE-Y-1", "title": "夹具改进", "type": "五小", "year": this_year(),
                   "authors": [a.to_string()], "summary": "初稿。"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (id, case) = (r["id"].as_i64().unwrap(), r["case_id"].as_i64().unwrap());
    let mut returned = false;
    for d in ["tianning", "wujin", "city"] {
        let t = app.token(d).await;
        let (s, _) = app
            .post(
                &t,
                &format!("/api/v1/cases/{case}/actions"),
                json!({"action": "return", "comment": "年度有误"}),
            )
            .await;
        returned |= s == 200;
        if returned {
            break;
        }
    }
    assert!(returned);
    let last = (this_year() - 1).to_string();
    app.put_ok(
        &unit,
        &format!("/api/v1/cases/{case}"),
        json!({"data": {"year": last, "summary": "改正后的简介。"}}),
    )
    .await;
    app.post_ok(
        &unit,
        &format!("/api/v1/cases/{case}/actions"),
        json!({"action": "submit"}),
    )
    .await;
    let i = app
        .get_ok(&unit, &format!("/api/v1/innovations/{id}"))
        .await;
    assert_eq!(i["year"].to_string(), last, "{i}");
    assert_eq!(i["summary"], "改正后的简介。");
    assert_eq!(i["status"], "in_review");
}
