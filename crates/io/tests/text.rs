//! Text extraction for the policy library (`gongjiang_io::extract_text`): real files
//! written by LibreOffice and cairo (see tests/fixtures/README.md), minimal files built
//! here (tracked changes, predefined Chinese CMaps, a scanned page), and broken or
//! hostile input, which must be an error and never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use gongjiang_io::text::MAX_UNPACKED_BYTES;
use gongjiang_io::{doc_kind, extract_text, DocKind, TextError};
use std::io::Write;

const LO_DOCX: &[u8] = include_bytes!("fixtures/policy_libreoffice.docx");
const LO_PDF: &[u8] = include_bytes!("fixtures/policy_libreoffice.pdf");
const CAIRO_PDF: &[u8] = include_bytes!("fixtures/policy_cairo.pdf");

/// Phrases of fixtures/policy_sample.html, the source of the three fixtures.
const PHRASES: &[&str] = &[
    "关于推进产业工人技能提升的实施意见",
    "常人社发〔2024〕12",
    "数字工匠培育计划",
    // Wraps from one line to the next in the PDFs.
    "技能人才培养摆在更加突出的位置",
    "青年技能人才驿站",
    "到2025年底新增高技能人才一万人以上。",
    "ISO 9001",
    "OK-2023",
    "技能等级认定",
    "每人500元",
    "常州市人力资源和社会保障局",
];

fn text_of(name: &str, bytes: &[u8]) -> String {
    extract_text(name, bytes)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
        .unwrap_or_else(|| panic!("{name}: no text"))
}

#[allow(dead_code)]
fn no_spaces(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn docx_written_by_libreoffice() {
    let t = text_of("实施意见.docx", LO_DOCX);
    println!("{t}");
    for p in PHRASES {
        assert!(t.contains(p), "{p} missing in:\n{t}");
    }
    // A line per paragraph; the line break inside the last paragraph is kept.
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines[0], "关于推进产业工人技能提升的实施意见");
    assert!(lines.contains(&"常州市人力资源和社会保障局"), "{lines:?}");
    assert!(lines.contains(&"本意见自印发之日起施行。"), "{lines:?}");
}

#[test]
fn pdf_written_by_libreoffice_simple_fonts_with_to_unicode() {
    let t = text_of("实施意见.pdf", LO_PDF);
    println!("{t}");
    for p in PHRASES {
        assert!(t.contains(p), "{p} missing in:\n{t}");
    }
}

#[test]
fn pdf_written_by_cairo_identity_h_cid_font() {
    let t = text_of("实施意见.pdf", CAIRO_PDF);
    println!("{t}");
    for p in PHRASES {
        assert!(t.contains(p), "{p} missing in:\n{t}");
    }
}

// ---------------------------------------------------------------------------------
// Minimal files built here

fn zip_file(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const CONTENT_TYPES: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

fn docx(body: &str) -> Vec<u8> {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body}</w:body></w:document>"#
    );
    zip_file(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("word/document.xml", xml.as_bytes()),
    ])
}

