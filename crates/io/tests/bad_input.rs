//! Every kind of bad input gets a precise message: files that are not spreadsheets,
//! truncated and zip-bombed xlsx, wrong sheets, bad headers, formulas, merged cells,
//! dates, full-width characters, long numbers, size limits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{all_rows, joined, open_mapped};
use gongjiang_io::{
    map_headers, open, template, xlsx, Cell, FileError, Limits, DESIGNATIONS, ORGS, REPORTS,
    WORKERS,
};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::io::Write;

fn err(bytes: &[u8], limits: &Limits) -> FileError {
    open(bytes, "upload.xlsx", Some("职工"), limits).unwrap_err()
}

fn workers_xlsx() -> Vec<u8> {
    xlsx(&WORKERS, common::sample_rows(&WORKERS).into_iter()).unwrap()
}

/// A workbook with one sheet named `name`, filled by `fill`.
fn book(name: &str, fill: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(name).unwrap();
    fill(ws);
    wb.save_to_buffer().unwrap()
}

fn headers(ws: &mut rust_xlsxwriter::Worksheet, hs: &[&str]) {
    for (i, h) in hs.iter().enumerate() {
        ws.write_string(0, i as u16, *h).unwrap();
    }
}

const W3: [&str; 3] = ["姓名", "身份证号", "单位信用代码"];

#[test]
fn not_spreadsheets() {
    let l = Limits::default();
    assert_eq!(err(b"", &l), FileError::Empty);
    assert_eq!(err(b"\xEF\xBB\xBF", &l), FileError::Empty);
    let pdf = err(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n", &l);
    assert!(pdf.message_zh().contains("PDF"), "{pdf}");
    assert!(pdf.message_en().contains("PDF"));
    let png = err(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &l);
    assert!(png.to_string().contains("图片"));
    assert_eq!(
        err(
            &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0],
            &l
        ),
        FileError::LegacyOrEncrypted
    );
    let html = err(b"  <html><body><table><tr><td>1</td></tr></table>", &l);
    assert!(html.to_string().contains("HTML"));
    // Random bytes.
    let mut rng_state = 0x2545F4914F6CDD1Du64;
    let random: Vec<u8> = (0..4096)
        .map(|_| {
            rng_state ^= rng_state << 13;
            rng_state ^= rng_state >> 7;
            rng_state ^= rng_state << 17;
            (rng_state >> 24) as u8
        })
        .collect();
    assert!(matches!(err(&random, &l), FileError::NotSpreadsheet { .. }));
    // A zip that is not a workbook.
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.start_file("readme.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(b"hello").unwrap();
    let plain_zip = z.finish().unwrap().into_inner();
    assert!(err(&plain_zip, &l).to_string().contains("ZIP"));
    // An OpenDocument spreadsheet.
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.start_file(
        "mimetype",
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
    )
    .unwrap();
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    let ods = z.finish().unwrap().into_inner();
    assert_eq!(err(&ods, &l), FileError::Ods);
    assert!(FileError::Ods.to_string().contains(".xlsx"));
}

#[test]
fn truncated_xlsx() {
    let full = workers_xlsx();
    for cut in [full.len() / 2, full.len() - 1, 30, full.len() - 22] {
        let e = err(&full[..cut], &Limits::default());
        assert!(matches!(e, FileError::Corrupt { .. }), "{cut}: {e:?}");
        assert!(e.to_string().contains("损坏或不完整"));
    }
}

/// A zip holding `[Content_Types].xml` and one big entry of zeros.
fn zeros_zip(entry: &str, size: usize) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    z.start_file("[Content_Types].xml", opts).unwrap();
    z.write_all(b"<Types/>").unwrap();
    z.start_file(entry, opts).unwrap();
    let chunk = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len());
        z.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    z.finish().unwrap().into_inner()
}

