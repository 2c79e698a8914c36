//! Every navigation link, home pages and account names.

use super::*;

/// The `href`s inside the first `<nav class="sidenav"` … `</nav>` of a page.
fn nav_links(html: &str) -> Vec<String> {
    let start = html
        .find("<nav class=\"sidenav\"")
        .expect("side navigation");
    let end = start + html[start..].find("</nav>").expect("end of navigation");
    html[start..end]
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&amp;", "&"))
        .collect()
}

/// The text a reader sees: the page without its tags (attribute values left out).
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    // Character references (`&#34;`) are not text that names anything.
    let mut text = String::new();
    let mut rest = out.as_str();
    while let Some(i) = rest.find("&#") {
        text.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(';') {
            text.push('\u{FFFD}');
            rest = &after[digits + 1..];
        } else {
            text.push_str("&#");
            rest = after;
        }
    }
    text.push_str(rest);
    text
}

/// An issue number in text: "#4", "# 12", "第 3 号任务", "issue 4".
fn names_an_issue(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        // `&#34;` is an HTML character reference, not an issue.
        if *c == '#' && !(i > 0 && chars[i - 1] == '&') {
            let next = chars[i + 1..].iter().find(|c| **c != ' ');
            if next.is_some_and(|n| n.is_ascii_digit()) {
                return Some(
                    chars[i.saturating_sub(30)..(i + 10).min(chars.len())]
                        .iter()
                        .collect(),
                );
            }
        }
    }
    for pat in ["号任务", "issue "] {
        if let Some(i) = text.find(pat) {
            return Some(text[i.saturating_sub(30)..].chars().take(50).collect());
        }
    }
    None
}

#[tokio::test]
async fn every_navigation_link_answers_for_the_role_that_sees_it_and_no_text_names_an_issue() {
    let app = spawn_demo().await;
    for (user, ..) in gongjiang_demo::DEMO_ACCOUNTS {
        let b = app.browser(user).await;
        let (s, home) = b.get("/").await;
        assert_eq!(s, 200, "{user}: home");
        if let Some(hit) = names_an_issue(&visible_text(&home)) {
            panic!("{user}: the home page names an issue: {hit}");
        }
        let links = nav_links(&home);
        assert!(!links.is_empty(), "{user}: navigation");
        let mut visited = Vec::new();
        for href in &links {
            let (mut s, mut html) = b.get(href).await;
            let mut at = href.clone();
            // A link may lead on (a unit's 六有 opens its own sheet): follow it once.
            if s == 303 {
                let r = b.c.get(format!("{}{href}", b.base)).send().await.unwrap();
                at = r.headers()["location"].to_str().unwrap().to_string();
                (s, html) = b.get(&at).await;
            }
            assert!(s < 400, "{user}: the navigation link {href} answers {s}");
            if let Some(hit) = names_an_issue(&visible_text(&html)) {
                panic!("{user}: {at} names an issue: {hit}");
            }
            visited.push(at);
        }
        // The same pages in English (some pages remember the language: Chinese first).
        for at in &visited {
            let sep = if at.contains('?') { '&' } else { '?' };
            let (_, page) = b.get(&format!("{at}{sep}lang=en")).await;
            if let Some(hit) = names_an_issue(&visible_text(&page)) {
                panic!("{user}: {at} (English) names an issue: {hit}");
            }
        }
    }
    // The expert reads the assessment and policies, not the organisation registers: the
    // register of titles is neither linked nor open to them.
    let b = app.browser("expert").await;
    let (_, home) = b.get("/").await;
    assert!(!nav_links(&home).iter().any(|h| h == "/designations"));
    assert_eq!(b.get("/designations").await.0, 403);
    assert!(nav_links(&home).iter().any(|h| h == "/assessment/scoring"));
    // Placeholders list what is available now, from the navigation of the role.
    let (s, p) = app.browser("city").await.get("/challenges").await;
    assert_eq!(s, 200);
    assert!(
        p.contains("目前可用") && p.contains("href=\"/liuyou\""),
        "{p}"
    );
}

#[tokio::test]
async fn home_pages_show_no_empty_sections_and_point_to_waiting_cases() {
    let app = spawn_demo().await;
    let (s, home) = app.browser("expert").await.get("/").await;
    assert_eq!(s, 200);
    assert!(
        !home.contains("产改核心指标"),
        "empty section on the expert's home"
    );
    let (_, home) = app.browser("city").await.get("/").await;
    assert!(home.contains("产改核心指标"));
    // The city's inbox holds cases of the demo: the home page says so and links there.
    assert!(
        home.contains("件申报与审核事项待您办理") && home.contains("href=\"/inbox\""),
        "{home}"
    );
    assert!(!home.contains("工作流模块"));
}

#[tokio::test]
async fn the_town_account_is_named_after_its_street() {
    let app = spawn_demo().await;
    let (_, home) = app.browser("town").await.get("/").await;
    let user = home
        .split("<div class=\"topbar-user\">")
        .nth(1)
        .expect("top bar");
    let mut spans = user.split("<span").skip(1).map(|s| {
        s.split_once('>')
            .map(|(_, rest)| rest.split("</span>").next().unwrap_or(""))
            .unwrap_or("")
            .to_string()
    });
    let name = spans.next().unwrap();
    let attached = spans.next().unwrap();
    let street = attached.split(" · ").next().unwrap().trim().to_string();
    assert!(
        street.ends_with("街道") || street.ends_with('镇'),
        "{attached}"
    );
    assert!(
        name.starts_with(&street),
        "the town account '{name}' is attached to {street}"
    );
    let (_, me) = app.get(&app.token("town").await, "/api/v1/me").await;
    assert!(me.to_string().contains(&street), "{me}");
    // The name the command line prints is the one loaded with the default seed.
    let listed = gongjiang_demo::DEMO_ACCOUNTS
        .iter()
        .find(|a| a.0 == "town")
        .unwrap()
        .1;
    assert_eq!(listed, name);
}
