//! Colour contrast and narrow screens.

use super::*;

fn app_css() -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/app.css"))
        .unwrap()
}

/// Every contrast problem of `css`: each button, badge, alert and workflow step the sheet
/// styles (normal and hovered, on a card), and the other status colours of the console.
fn contrast_problems(css: &str) -> (usize, Vec<String>) {
    use contrast::{chain, Sheet};
    let sheet = Sheet::parse(css);
    let page = ["html", "body.app", "div.shell", "main.content"];
    let card = ["html", "body.app", "div.shell", "main.content", "div.card"];
    let mut probes = sheet.component_probes(&chain(&card));
    probes.extend(sheet.component_probes(&chain(&page)));
    let topbar = ["html", "body.app", "header.topbar"];
    let nav = ["html", "body.app", "div.shell", "nav.sidenav"];
    let extra: Vec<Vec<&str>> = vec![
        [&topbar[..], &["a.brand"]].concat(),
        [&topbar[..], &["button.nav-toggle"]].concat(),
        [&topbar[..], &["button.nav-toggle:hover"]].concat(),
        [&topbar[..], &["div.topbar-user", "span"]].concat(),
        [&topbar[..], &["div.topbar-user", "span.muted"]].concat(),
        [&topbar[..], &["div.topbar-user", "a"]].concat(),
        [&topbar[..], &["div.topbar-user", "a.lang:hover"]].concat(),
        [
            &topbar[..],
            &["div.topbar-user", "form.inline", "button.link"],
        ]
        .concat(),
        [&nav[..], &["div.nav-group", "div.nav-group-title"]].concat(),
        [&nav[..], &["div.nav-group", "a.nav-link"]].concat(),
        [&nav[..], &["div.nav-group", "a.nav-link:hover"]].concat(),
        [&nav[..], &["div.nav-group", "a.nav-link.active"]].concat(),
        [&nav[..], &["div.nav-group", "a.nav-link", "span.soon"]].concat(),
        [&page[..], &["nav.breadcrumbs", "a"]].concat(),
        [&page[..], &["span.muted"]].concat(),
        [&page[..], &["nav.pagination", "span.current"]].concat(),
        [&page[..], &["nav.pagination", "a"]].concat(),
        [&page[..], &["nav.pagination", "span.summary"]].concat(),
        [&card[..], &["span.muted"]].concat(),
        [&card[..], &["a"]].concat(),
        [&card[..], &["a:hover"]].concat(),
        [&card[..], &["form.form", "div.field", "div.field-error"]].concat(),
        [&card[..], &["form.form", "div.field", "div.field-help"]].concat(),
        [&card[..], &["table.table", "thead", "tr", "th"]].concat(),
        [&card[..], &["table.table", "tbody", "tr", "td.num"]].concat(),
        [&card[..], &["ol.timeline", "li", "span.when"]].concat(),
        [&card[..], &["ol.timeline", "li", "div.comment"]].concat(),
        [&card[..], &["div.stat-card", "div.stat-label"]].concat(),
        [&card[..], &["div.empty"]].concat(),
        [&card[..], &["mark"]].concat(),
    ];
    probes.extend(extra.iter().map(|c| chain(c)));
    let mut problems = Vec::new();
    for p in &probes {
        match sheet.check(p) {
            Ok(f) if f.ratio < 4.5 => problems.push(f.to_string()),
            // The full table with `cargo test --test ui wcag -- --nocapture`.
            Ok(f) => println!("{f}"),
            Err(e) => problems.push(format!("{p:?}: {e}")),
        }
    }
    (probes.len(), problems)
}

#[test]
fn buttons_badges_alerts_and_status_colours_meet_wcag_aa() {
    let (n, problems) = contrast_problems(&app_css());
    assert!(n > 60, "probes: {n}");
    assert!(
        problems.is_empty(),
        "text under 4.5:1 (WCAG AA):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_contrast_check_catches_dark_red_on_red() {
    use contrast::{parse_color, ratio};
    let c = |s: &str| parse_color(s).unwrap().unwrap();
    assert!((ratio(c("#000"), c("#fff")) - 21.0).abs() < 1e-9);
    assert!((ratio(c("#777"), c("white")) - 4.48).abs() < 0.01);
    assert!((ratio(c("rgb(255, 255, 255)"), c("#1f5fbf")) - 6.09).abs() < 0.01);
    // The rule that made 不予通过 / 删除 / 退回 / 成立 unreadable (issue #10): dark red text
    // left on the red background of the solid danger button.
    let old = format!(
        "{}\n.btn-danger {{ color: #a1241f; border-color: #eeaaa6; }}\n",
        app_css()
    );
    let (_, problems) = contrast_problems(&old);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("button.btn.btn-danger:") && p.contains("#a1241f on #c0302b")),
        "{problems:#?}"
    );
    // Variables and alpha are resolved: white at 45 % on white is unreadable.
    let (_, problems) = contrast_problems(
        ":root { --x: rgba(255, 255, 255, .45); }\n.badge-ghost { color: var(--x); background: var(--y, #fff); }",
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("span.badge.badge-ghost")),
        "{problems:#?}"
    );
}

#[tokio::test]
async fn narrow_screens_get_a_menu_button_and_cases_print_as_approval_forms() {
    let app = spawn_demo().await;
    let b = app.browser("city").await;
    let (s, home) = b.get("/").await;
    assert_eq!(s, 200);
    // The menu button (wired by app.js), the plain link to the navigation without it.
    assert!(
        home.contains(r#"<button class="nav-toggle" type="button" data-nav-toggle aria-controls="sidenav" aria-expanded="false">"#),
        "{home}"
    );
    assert!(home.contains(r##"<a class="nav-toggle" href="#sidenav">"##));
    assert!(home.contains(r#"<nav class="sidenav" id="sidenav""#));
    let js = b.get("/assets/app.js").await.1;
    assert!(js.contains("[data-nav-toggle]") && js.contains("aria-expanded"));
    assert!(js.contains("[data-print]") && js.contains("window.print()"));
    let css = app_css();
    for rule in [
        "html.js nav.sidenav { order: 0; display: none;",
        "html.js nav.sidenav.open { display: grid; }",
        "div.card, div.tab-panel { overflow-x: auto; }",
        "@media print {",
        "header.topbar, nav.sidenav,",
        "form.no-print, input[type=checkbox], input[type=file] { display: none !important; }",
        "table.print-only { display: table !important; }",
        "@page { size: A4;",
    ] {
        assert!(css.contains(rule), "app.css lacks {rule}");
    }
    // A case waiting for the city: its page has the print button, the approval form's
    // table of opinions for paper and its forms kept off paper.
    let inbox = b.get_ok("/inbox").await;
    let at = inbox.find("href=\"/cases/").expect("a case in the inbox");
    let id: String = inbox[at + 13..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let case = b.get_ok(&format!("/cases/{id}")).await;
    assert!(
        case.contains(r#"<button class="btn" type="button" data-print>打印</button>"#),
        "{case}"
    );
    assert!(case.contains("审批表"));
    assert!(case.contains(r#"<table class="approval print-only">"#));
    for h in ["环节", "办理人", "办理时间", "意见"] {
        assert!(case.contains(&format!("<th>{h}</th>")), "{h}");
    }
    assert!(case.contains(r#"<div class="card no-print">"#));
    assert!(case.contains(r#"<ol class="timeline no-print">"#));
    let (_, en) = b.get(&format!("/cases/{id}?lang=en")).await;
    assert!(en.contains("data-print>Print</button>") && en.contains("Approval form"));
}
