//! The text tables' checks (unique keys, every key used exists, full-width
//! punctuation) and number grouping.
use gongjiang_web::i18n::{group, Lang, MESSAGES, T};

#[test]
fn keys_are_unique_and_both_languages_filled() {
    let mut seen = std::collections::HashSet::new();
    for (k, zh, en) in MESSAGES {
        assert!(seen.insert(*k), "duplicate key {k}");
        assert!(
            !zh.is_empty() || k.starts_with("home.unit"),
            "{k} has no Chinese"
        );
        let _ = en;
    }
}

/// Every key the templates and handlers look up exists (a missing one would show
/// as a raw key such as `common.status` on the page).
#[test]
fn every_key_used_exists() {
    let keys: std::collections::HashSet<&str> = MESSAGES.iter().map(|(k, _, _)| *k).collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut dirs = vec![root.join("templates"), root.join("src")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "html" || x == "rs") {
                files.push(p);
            }
        }
    }
    let mut missing = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, _) in text.match_indices(".s(\"") {
            let rest = &text[i + 4..];
            let Some(end) = rest.find('"') else { continue };
            let key = &rest[..end];
            let dynamic = key.is_empty() || key.ends_with('.') || key.contains('{');
            if !dynamic && key.contains('.') && !keys.contains(key) {
                missing.push(format!("{}: {key}", f.display()));
            }
        }
    }
    assert!(missing.is_empty(), "keys without text: {missing:#?}");
}

/// Chinese text uses full-width punctuation: no ASCII , : ; ( ) ! ? right after a
/// Chinese character in the Chinese column.
#[test]
fn chinese_text_uses_full_width_punctuation() {
    let bad: Vec<&str> = MESSAGES
        .iter()
        .filter(|(_, zh, _)| {
            let cs: Vec<char> = zh.chars().collect();
            cs.windows(2)
                .any(|w| ('\u{4e00}'..='\u{9fff}').contains(&w[0]) && ",:;()!?".contains(w[1]))
        })
        .map(|(k, _, _)| *k)
        .collect();
    assert!(
        bad.is_empty(),
        "half-width punctuation after Chinese: {bad:?}"
    );
}

#[test]
fn grouping() {
    assert_eq!(group(1020), "1,020");
    assert_eq!(group(520000), "520,000");
    assert_eq!(group(-5), "-5");
    assert_eq!(group(0), "0");
}

#[test]
fn money_in_wan_the_chinese_way() {
    let zh = T(Lang::Zh);
    assert_eq!(zh.wan(12.5), "12.50万元");
    assert_eq!(zh.wan(1020.0), "1,020.00万元");
    assert_eq!(zh.wan(57_800.0), "5.78亿元");
    assert_eq!(T(Lang::En).wan(1020.0), "1,020.00 (10k yuan)");
}
