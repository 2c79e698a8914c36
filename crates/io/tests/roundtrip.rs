//! Template → open → headers; export → read back identical, for every spec, as xlsx,
//! as UTF-8 CSV and as GB18030 CSV.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{read_values, sample_rows};
use gongjiang_io::{
    csv, map_headers, open, read::TextEncoding, spec::ALL, template, xlsx, Format, Limits,
};
use std::io::Read;

fn padded(spec: &gongjiang_io::Spec, rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    rows.into_iter()
        .map(|mut r| {
            r.resize(spec.columns.len(), String::new());
            r
        })
        .collect()
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn templates_open_and_map() {
    for spec in ALL {
        let bytes = template(spec).unwrap();
        let mut sheet = open(
            &bytes,
            "template.xlsx",
            Some(spec.sheet),
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(
            sheet.format(),
            &Format::Xlsx {
                sheet: spec.sheet.to_string()
            }
        );
        assert_eq!(sheet.headers(), spec.display_headers().as_slice());
        let map = map_headers(spec, sheet.headers()).unwrap();
        for c in spec.columns {
            assert!(map.has(c.key));
        }
        assert!(sheet.problems().is_empty());
        assert_eq!(sheet.rows().unwrap().count(), 0, "{}", spec.kind);

        // Also opens without naming the sheet (the data sheet is the first one).
        let sheet = open(&bytes, "template.xlsx", None, &Limits::default()).unwrap();
        assert_eq!(sheet.headers().len(), spec.columns.len());

        // The workbook really has notes, drop-downs, a frozen header and 说明.
        let wb = zip_entry(&bytes, "xl/workbook.xml");
        assert!(wb.contains(&format!("name=\"{}\"", spec.sheet)));
        assert!(wb.contains("name=\"说明\""));
        let ws = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
        assert!(ws.contains("ySplit=\"1\""), "frozen header");
        let lists = spec
            .columns
            .iter()
            .filter(|c| !c.choices.is_empty())
            .count();
        if lists > 0 {
            assert!(
                ws.contains(&format!("<dataValidations count=\"{lists}\"")),
                "{ws}"
            );
            assert!(
                ws.contains(":") && ws.contains("100000"),
                "validations reach row 100000"
            );
        }
        let comments = zip_entry(&bytes, "xl/comments1.xml");
        for c in spec.columns {
            assert!(comments.contains(c.key), "note for {}", c.key);
        }
        let strings = zip_entry(&bytes, "xl/sharedStrings.xml");
        assert!(strings.contains("必填"));
    }
}

#[test]
fn xlsx_export_reads_back_identical() {
    for spec in ALL {
        let rows = sample_rows(spec);
        let bytes = xlsx(spec, rows.clone().into_iter()).unwrap();
        let back = read_values(spec, &bytes, "export.xlsx");
        assert_eq!(back, padded(spec, rows), "{}", spec.kind);
    }
}

#[test]
fn csv_export_reads_back_identical() {
    for spec in ALL {
        let rows = sample_rows(spec);
        let bytes = csv(spec, rows.clone().into_iter());
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let back = read_values(spec, &bytes, "export.csv");
        assert_eq!(back, padded(spec, rows), "{}", spec.kind);
    }
}

#[test]
fn gb18030_csv_reads_back_identical() {
    for spec in ALL {
        let rows = sample_rows(spec);
        let utf8 = csv(spec, rows.clone().into_iter());
        let text = std::str::from_utf8(&utf8[3..]).unwrap();
        let (gb, _, unmappable) = encoding_rs::GB18030.encode(text);
        assert!(!unmappable);
        let sheet = open(&gb, "gbk.csv", None, &Limits::default()).unwrap();
        assert_eq!(
            sheet.format(),
            &Format::Csv {
                encoding: TextEncoding::Gb18030,
                delimiter: b','
            }
        );
        let back = read_values(spec, &gb, "gbk.csv");
        assert_eq!(back, padded(spec, rows), "{}", spec.kind);
    }
}

#[test]
fn export_keeps_leading_zeros_and_texts() {
    let spec = &gongjiang_io::WORKERS;
    let bytes = xlsx(spec, sample_rows(spec).into_iter()).unwrap();
    let (mut sheet, map) = common::open_mapped(spec, &bytes);
    let rows = common::all_rows(&mut sheet);
    let cert = map.cell(&rows[0], "certificate_no");
    assert_eq!(cert, &gongjiang_io::Cell::Text("000123".into()));
    // The certified date is a real date cell.
    assert!(matches!(
        map.cell(&rows[0], "certified_on"),
        gongjiang_io::Cell::Date(_)
    ));
}

#[test]
fn export_rejects_too_wide_rows() {
    let spec = &gongjiang_io::PILOTS;
    let row = vec![String::new(); spec.columns.len() + 1];
    assert!(xlsx(spec, vec![row.clone()].into_iter()).is_err());
    let mut out = Vec::new();
    assert!(gongjiang_io::write_csv(&mut out, spec, vec![row].into_iter()).is_err());
}

#[test]
fn rejected_workbook_can_be_fixed_and_reimported() {
    let spec = &gongjiang_io::PILOTS;
    let rows = sample_rows(spec);
    let bytes = csv(spec, rows.into_iter());
    let (mut sheet, map) = common::open_mapped(spec, &bytes);
    let data = common::all_rows(&mut sheet);
    let rejected: Vec<(Vec<String>, String)> = data
        .iter()
        .map(|r| (map.raw_values(r), format!("第{}行:试点级别有误", r.line)))
        .collect();
    let wb = gongjiang_io::rejected_workbook(spec, &map.file_headers(), rejected).unwrap();
    let (mut sheet2, map2) = common::open_mapped(spec, &wb);
    assert_eq!(
        sheet2.headers().last().unwrap(),
        gongjiang_io::REASON_HEADER
    );
    let again = common::all_rows(&mut sheet2);
    assert_eq!(again.len(), data.len());
    for (a, b) in again.iter().zip(&data) {
        assert!(map2.check_row(a).is_empty());
        assert_eq!(map2.values(a), map.values(b));
        assert_eq!(map2.raw_values(a), map.raw_values(b));
    }
    assert!(map2
        .file_headers()
        .iter()
        .all(|h| h != gongjiang_io::REASON_HEADER));
}

#[test]
fn rows_can_be_read_twice_for_two_pass_imports() {
    let spec = &gongjiang_io::WORKERS;
    let rows = sample_rows(spec);
    let as_xlsx = xlsx(spec, rows.clone().into_iter()).unwrap();
    let as_csv = csv(spec, rows.clone().into_iter());
    let (gb, _, _) = encoding_rs::GB18030.encode(std::str::from_utf8(&as_csv[3..]).unwrap());
    for bytes in [&as_xlsx[..], &as_csv[..], &gb[..]] {
        let mut sheet = open(bytes, "w", Some(spec.sheet), &Limits::default()).unwrap();
        let first: Vec<_> = sheet.rows().unwrap().map(|r| r.unwrap()).collect();
        let mut rows = sheet.rows().unwrap();
        let second: Vec<_> = rows.by_ref().map(|r| r.unwrap()).collect();
        assert_eq!(rows.progress(), 1.0);
        assert_eq!(first.len(), 3);
        assert_eq!(first, second);
        assert_eq!(first[0].line, 2);
    }
}

#[test]
fn open_path_reads_from_disk() {
    let spec = &gongjiang_io::ORGS;
    let dir = std::env::temp_dir().join(format!("gongjiang-io-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in [
        (
            "orgs.xlsx",
            xlsx(spec, sample_rows(spec).into_iter()).unwrap(),
        ),
        ("orgs.csv", csv(spec, sample_rows(spec).into_iter())),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, &bytes).unwrap();
        let mut sheet =
            gongjiang_io::open_path(&path, Some(spec.sheet), &Limits::default()).unwrap();
        let map = map_headers(spec, sheet.headers()).unwrap();
        let values: Vec<_> = sheet
            .rows()
            .unwrap()
            .map(|r| map.values(&r.unwrap()))
            .collect();
        assert_eq!(values, read_values(spec, &bytes, name));
        let small = Limits {
            max_file_bytes: 100,
            ..Limits::default()
        };
        assert!(matches!(
            gongjiang_io::open_path(&path, None, &small).unwrap_err(),
            gongjiang_io::FileError::TooLarge { .. }
        ));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
