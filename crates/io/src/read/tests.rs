//! Unit tests of spreadsheet reading.

use super::*;
use crate::cell::Cell;

fn limits() -> Limits {
    Limits::default()
}

fn rows(sheet: &mut Sheet<'_>) -> Vec<Row> {
    sheet.rows().unwrap().map(|r| r.unwrap()).collect()
}

#[test]
fn csv_utf8_with_bom_and_blank_lines() {
    let data = "\u{FEFF}姓名,身份证号\r\n张三,'=1+2\r\n\r\n,\r\n李四,x\r\n";
    let mut s = open(data.as_bytes(), "a.csv", None, &limits()).unwrap();
    assert_eq!(s.headers(), ["姓名", "身份证号"]);
    assert_eq!(
        s.format(),
        &Format::Csv {
            encoding: TextEncoding::Utf8,
            delimiter: b','
        }
    );
    let r = rows(&mut s);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].line, 2);
    assert_eq!(r[0].cells[1], Cell::Text("=1+2".into()));
    assert_eq!(r[1].line, 5);
    assert_eq!(r[1].cells[0], Cell::Text("李四".into()));
}

#[test]
fn csv_gb18030_and_tabs() {
    let (bytes, _, _) = encoding_rs::GB18030.encode("姓名\t工种\n张三\t车工\n");
    let mut s = open(&bytes, "a.csv", None, &limits()).unwrap();
    assert_eq!(
        s.format(),
        &Format::Csv {
            encoding: TextEncoding::Gb18030,
            delimiter: b'\t'
        }
    );
    assert_eq!(s.headers(), ["姓名", "工种"]);
    assert_eq!(rows(&mut s)[0].cells[1], Cell::Text("车工".into()));
}

#[test]
fn csv_utf16() {
    let mut bytes = vec![0xFF, 0xFE];
    for u in "姓名\t工种\r\n张三\t车工\r\n".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let mut s = open(&bytes, "a.txt", None, &limits()).unwrap();
    assert_eq!(s.headers(), ["姓名", "工种"]);
    assert_eq!(rows(&mut s)[0].cells[0], Cell::Text("张三".into()));
}

#[test]
fn csv_row_numbers_match_excel() {
    for (data, want) in [
        ("a,b\n\"x\ny\",1\nz,2\n", vec![2, 3]),
        ("a,b\r\n\"x\r\ny\",1\r\nz,2\r\n", vec![2, 3]),
        ("a,b\n1,2\n\n\n3,4\n\"p\nq\",5\n\n6,7\n", vec![2, 5, 6, 8]),
        // A last line without line end, after blank lines, is counted one short:
        // csv's line counter cannot tell; harmless and rare.
        ("a,b\n1,2\n3,4", vec![2, 3]),
        ("a,b\r\n\r\n1,2\r\n", vec![3]),
        ("a,b\n\n1,2\n", vec![3]),
        ("a,b\r\n\r\n1,2", vec![3]),
        (
            "a,b\r\n1,2\r\n\r\n\r\n3,4\r\n\"p\r\nq\",5\r\n\r\n6,7\r\n",
            vec![2, 5, 6, 8],
        ),
    ] {
        let mut s = open(data.as_bytes(), "a.csv", None, &limits()).unwrap();
        let got: Vec<usize> = rows(&mut s).iter().map(|r| r.line).collect();
        assert_eq!(got, want, "{data:?}");
    }
    let e = open(b"\n\na,b\n", "a.csv", None, &limits()).unwrap_err();
    assert_eq!(e, FileError::NoHeader);
}

#[test]
fn sniffing() {
    assert_eq!(
        open(b"", "a.csv", None, &limits()).unwrap_err(),
        FileError::Empty
    );
    assert_eq!(
        open(b" \r\n ", "a.csv", None, &limits()).unwrap_err(),
        FileError::Empty
    );
    assert!(matches!(
        open(b"%PDF-1.7\n...", "a.xlsx", None, &limits()).unwrap_err(),
        FileError::NotSpreadsheet { .. }
    ));
    assert_eq!(
        open(
            &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0],
            "a.xls",
            None,
            &limits()
        )
        .unwrap_err(),
        FileError::LegacyOrEncrypted
    );
    assert!(matches!(
        open(b"<html><table>", "a.xls", None, &limits()).unwrap_err(),
        FileError::NotSpreadsheet { .. }
    ));
    let small = Limits {
        max_file_bytes: 4,
        ..Limits::default()
    };
    assert_eq!(
        open(b"a,b\n1,2\n", "a.csv", None, &small).unwrap_err(),
        FileError::TooLarge { bytes: 8, limit: 4 }
    );
}

#[test]
fn too_many_rows_and_columns() {
    let l = Limits {
        max_rows: 2,
        max_columns: 3,
        ..Limits::default()
    };
    let mut s = open(b"a,b\n1,2\n3,4\n5,6\n", "a.csv", None, &l).unwrap();
    let r: Vec<_> = s.rows().unwrap().collect();
    assert_eq!(r.len(), 3);
    assert_eq!(r[2], Err(FileError::TooManyRows { limit: 2 }));
    // After the error the rows end, and stay ended, and the reading is complete.
    let mut rows = s.rows().unwrap();
    assert_eq!(rows.by_ref().filter(Result::is_err).count(), 1);
    assert_eq!(rows.next(), None);
    assert_eq!(rows.progress(), 1.0);
    let mut s = open(b"a,b\n1,2,,,,\n1,2,3,4\n", "a.csv", None, &l).unwrap();
    let r: Vec<_> = s.rows().unwrap().collect();
    assert!(r[0].is_ok());
    assert_eq!(r[1], Err(FileError::TooManyColumns { row: 3, limit: 3 }));
}

#[test]
fn messages_are_bilingual() {
    let e = FileError::SheetNotFound {
        expected: "职工".into(),
        found: vec!["Sheet1".into(), "Sheet2".into()],
    };
    assert!(e.to_string().contains("“职工”"));
    assert!(e.message_en().contains("'职工'"));
    assert!(e.message(true).contains("Sheet1, Sheet2"));
}
