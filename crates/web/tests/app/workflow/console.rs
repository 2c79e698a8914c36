//! The console's buttons on cases, for every role.

use super::*;

/// The `href`s of a page that start with `prefix` (entities decoded), in page order.
fn links_to(html: &str, prefix: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&amp;", "&"))
        .filter(|s| s.starts_with(prefix))
        .collect()
}

#[tokio::test]
async fn every_new_button_on_cases_opens_its_form_for_every_role() {
    let app = spawn_demo().await;
    for (user, ..) in gongjiang_demo::DEMO_ACCOUNTS {
        let b = app.browser(user).await;
        let (s, html) = b.get("/cases").await;
        if *user == "expert" {
            // Experts score the cases they are given; the list is not theirs.
            assert_eq!(s, 403);
            continue;
        }
        assert_eq!(s, 200, "{user}: /cases");
        let news = links_to(&html, "/cases/new");
        for href in &news {
            let (s, form) = b.get(href).await;
            assert_eq!(s, 200, "{user}: {href} answers {s}");
            assert!(form.contains("name=\"_process\""), "{user}: {href}");
        }
        // Processes that drive a module's record start on that module's page: no
        // button for them, a sentence pointing there instead.
        for code in [
            "liuyou",
            "assessment_self_report",
            "task_completion_city",
            "task_completion_district",
            "task_completion_town",
        ] {
            assert!(
                !news.iter().any(|h| h.ends_with(&format!("process={code}"))),
                "{user}: {code}"
            );
        }
        for page in ["/tasks", "/assessment/self", "/liuyou"] {
            assert!(
                html.contains(&format!("<a href=\"{page}\">")),
                "{user}: no pointer to {page}"
            );
        }
        match *user {
            "unit" => {
                assert_eq!(
                    news.first().map(String::as_str),
                    Some("/cases/new?process=pilot_application"),
                    "a unit's first button is the pilot application"
                );
                assert_eq!(news.len(), 4);
            }
            // Member-unit staff do not apply.
            "renshe" => assert!(news.is_empty()),
            _ => assert_eq!(news.len(), 4, "{user}: {news:?}"),
        }
    }
    // An old link to a process that starts elsewhere leads there.
    let b = app.browser("city").await;
    for (code, page) in [
        ("liuyou", "/liuyou"),
        ("assessment_self_report", "/assessment/self"),
        ("task_completion_town", "/tasks"),
    ] {
        let r =
            b.c.get(format!("{}/cases/new?process={code}", b.base))
                .send()
                .await
                .unwrap();
        assert_eq!(r.status(), 303, "{code}");
        assert_eq!(r.headers()["location"], page);
    }
}
