//! Checks of the web crate's own functions, where HTTP is not the point: number and
//! money formats and the text tables, file sizes and refusals, chart layout, the kept
//! reads, query errors, the proxy rule.
//!
//! They live here rather than in `#[cfg(test)]` modules of the crate: a unit-test target
//! compiles the whole web crate a second time (113 s of a 363 s build on the 2-core
//! machine, docs/performance.md), and these need nothing private.

mod charts;
mod extract;
mod i18n;
mod reads;
mod throttle;
mod ui;

/// The web crate and the command line have no unit-test target (`test = false` in their
/// Cargo.toml): a `#[cfg(test)]` module there would compile and never run. Their checks
/// belong in this module (or `tests/cli/`).
#[test]
fn no_check_hides_where_it_would_never_run() {
    let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![web.join("src"), web.join("../../src")];
    let mut hidden = Vec::new();
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                if text.contains("#[cfg(test)]") || text.contains("#[test]") {
                    hidden.push(p.display().to_string());
                }
            }
        }
    }
    assert!(
        hidden.is_empty(),
        "tests in a crate without a test target never run; move them to tests/app/units/: {hidden:?}"
    );
}