#[test]
fn zip_bombs() {
    // Declared size over the uncompressed limit.
    let bomb = zeros_zip("xl/worksheets/sheet1.xml", 12 << 20);
    assert!(bomb.len() < 100_000, "compressed to {}", bomb.len());
    let small = Limits {
        max_uncompressed_bytes: 8 << 20,
        ..Limits::default()
    };
    let e = err(&bomb, &small);
    assert!(matches!(e, FileError::ZipBomb { .. }), "{e:?}");
    assert!(e.to_string().contains("解压后总大小超过上限"), "{e}");
    // Within the size limit but with an absurd compression ratio.
    let e = err(&bomb, &Limits::default());
    assert!(e.to_string().contains("压缩比"), "{e}");
    assert!(e.message_en().contains("zip bomb"), "{}", e.message_en());

    // An entry that lies about its size: patch the declared sizes down to 1000 bytes.
    let mut liar = zeros_zip("xl/sharedStrings.xml", 2 << 20);
    let declared = (2u32 << 20).to_le_bytes();
    let small_size = 1000u32.to_le_bytes();
    let mut patched = 0;
    for i in 0..liar.len().saturating_sub(30) {
        let local = &liar[i..i + 4] == b"PK\x03\x04" && liar[i + 22..i + 26] == declared;
        let central = &liar[i..i + 4] == b"PK\x01\x02" && liar[i + 24..i + 28] == declared;
        if local {
            liar[i + 22..i + 26].copy_from_slice(&small_size);
            patched += 1;
        }
        if central {
            liar[i + 24..i + 28].copy_from_slice(&small_size);
            patched += 1;
        }
    }
    assert_eq!(patched, 2);
    let e = err(&liar, &Limits::default());
    assert!(matches!(e, FileError::ZipBomb { .. }), "{e:?}");
    assert!(e.to_string().contains("实际解压大小超过声明的大小"), "{e}");
}

#[test]
fn over_size_limit() {
    let bytes = workers_xlsx();
    let l = Limits {
        max_file_bytes: 1000,
        ..Limits::default()
    };
    let e = err(&bytes, &l);
    assert!(matches!(e, FileError::TooLarge { limit: 1000, .. }));
    assert!(e.to_string().contains("超过上限"), "{e}");
    let csv = gongjiang_io::csv(&WORKERS, common::sample_rows(&WORKERS).into_iter());
    assert!(matches!(
        open(
            &csv,
            "a.csv",
            None,
            &Limits {
                max_file_bytes: 10,
                ..Limits::default()
            }
        )
        .unwrap_err(),
        FileError::TooLarge { .. }
    ));
    let rows = Limits {
        max_rows: 2,
        ..Limits::default()
    };
    let mut sheet = open(&bytes, "w.xlsx", Some("职工"), &rows).unwrap();
    let res: Vec<_> = sheet.rows().unwrap().collect();
    assert_eq!(
        res.last().unwrap(),
        &Err(FileError::TooManyRows { limit: 2 })
    );
}

#[test]
fn sheet_selection() {
    let two = |second_has_data: bool| {
        let mut wb = Workbook::new();
        let a = wb.add_worksheet();
        headers(a, &W3);
        let b = wb.add_worksheet();
        if second_has_data {
            b.write_string(0, 0, "x").unwrap();
        }
        wb.save_to_buffer().unwrap()
    };
    // Several sheets with data, none named 职工.
    let e = err(&two(true), &Limits::default());
    assert_eq!(
        e,
        FileError::SheetNotFound {
            expected: "职工".into(),
            found: vec!["Sheet1".into(), "Sheet2".into()]
        }
    );
    assert!(e.to_string().contains("没有名为“职工”的工作表"));
    // Only one sheet has data: that one is read.
    let bytes = two(false);
    let s = open(&bytes, "a.xlsx", Some("职工"), &Limits::default()).unwrap();
    assert_eq!(s.headers(), W3);
    // A single sheet is read whatever its name.
    let single = book("Sheet1", |ws| headers(ws, &W3));
    assert!(open(&single, "a.xlsx", Some("职工"), &Limits::default()).is_ok());
    // The expected sheet is picked among several, width- and space-insensitively.
    let mut wb = Workbook::new();
    wb.add_worksheet().write_string(0, 0, "x").unwrap();
    let w = wb.add_worksheet();
    w.set_name(" 职工").unwrap();
    headers(w, &W3);
    let bytes = wb.save_to_buffer().unwrap();
    let s = open(&bytes, "a.xlsx", Some("职工"), &Limits::default()).unwrap();
    assert_eq!(s.headers(), W3);
}