#[test]
fn minimal_docx_runs_tabs_breaks_and_tracked_changes() {
    let body = concat!(
        // Tab stops in the paragraph properties are not text; a tab in a run is.
        r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>"#,
        r#"<w:r><w:t>第一段</w:t></w:r><w:r><w:tab/><w:t>甲</w:t><w:br/><w:t xml:space="preserve">乙 </w:t></w:r>"#,
        r#"<w:r><w:t>丙</w:t></w:r></w:p>"#,
        // Tracked changes: the insertion counts, the deletion does not.
        r#"<w:p><w:ins w:id="1" w:author="a"><w:r><w:t>新增内容</w:t></w:r></w:ins>"#,
        r#"<w:del w:id="2" w:author="a"><w:r><w:delText>已删除内容</w:delText></w:r></w:del>"#,
        r#"<w:del w:id="3" w:author="a"><w:r><w:t>也删除了</w:t></w:r></w:del>"#,
        r#"<w:moveFrom w:id="4" w:author="a"><w:r><w:t>移走的</w:t></w:r></w:moveFrom></w:p>"#,
        // A text box: the fallback copy for old readers is skipped.
        r#"<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:txbxContent><w:p><w:r><w:t>文本框内容</w:t></w:r></w:p></w:txbxContent></mc:Choice>"#,
        r#"<mc:Fallback><w:txbxContent><w:p><w:r><w:t>文本框内容</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>"#,
        // Field codes are not text; entities and character references are.
        r#"<w:p><w:r><w:instrText> HYPERLINK "http://x" </w:instrText></w:r><w:r><w:t>A&amp;B &#x4E2D;&#25991;</w:t></w:r></w:p>"#,
        r#"<w:p/><w:p><w:r><w:t>末段</w:t></w:r></w:p>"#,
    );
    let t = text_of("min.docx", &docx(body));
    assert_eq!(
        t,
        "第一段\t甲\n乙 丙\n新增内容\n文本框内容\n\nA&B 中文\n\n末段"
    );
}

#[test]
fn docx_errors_are_errors() {
    // Not a zip at all.
    let e = extract_text("x.docx", b"this is not a zip file").unwrap_err();
    assert!(
        matches!(
            e,
            TextError::Corrupt {
                kind: DocKind::Docx,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.message_zh().contains("已损坏"), "{}", e.message_zh());
    // Truncated (an interrupted upload).
    for cut in [10, LO_DOCX.len() / 2, LO_DOCX.len() - 30] {
        let e = extract_text("x.docx", &LO_DOCX[..cut]).unwrap_err();
        assert!(matches!(e, TextError::Corrupt { .. }), "{cut}: {e:?}");
    }
    // A zip without the main document (an .xlsx renamed).
    let z = zip_file(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("xl/workbook.xml", b"<x/>"),
    ]);
    let e = extract_text("x.docx", &z).unwrap_err();
    assert!(matches!(e, TextError::Corrupt { .. }), "{e:?}");
    // Malformed XML.
    let z = zip_file(&[(
        "word/document.xml",
        b"<w:document><w:body><w:p><w:t>x</w:q>",
    )]);
    let e = extract_text("x.docx", &z).unwrap_err();
    assert!(matches!(e, TextError::Corrupt { .. }), "{e:?}");
    // OLE2 containers: a password-protected .docx, a Word 97-2003 .doc, a WPS file.
    let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest of the compound file".to_vec();
    assert_eq!(extract_text("x.docx", &ole), Err(TextError::Encrypted));
    assert_eq!(extract_text("x.doc", &ole), Err(TextError::Legacy));
    assert_eq!(extract_text("x.wps", &ole), Err(TextError::Legacy));
    assert!(TextError::Legacy.message_zh().contains(".docx 或 PDF"));
    // An empty document has no text.
    assert_eq!(extract_text("x.docx", &docx("<w:p/>")), Ok(None));
}

#[test]
fn docx_zip_bomb_is_refused() {
    // word/document.xml inflating past the limit: about 50 KB packed.
    let mut xml = Vec::with_capacity(MAX_UNPACKED_BYTES + 2048);
    xml.extend_from_slice(b"<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>");
    xml.resize(MAX_UNPACKED_BYTES + 1024, b'a');
    xml.extend_from_slice(b"</w:t></w:r></w:p></w:body></w:document>");
    let z = zip_file(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("word/document.xml", &xml),
    ]);
    drop(xml);
    assert!(z.len() < 200_000, "{}", z.len());
    let e = extract_text("bomb.docx", &z).unwrap_err();
    assert_eq!(
        e,
        TextError::TooLarge {
            part: "word/document.xml".into()
        }
    );
    assert!(e.message_zh().contains("50 MB"), "{}", e.message_zh());
    // The same entry declaring a small size (local header and central directory
    // patched): reading stops at the real size anyway.
    let mut lying = z.clone();
    patch_sizes(&mut lying, b"word/document.xml", 1000);
    let e = extract_text("bomb.docx", &lying).unwrap_err();
    assert!(matches!(e, TextError::TooLarge { .. }), "{e:?}");
}

