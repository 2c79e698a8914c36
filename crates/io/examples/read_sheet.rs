//! Reads an import file the way an importer does (open, map headers, read every column
//! of every row with the typed helpers) and prints counts and timing; for benchmarks.
//!
//! ```text
//! cargo run --release -p gongjiang-io --example read_sheet -- workers workers.xlsx
//! ```

use gongjiang_io::{map_headers, open_path, spec, Kind, Limits};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let kind = args.next().unwrap_or_else(|| "workers".into());
    let path = args.next().ok_or("usage: read_sheet KIND FILE")?;
    let spec = spec(&kind).ok_or("unknown kind")?;
    let start = Instant::now();
    let mut sheet = open_path(
        std::path::Path::new(&path),
        Some(spec.sheet),
        &Limits::default(),
    )?;
    let opened = start.elapsed();
    let map = map_headers(spec, sheet.headers()).map_err(|p| format!("{p:?}"))?;
    let mut problems = sheet.problems();
    let mut rows = 0usize;
    for row in sheet.rows()? {
        let row = row?;
        rows += 1;
        let mut r = map.reader(&row);
        for c in spec.columns {
            match c.kind {
                Kind::Text => drop(r.text(c.key)),
                Kind::Code | Kind::Period => drop(r.code(c.key)),
                Kind::Integer => drop(r.int(c.key)),
                Kind::Decimal => drop(r.decimal(c.key)),
                Kind::Date => drop(r.date(c.key)),
                Kind::Year => drop(r.year(c.key)),
                Kind::YesNo => drop(r.yes_no(c.key)),
                Kind::Choice => drop(r.choice(c.key)),
            }
        }
        problems.extend(r.finish());
    }
    eprintln!(
        "{rows} rows, {} problems; opened in {:.2?}, total {:.2?}",
        problems.len(),
        opened,
        start.elapsed()
    );
    for p in problems.iter().take(5) {
        eprintln!("  {p}");
    }
    Ok(())
}