#[test]
fn empty_header_row() {
    let bytes = book("职工", |ws| {
        ws.write_string(1, 0, "张三").unwrap();
    });
    assert_eq!(err(&bytes, &Limits::default()), FileError::NoHeader);
}

#[test]
fn header_problems_in_a_real_file() {
    let bytes = book("职工", |ws| {
        headers(ws, &["姓名", "身份证", "姓名", "单位信用代码", "手机号码"]);
    });
    let sheet = open(&bytes, "a.xlsx", Some("职工"), &Limits::default()).unwrap();
    let p = map_headers(&WORKERS, sheet.headers()).unwrap_err();
    let all = joined(&p);
    assert!(
        all.contains("第1行「身份证」:第B列的列名“身份证”不是本模板的列,是否应为“身份证号”"),
        "{all}"
    );
    assert!(all.contains("列“姓名”重复(第A列和第C列)"), "{all}");
    assert!(
        all.contains("“手机号码”不是本模板的列,是否应为“手机号”"),
        "{all}"
    );
    assert!(all.contains("缺少必填列“身份证号”"), "{all}");
    assert_eq!(p.len(), 4);
    assert!(p.iter().any(|p| p
        .to_string_en()
        .contains("did you mean '身份证号' (id_number)")));
}

#[test]
fn formulas_are_rejected_per_cell() {
    let bytes = book("职工", |ws| {
        headers(ws, &W3);
        ws.write_string(1, 0, "张三").unwrap();
        ws.write_string(1, 1, "32040219900101123X").unwrap();
        ws.write_formula(1, 2, "=CONCATENATE(\"9132\",\"0402\")")
            .unwrap();
        ws.write_string(2, 0, "李四").unwrap();
    });
    let (mut sheet, map) = open_mapped(&WORKERS, &bytes);
    let rows = all_rows(&mut sheet);
    assert_eq!(
        rows[0].cells[2],
        Cell::Formula("CONCATENATE(\"9132\",\"0402\")".into())
    );
    let mut r = map.reader(&rows[0]);
    assert_eq!(r.code("org_uscc"), None);
    let p = r.finish();
    assert_eq!(p.len(), 1, "{}", joined(&p));
    assert_eq!(p[0].row, 2);
    assert_eq!(p[0].column.as_deref(), Some("单位信用代码"));
    assert!(p[0].message_zh.starts_with("第2行第C列含公式"), "{}", p[0]);
    assert!(p[0].message_zh.ends_with("请粘贴为数值"));
}

/// Through the whole reading of an import, a formula is one problem, not two.
#[test]
fn a_formula_is_reported_once_by_the_importer() {
    let bytes = book("单位", |ws| {
        headers(
            ws,
            &["单位名称", "统一社会信用代码", "单位类型", "所属区划代码"],
        );
        ws.write_string(1, 0, "公式企业有限公司").unwrap();
        ws.write_formula(1, 1, "=A1").unwrap();
        ws.write_string(1, 2, "企业").unwrap();
        ws.write_string(1, 3, "320402").unwrap();
    });
    let parsed = gongjiang_io::run::parse_file("orgs", &bytes, "orgs.xlsx").unwrap();
    let p: Vec<String> = parsed
        .cell_problems()
        .iter()
        .map(|p| p.message_zh.clone())
        .collect();
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("含公式"), "{p:?}");
}

#[test]
fn merged_cells_are_rejected_naming_the_range() {
    let bytes = book("职工", |ws| {
        headers(ws, &W3);
        ws.merge_range(1, 0, 2, 0, "张三", &Format::new()).unwrap();
        ws.write_string(1, 1, "32040219900101123X").unwrap();
        ws.write_string(2, 1, "320402199202021234").unwrap();
    });
    let (mut sheet, _) = open_mapped(&WORKERS, &bytes);
    assert_eq!(sheet.merged().len(), 1);
    let p = sheet.problems();
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].row, 2);
    assert_eq!(p[0].column.as_deref(), Some("姓名"));
    assert!(p[0].message_zh.contains("合并单元格 A2:A3"), "{}", p[0]);
    assert!(p[0].message_en.contains("A2:A3"));
    assert_eq!(all_rows(&mut sheet).len(), 2);
}