/// Sets the uncompressed size of the named entry in its local header and its central
/// directory record.
fn patch_sizes(zip: &mut [u8], name: &[u8], size: u32) {
    let find = |zip: &[u8], sig: &[u8; 4], name_at: usize| -> Vec<usize> {
        (0..zip.len().saturating_sub(name_at + name.len()))
            .filter(|&i| {
                &zip[i..i + 4] == sig && &zip[i + name_at..i + name_at + name.len()] == name
            })
            .collect()
    };
    let locals = find(zip, b"PK\x03\x04", 30);
    let centrals = find(zip, b"PK\x01\x02", 46);
    assert_eq!((locals.len(), centrals.len()), (1, 1));
    zip[locals[0] + 22..locals[0] + 26].copy_from_slice(&size.to_le_bytes());
    zip[centrals[0] + 24..centrals[0] + 28].copy_from_slice(&size.to_le_bytes());
}

/// A PDF from its objects (numbered from 1; object 1 is the catalog), with a correct
/// cross-reference table.
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut o = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    o.extend_from_slice(data);
    o.extend_from_slice(b"\nendstream");
    o
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// One page (object 3) showing `content` with fonts F1..F4 (objects 5..8).
fn one_page_pdf(content: &[u8], fonts: [&str; 4], extra: Vec<Vec<u8>>) -> Vec<u8> {
    let mut objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R /F2 6 0 R /F3 7 0 R /F4 8 0 R >> /XObject << /Im0 9 0 R >> >> >>".to_vec(),
        stream("", content),
    ];
    objs.extend(fonts.iter().map(|f| f.as_bytes().to_vec()));
    objs.extend(extra);
    pdf(&objs)
}

const CID_GB_UCS2: &str = "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 >>] >>";
const CID_GBK: &str = "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /GBK-EUC-H /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> >>] >>";
const HELVETICA: &str =
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[test]
fn pdf_with_predefined_chinese_cmaps_and_radicals() {
    // 职工 in UTF-16BE (UniGB-UCS2-H), 技能 in GBK (GBK-EUC-H), Latin in WinAnsi, and an
    // Identity-H font whose ToUnicode map gives the Kangxi radical ⼯ (U+2F2F) for 工.
    let utf16: Vec<u8> = "职工书屋"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    let (gbk, _, _) = encoding_rs::GBK.encode("技能提升");
    let to_unicode = stream(
        "",
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def\n\
          1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
          2 beginbfchar <0001> <2F2F> <0002> <5320> endbfchar\n\
          endcmap CMapName currentdict /CMap defineresource pop end end",
    );
    let identity = "<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+X /Encoding /Identity-H /ToUnicode 10 0 R /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+X /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /W [1 [1000 1000]] >>] >>";
    let content = format!(
        "BT /F1 12 Tf 72 700 Td <{}> Tj ET\n\
         BT /F2 12 Tf 72 680 Td <{}> Tj ET\n\
         BT /F3 12 Tf 72 660 Td (Skills 2024) Tj ET\n\
         BT /F4 12 Tf 72 640 Td <00010002> Tj ET",
        hex(&utf16),
        hex(&gbk)
    );
    let image = stream("/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8", b"\x80");
    let bytes = one_page_pdf(
        content.as_bytes(),
        [CID_GB_UCS2, CID_GBK, HELVETICA, identity],
        vec![image, to_unicode],
    );
    let t = text_of("cmaps.pdf", &bytes);
    assert_eq!(t, "职工书屋\n技能提升\nSkills 2024\n工匠");
}

