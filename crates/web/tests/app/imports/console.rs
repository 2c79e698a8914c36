//! The console's import pages and job pages.

use super::*;

#[tokio::test]
async fn import_page_and_csrf() {
    let app = spawn_demo().await;
    let b = app.browser("city").await;
    let page = b.get_ok("/imports").await;
    assert!(
        page.contains("enctype=\"multipart/form-data\"") && page.contains("/imports/template/orgs")
    );
    let form = reqwest::multipart::Form::new().text("kind", "orgs").part(
        "file",
        reqwest::multipart::Part::bytes(ORG_HEADER.as_bytes().to_vec()).file_name("x.csv"),
    );
    let r =
        b.c.post(format!("{}/imports", b.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 403, "no CSRF token");
    let good = uscc(424_242);
    let form = reqwest::multipart::Form::new()
        .text("_csrf", b.csrf.clone())
        .text("kind", "orgs")
        .part(
            "file",
            reqwest::multipart::Part::bytes(
                format!("{ORG_HEADER}页面导入有限公司,{good},企业,320402,,,,否\n").into_bytes(),
            )
            .file_name("x.csv"),
        );
    let r =
        b.c.post(format!("{}/imports", b.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let mut done = String::new();
    for _ in 0..200 {
        let (_, html) = b.get(&format!("{loc}/status")).await;
        if !html.contains("<progress") {
            done = html;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(done.contains("导入完成"), "{done}");
    let r =
        b.c.get(format!(
            "{}/imports/export/orgs?org=320402&format=csv",
            b.base
        ))
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("页面导入有限公司"));
}

/// The job page, once the job has ended (it may say it is running only while it is).
async fn finished_page(b: &Browser, path: &str) -> String {
    for _ in 0..600 {
        let html = b.get_ok(path).await;
        if !html.contains("<progress") {
            return html;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("import {path} did not finish");
}

/// Issue #10: a small file finishes before its page is rendered; the page then shows the
/// result itself (counts, the problems with the template's column names, the rejected
/// rows link) instead of "validating…" for ever. While a job runs, the page polls the
/// status fragment with htmx (no inline script).
#[tokio::test]
async fn job_page_shows_the_result_of_a_finished_import() {
    let app = spawn_demo().await;
    let b = app.browser("tianning").await;
    let t = app.token("tianning").await;
    let good = uscc(515_151);
    let csv = format!(
        "{ORG_HEADER}结果页有限公司,{good},企业,320402,,C38,民营,否\n结果页坏码有限公司,91320402MA1XXXXX00,企业,320402,,,,否\n"
    );
    let path = console_upload(&b, "result.csv", csv, false).await;
    let id = path.trim_start_matches("/imports/").to_string();
    let job = app.wait_import(&t, &id).await;
    assert_eq!(job["status"], "done", "{job}");
    let html = b.get_ok(&path).await;
    assert!(
        !html.contains("正在校验"),
        "no endless 'validating': {html}"
    );
    assert!(
        !html.contains("hx-trigger=\"load"),
        "a finished job does not poll"
    );
    assert!(html.contains("未写入任何数据"), "{html}");
    assert!(
        html.contains("如导入将新增"),
        "would-be counts labelled: {html}"
    );
    assert!(html.contains("无效行"), "{html}");
    assert!(
        html.contains("<td>统一社会信用代码</td>") && !html.contains(">uscc<"),
        "the column as named in the template: {html}"
    );
    assert!(html.contains("校验码"), "the message: {html}");
    assert!(
        html.contains(&format!("/imports/{id}/rejected.xlsx")),
        "{html}"
    );
    assert!(!html.contains("<script>"), "no inline script");
    let r =
        b.c.get(format!("{}/imports/{id}/rejected.xlsx", b.base))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");
    // The fragment the page polls says the same.
    let (_, frag) = b.get(&format!("{path}/status")).await;
    assert!(frag.contains("统一社会信用代码") && frag.contains("未写入任何数据"));
    // Nothing was written.
    assert_eq!(
        app.get(&t, &format!("/api/v1/orgs?q={good}")).await.1["total"],
        0
    );
}

/// With 跳过无效行 the valid rows are written, and the job page says so plainly, with the
/// counts of created and rejected rows.
#[tokio::test]
async fn skip_invalid_job_page_says_the_valid_rows_were_written() {
    let app = spawn_demo().await;
    let b = app.browser("tianning").await;
    let good = uscc(525_252);
    let csv = format!(
        "{ORG_HEADER}跳过无效行有限公司,{good},企业,320402,,C38,民营,否\n跳过坏码有限公司,91320402MA1XXXXX00,企业,320402,,,,否\n"
    );
    let path = console_upload(&b, "skip.csv", csv, true).await;
    let html = finished_page(&b, &path).await;
    assert!(
        html.contains("1 行无效被跳过") && html.contains("其余 1 行有效数据已写入"),
        "{html}"
    );
    assert!(html.contains("新增 1 条"), "{html}");
    assert!(html.contains("data-count=\"created\">1<"), "{html}");
    assert!(html.contains("data-count=\"rejected\">1<"), "{html}");
    assert!(html.contains("统一社会信用代码") && html.contains("rejected.xlsx"));
    let t = app.token("tianning").await;
    assert_eq!(
        app.get(&t, &format!("/api/v1/orgs?q={good}")).await.1["total"],
        1
    );
    // In English too.
    let (_, en) = b.get(&format!("{path}?lang=en")).await;
    assert!(en.contains("the other 1 valid rows were written"), "{en}");
}

/// The import history: one's own imports, and for region staff those of the accounts in
/// their area (the city: everyone's); a job out of scope is not found, on its page, its
/// fragment, its rejected rows and in the API.
#[tokio::test]
async fn import_history_is_scoped_to_the_area() {
    let app = spawn_demo().await;
    let district = app.browser("tianning").await;
    let unit = app.browser("unit").await;
    let bad = format!("{ORG_HEADER}历史坏码有限公司,91320402MA1XXXXX00,企业,320402,,,,否\n");
    let d_path = console_upload(&district, "district-file.csv", bad.clone(), false).await;
    let u_path = console_upload(&unit, "unit-file.csv", bad, false).await;
    finished_page(&district, &d_path).await;
    finished_page(&unit, &u_path).await;
    let d_id = d_path.trim_start_matches("/imports/").to_string();
    let u_id = u_path.trim_start_matches("/imports/").to_string();

    let history = |b: &Browser| {
        let b = Browser {
            c: b.c.clone(),
            csrf: b.csrf.clone(),
            base: b.base.clone(),
        };
        async move {
            let (s, html) = b.get("/imports/history").await;
            assert_eq!(s, 200, "{html}");
            html
        }
    };
    // The district sees its own and the unit's (an enterprise in its district).
    let h = history(&district).await;
    assert!(
        h.contains("district-file.csv") && h.contains("unit-file.csv"),
        "{h}"
    );
    assert!(h.contains(&format!("href=\"/imports/{u_id}\"")), "{h}");
    assert!(h.contains("单位名录") && h.contains("未写入"), "{h}");
    assert!(
        h.contains("年") && h.contains("月") && h.contains("日 "),
        "{h}"
    );
    // The newest first.
    assert!(h.find("unit-file.csv") < h.find("district-file.csv"), "{h}");
    // The unit sees its own only.
    let h = history(&unit).await;
    assert!(
        h.contains("unit-file.csv") && !h.contains("district-file.csv"),
        "{h}"
    );
    // The unit's street sees the unit's, not the district's own.
    let town = app.browser("town").await;
    let h = history(&town).await;
    assert!(
        h.contains("unit-file.csv") && !h.contains("district-file.csv"),
        "{h}"
    );
    assert_eq!(town.get(&u_path).await.0, 200);
    assert_eq!(town.get(&d_path).await.0, 404);
    // The city sees both and opens the district's result.
    let city = app.browser("city").await;
    let h = history(&city).await;
    assert!(
        h.contains("district-file.csv") && h.contains("unit-file.csv"),
        "{h}"
    );
    let page = city.get_ok(&d_path).await;
    assert!(page.contains("统一社会信用代码"), "{page}");
    // Another district sees neither, and their pages are not found.
    let other = app.browser("wujin").await;
    let h = history(&other).await;
    assert!(
        !h.contains("district-file.csv") && !h.contains("unit-file.csv"),
        "{h}"
    );
    for p in [
        d_path.clone(),
        format!("{d_path}/status"),
        format!("{d_path}/rejected.xlsx"),
        u_path.clone(),
    ] {
        assert_eq!(other.get(&p).await.0, 404, "{p}");
    }
    // The API says the same.
    let v = app
        .get_ok(&app.token("city").await, "/api/v1/imports")
        .await;
    let ids: Vec<&str> = strs(&v["items"], "id");
    assert!(
        ids.contains(&d_id.as_str()) && ids.contains(&u_id.as_str()),
        "{v}"
    );
    assert_eq!(v["items"][0]["owner"], "unit", "newest first: {v}");
    let d = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] == d_id.as_str())
        .unwrap();
    assert_eq!(d["kind"], "orgs");
    assert_eq!(d["owner"], "tianning", "{v}");
    assert_eq!(d["rejected"], 1, "{v}");
    assert_eq!(d["counts"]["written"], false, "{v}");
    assert_eq!(d["has_rejected"], true, "{v}");
    let wt = app.token("wujin").await;
    let (_, v) = app.get(&wt, "/api/v1/imports").await;
    assert_eq!(v["total"], 0, "{v}");
    assert_eq!(
        app.get(&wt, &format!("/api/v1/imports/{d_id}")).await.0,
        404
    );
    let (_, v) = app
        .get(
            &app.token("tianning").await,
            "/api/v1/imports?per_page=1&page=2",
        )
        .await;
    assert_eq!(
        (v["total"].as_i64(), v["items"].as_array().unwrap().len()),
        (Some(2), 1),
        "{v}"
    );
    assert_eq!(v["items"][0]["id"], d_id.as_str(), "{v}");
}

/// A job still running when its page is rendered: the page shows the progress and polls
/// the status fragment (htmx attributes, no script), which swaps in the result once the
/// job is done — whichever server finished it.
#[tokio::test]
async fn running_job_page_polls_until_the_result_replaces_it() {
    let app = spawn_demo().await;
    let b = app.browser("tianning").await;
    let user = {
        let mut conn = app.svc.db.pool.acquire().await.unwrap();
        gongjiang_storage::users::by_username(&mut conn, "tianning")
            .await
            .unwrap()
            .unwrap()
            .0
    };
    let row = app
        .svc
        .create_import_job("stillrunning0001", user.id, "orgs", "slow.csv")
        .await
        .unwrap();
    let page = b.get_ok("/imports/stillrunning0001").await;
    assert!(page.contains("正在校验并导入"), "{page}");
    assert!(
        page.contains("hx-get=\"/imports/stillrunning0001/status\"")
            && page.contains("hx-trigger=\"load delay:700ms\"")
            && page.contains("hx-target=\"#job\""),
        "{page}"
    );
    let (_, frag) = b.get("/imports/stillrunning0001/status").await;
    assert!(frag.contains("hx-trigger=\"load delay:700ms\""), "{frag}");
    let outcome = gongjiang_storage::import::Outcome {
        total: 3,
        valid: 2,
        created: 1,
        updated: 1,
        unchanged: 0,
        would_create: 0,
        would_update: 0,
        problems: vec![gongjiang_storage::import::RowProblem {
            row: 4,
            field: Some("uscc".into()),
            message_zh: "统一社会信用代码校验码错误".into(),
            message_en: "bad check character".into(),
        }],
        written: true,
    };
    app.svc
        .finish_import_job(row, &outcome, None)
        .await
        .unwrap();
    let (_, frag) = b.get("/imports/stillrunning0001/status").await;
    assert!(!frag.contains("hx-trigger"), "polling stops: {frag}");
    assert!(
        frag.contains(
            "<td class=\"num\">4</td><td>统一社会信用代码</td><td>统一社会信用代码校验码错误</td>"
        ),
        "{frag}"
    );
    assert!(frag.contains("其余 2 行有效数据已写入"), "{frag}");
    // An unknown field is shown by its key.
    assert_eq!(
        gongjiang_web::ui::imports::column_label("orgs", Some("nonesuch")),
        "nonesuch"
    );
}