#[test]
fn dates_as_serials_dates_and_text() {
    let day = chrono::NaiveDate::from_ymd_opt(2023, 5, 1);
    let bytes = book("职工", |ws| {
        headers(ws, &["姓名", "身份证号", "单位信用代码", "取证日期"]);
        for r in 1..=6u32 {
            ws.write_string(r, 0, "张三").unwrap();
        }
        ws.write_number(1, 3, 45047.0).unwrap(); // serial, General format
        let f = Format::new().set_num_format("yyyy/m/d");
        ws.write_datetime_with_format(2, 3, ExcelDateTime::from_ymd(2023, 5, 1).unwrap(), &f)
            .unwrap();
        ws.write_string(3, 3, "2023年5月1日").unwrap();
        ws.write_string(4, 3, "２０２３/５/１").unwrap();
        ws.write_string(5, 3, "5/1/2023").unwrap();
        ws.write_string(6, 3, "2023-02-30").unwrap();
        ws.write_string(6, 0, "王五").unwrap();
    });
    let (mut sheet, map) = open_mapped(&WORKERS, &bytes);
    let rows = all_rows(&mut sheet);
    assert_eq!(rows[1].cells[3], Cell::Date(day.unwrap()));
    for row in &rows[..4] {
        let mut r = map.reader(row);
        assert_eq!(r.date("certified_on"), day, "row {}", row.line);
    }
    for row in &rows[4..] {
        let mut r = map.reader(row);
        assert_eq!(r.date("certified_on"), None);
        let p = r.finish();
        assert!(p[0].message_zh.contains("不是有效日期"), "{}", p[0]);
        assert_eq!(p[0].column.as_deref(), Some("取证日期"));
    }
}

#[test]
fn full_width_digits_and_spaces_are_normalised() {
    let bytes = book("单位", |ws| {
        headers(
            ws,
            &[
                "单位名称",
                "统一社会信用代码",
                "单位类型",
                "所属区划代码",
                "是否链主企业",
            ],
        );
        ws.write_string(1, 0, "  常州　某某公司 ").unwrap();
        ws.write_string(1, 1, "９１３２ ０４０２ＭＡ１ＭＸＸＸＸ０Ａ")
            .unwrap();
        ws.write_string(1, 2, " 企 业").unwrap();
        ws.write_string(1, 3, "３２０４０２\u{3000}").unwrap();
        ws.write_string(1, 4, "Ｙ").unwrap();
    });
    let (mut sheet, map) = open_mapped(&ORGS, &bytes);
    let rows = all_rows(&mut sheet);
    let mut r = map.reader(&rows[0]);
    assert_eq!(r.text("name").as_deref(), Some("常州 某某公司"));
    assert_eq!(r.code("uscc").as_deref(), Some("91320402MA1MXXXX0A"));
    assert_eq!(r.choice("kind"), Some("企业"));
    assert_eq!(r.code("region_code").as_deref(), Some("320402"));
    assert_eq!(r.yes_no("chain_leader"), Some(true));
    assert!(r.finish().is_empty());
}

#[test]
fn long_numbers_in_scientific_notation_are_rejected() {
    let bytes = book("职工", |ws| {
        headers(ws, &W3);
        ws.write_string(1, 0, "张三").unwrap();
        ws.write_number(1, 1, 320402199001011234.0).unwrap();
        ws.write_string(1, 2, "91320402MA1MXXXX0A").unwrap();
    });
    let (mut sheet, map) = open_mapped(&WORKERS, &bytes);
    let rows = all_rows(&mut sheet);
    let mut r = map.reader(&rows[0]);
    assert_eq!(r.code("id_number"), None);
    let p = r.finish();
    assert_eq!(p[0].column.as_deref(), Some("身份证号"));
    assert!(
        p[0].message_zh.contains("数字过长被 Excel 转为科学计数法"),
        "{}",
        p[0]
    );
    assert!(p[0].to_string_en().contains("scientific notation"));

    // The same from a CSV saved by Excel.
    let csv = "姓名,身份证号,单位信用代码\r\n张三,3.20402E+17,91320402MA1MXXXX0A\r\n";
    let mut sheet = open(csv.as_bytes(), "a.csv", None, &Limits::default()).unwrap();
    let map = map_headers(&WORKERS, sheet.headers()).unwrap();
    let rows = all_rows(&mut sheet);
    let mut r = map.reader(&rows[0]);
    assert_eq!(r.code("id_number"), None);
    assert!(joined(&r.finish()).contains("第2行「身份证号」值“3.20402E+17”:数字过长"));
}

