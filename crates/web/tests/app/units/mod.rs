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
