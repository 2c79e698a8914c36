//! Files written by LibreOffice (7.x, Calc "Excel 2007-365" and ODS filters), committed
//! under tests/fixtures/ and made by `regenerate_libreoffice_fixtures` below.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{all_rows, joined, sample_rows};
use gongjiang_io::{map_headers, open, Cell, FileError, Limits, WORKERS};

const RESAVED: &[u8] = include_bytes!("fixtures/workers_libreoffice.xlsx");
const FROM_CSV: &[u8] = include_bytes!("fixtures/workers_csv_libreoffice.xlsx");
const ODS: &[u8] = include_bytes!("fixtures/workers_libreoffice.ods");

#[test]
fn export_resaved_by_libreoffice_reads_back_identical() {
    let back = common::read_values(&WORKERS, RESAVED, "workers_libreoffice.xlsx");
    let mut want = sample_rows(&WORKERS);
    for r in &mut want {
        r.resize(WORKERS.columns.len(), String::new());
    }
    assert_eq!(back, want);
}

#[test]
fn csv_opened_and_saved_by_libreoffice() {
    // LibreOffice guesses types when it opens a CSV: long ID numbers become numbers
    // (and lose digits), dates become date cells, leading zeros are dropped.
    let mut sheet = open(FROM_CSV, "w.xlsx", Some(WORKERS.sheet), &Limits::default()).unwrap();
    let map = map_headers(&WORKERS, sheet.headers()).unwrap();
    let rows = all_rows(&mut sheet);
    assert_eq!(rows.len(), 3);
    // Row 2: the ID ends in X, so it stayed text; the date is a real date cell.
    let mut r = map.reader(&rows[0]);
    assert_eq!(r.code("id_number").as_deref(), Some("32040219900101123X"));
    assert_eq!(r.text("phone").as_deref(), Some("13812345678"));
    assert_eq!(
        r.date("certified_on"),
        chrono::NaiveDate::from_ymd_opt(2023, 5, 1)
    );
    assert!(matches!(map.cell(&rows[0], "certified_on"), Cell::Date(_)));
    assert!(r.finish().is_empty());
    // Row 3: an all-digit ID became a number in scientific notation: rejected, precisely.
    let mut r = map.reader(&rows[1]);
    assert_eq!(r.code("id_number"), None);
    let p = r.finish();
    assert_eq!(p.len(), 1, "{}", joined(&p));
    assert_eq!(p[0].row, 3);
    assert_eq!(p[0].column.as_deref(), Some("身份证号*"));
    assert!(p[0].message_zh.contains("科学计数法"));
}

#[test]
fn ods_is_refused_with_advice() {
    let e = open(ODS, "workers.ods", Some(WORKERS.sheet), &Limits::default()).unwrap_err();
    assert_eq!(e, FileError::Ods);
    assert!(e.to_string().contains("另存为"));
}

/// Rewrites the fixtures with the LibreOffice on this machine:
/// `cargo test -p gongjiang-io --test libreoffice -- --ignored`.
#[test]
#[ignore = "needs LibreOffice; regenerates tests/fixtures"]
fn regenerate_libreoffice_fixtures() {
    use std::process::Command;
    let dir = std::env::temp_dir().join("gongjiang-io-lo");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("out")).unwrap();
    let rows = sample_rows(&WORKERS);
    std::fs::write(
        dir.join("workers_libreoffice.xlsx"),
        gongjiang_io::xlsx(&WORKERS, rows.clone().into_iter()).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.join("workers_csv_libreoffice.csv"),
        gongjiang_io::csv(&WORKERS, rows.into_iter()),
    )
    .unwrap();
    let convert = |args: &[&str]| {
        let status = Command::new("libreoffice")
            .arg("--headless")
            .args(args)
            .arg("--outdir")
            .arg(dir.join("out"))
            .current_dir(&dir)
            .status()
            .unwrap();
        assert!(status.success());
    };
    convert(&["--convert-to", "xlsx", "workers_libreoffice.xlsx"]);
    convert(&[
        "--infilter=CSV:44,34,76,1",
        "--convert-to",
        "xlsx",
        "workers_csv_libreoffice.csv",
    ]);
    convert(&["--convert-to", "ods", "workers_libreoffice.xlsx"]);
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for f in [
        "workers_libreoffice.xlsx",
        "workers_csv_libreoffice.xlsx",
        "workers_libreoffice.ods",
    ] {
        std::fs::copy(dir.join("out").join(f), fixtures.join(f)).unwrap();
    }
}