#[test]
fn data_without_header_and_error_values() {
    let bytes = book("职工", |ws| {
        headers(ws, &W3);
        ws.write_string(1, 0, "张三").unwrap();
        ws.write_string(1, 1, "32040219900101123X").unwrap();
        ws.write_string(1, 2, "91320402MA1MXXXX0A").unwrap();
        ws.write_string(1, 4, "备注内容").unwrap();
        ws.write_formula(2, 0, "=1/0").unwrap();
    });
    let (mut sheet, map) = open_mapped(&WORKERS, &bytes);
    let rows = all_rows(&mut sheet);
    let p = map.check_row(&rows[0]);
    assert_eq!(p.len(), 1);
    assert!(
        p[0].to_string()
            .contains("第2行「E列」值“备注内容”:第E列有数据但没有列名"),
        "{}",
        p[0]
    );
    let p = map.reader(&rows[1]).finish();
    assert!(joined(&p).contains("含公式“=1/0”"));
}

#[test]
fn required_and_choices_and_numbers() {
    let csv = "统一社会信用代码,报告期,职工总数,一线职工数,培训投入万元\n\
               91320402MA1MXXXX0A,2023,\"1,020\",12.5,-3\n\
               ,2023,１２,abc,1 000.5\n";
    let mut sheet = open(csv.as_bytes(), "r.csv", None, &Limits::default()).unwrap();
    let map = map_headers(&REPORTS, sheet.headers()).unwrap();
    let rows = all_rows(&mut sheet);
    let mut r = map.reader(&rows[0]);
    assert_eq!(r.int("workers"), Some(1020));
    assert_eq!(r.int("frontline_workers"), None);
    assert_eq!(r.decimal("training_spend_wan"), None);
    let p = r.finish();
    assert!(
        joined(&p).contains("第2行「一线职工数」值“12.5”:“12.5”不是整数"),
        "{}",
        joined(&p)
    );
    assert!(
        joined(&p).contains("第2行「培训投入万元」值“-3”:“-3”为负数"),
        "{}",
        joined(&p)
    );
    let mut r = map.reader(&rows[1]);
    assert_eq!(r.code("uscc"), None);
    assert_eq!(r.int("workers"), Some(12));
    assert_eq!(r.int("frontline_workers"), None);
    assert_eq!(r.decimal("training_spend_wan"), Some(1000.5));
    let p = r.finish();
    assert!(
        joined(&p).contains("第3行「统一社会信用代码」:“统一社会信用代码”为必填项"),
        "{}",
        joined(&p)
    );
    assert!(joined(&p).contains("“abc”不是数字"));

    let csv = "类型,级别,年份\n龙城 工匠,市 级,２０２３年\n龙城工匠,县级,23\n";
    let mut sheet = open(csv.as_bytes(), "d.csv", None, &Limits::default()).unwrap();
    let map = map_headers(&DESIGNATIONS, sheet.headers()).unwrap();
    let rows = all_rows(&mut sheet);
    let mut r = map.reader(&rows[0]);
    assert_eq!(r.choice("type"), Some("龙城工匠"));
    assert_eq!(r.choice("level"), Some("市级"));
    assert_eq!(r.year("year"), Some(2023));
    assert!(r.finish().is_empty());
    let mut r = map.reader(&rows[1]);
    assert_eq!(r.choice("level"), None);
    assert_eq!(r.year("year"), None);
    let all = joined(&r.finish());
    assert!(
        all.contains("“县级”不在可选值中,应为:国家级、省级、市级、区级、镇级、企业级"),
        "{all}"
    );
    assert!(all.contains("“23”不是有效年份"), "{all}");
}

#[test]
fn template_filled_in_is_read() {
    // A template is a valid import file; blank rows with drop-downs are skipped.
    let t = template(&ORGS).unwrap();
    let (mut sheet, _) = open_mapped(&ORGS, &t);
    assert!(all_rows(&mut sheet).is_empty());
}