#[test]
fn scanned_pdf_has_no_text() {
    let image = stream("/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8", b"\x80");
    let bytes = one_page_pdf(
        b"q 595 0 0 842 0 0 cm /Im0 Do Q",
        [HELVETICA, HELVETICA, HELVETICA, HELVETICA],
        vec![image],
    );
    assert_eq!(extract_text("scan.pdf", &bytes), Ok(None));
    // Text drawn with an Identity-H font that has no ToUnicode map cannot be read
    // either: glyph ids are not characters.
    let no_map = "<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X >>] >>";
    let image = stream("/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8", b"\x80");
    let bytes = one_page_pdf(
        b"BT /F1 12 Tf 72 700 Td <00410042> Tj ET",
        [no_map, HELVETICA, HELVETICA, HELVETICA],
        vec![image],
    );
    assert_eq!(extract_text("glyphs.pdf", &bytes), Ok(None));
}

#[test]
fn pdf_flate_bomb_is_refused() {
    let mut content = b"BT /F1 12 Tf 72 700 Td (x) Tj ET\n".to_vec();
    content.resize(MAX_UNPACKED_BYTES + 1024, b' ');
    let packed = deflate(&content);
    drop(content);
    let image = stream("/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8", b"\x80");
    let mut objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
        stream("/Filter /FlateDecode", &packed),
        HELVETICA.as_bytes().to_vec(),
    ];
    objs.push(image);
    let bytes = pdf(&objs);
    assert!(bytes.len() < 1_000_000, "{}", bytes.len());
    let e = extract_text("bomb.pdf", &bytes).unwrap_err();
    assert!(matches!(e, TextError::TooLarge { .. }), "{e:?}");
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    let e = extract_text("x.pdf", b"not a pdf at all").unwrap_err();
    assert!(
        matches!(
            e,
            TextError::Corrupt {
                kind: DocKind::Pdf,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.message_zh().contains("PDF"), "{}", e.message_zh());
    let e = extract_text("x.pdf", b"%PDF-1.4\n\x00\x01\x02 garbage garbage").unwrap_err();
    assert!(matches!(e, TextError::Corrupt { .. }), "{e:?}");
    // Every 251st truncation and a few hundred byte flips of the real files: any
    // outcome but a panic. extract_text turns a panic into an error, so a hook counts
    // the panics of this thread.
    thread_local!(static PANICS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) });
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.with(|p| p.set(p.get() + 1));
        prev(info)
    }));
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(4);
    for src in [LO_PDF, CAIRO_PDF] {
        for cut in (0..src.len()).step_by(251) {
            let _ = extract_text("cut.pdf", &src[..cut]);
        }
        for _ in 0..120 {
            let mut b = src.to_vec();
            for _ in 0..rng.gen_range(1..8) {
                let i = rng.gen_range(0..b.len());
                b[i] = rng.gen();
            }
            let _ = extract_text("flip.pdf", &b);
        }
    }
    for _ in 0..120 {
        let mut b = LO_DOCX.to_vec();
        for _ in 0..rng.gen_range(1..8) {
            let i = rng.gen_range(0..b.len());
            b[i] = rng.gen();
        }
        let _ = extract_text("flip.docx", &b);
    }
    assert_eq!(PANICS.with(|p| p.get()), 0, "a parser panicked (see above)");
}

#[test]
fn kinds_and_plain_text() {
    assert_eq!(doc_kind("a.PDF", b"%PDF-1.4"), Some(DocKind::Pdf));
    assert_eq!(doc_kind("a.bin", b"%PDF-1.4"), Some(DocKind::Pdf));
    assert_eq!(doc_kind("a.docx", LO_DOCX), Some(DocKind::Docx));
    assert_eq!(doc_kind("a.xlsx", b"PK\x03\x04"), None);
    assert_eq!(doc_kind("a.jpg", b"\xFF\xD8\xFF"), None);
    assert_eq!(doc_kind("a.md", b"# x"), Some(DocKind::Plain));
    assert_eq!(extract_text("a.jpg", b"\xFF\xD8\xFF\xE0"), Ok(None));
    assert_eq!(
        extract_text("a.txt", "\u{FEFF}第一行\r\n第二行\n".as_bytes()),
        Ok(Some("第一行\n第二行".into()))
    );
    assert_eq!(extract_text("a.txt", b"   \n\n"), Ok(None));
}
