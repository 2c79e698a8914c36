//! DOCX text: the document XML, decoded and flattened to paragraphs.
use super::{corrupt, DocKind, TextError, MAX_TEXT_CHARS, MAX_UNPACKED_BYTES, MAX_ZIP_ENTRIES};
use std::io::{Cursor, Read};

// ---------------------------------------------------------------------------------
// DOCX

pub(super) fn docx_text(bytes: &[u8]) -> Result<Option<String>, TextError> {
    use zip::result::ZipError;
    let k = DocKind::Docx;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| match e {
        ZipError::UnsupportedArchive(m) if m.contains("assword") || m.contains("ncrypt") => {
            TextError::Encrypted
        }
        e => corrupt(k, e),
    })?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(corrupt(k, format!("{} zip entries", zip.len())));
    }
    const PART: &str = "word/document.xml";
    let entry = match zip.by_name(PART) {
        Ok(f) => f,
        Err(ZipError::FileNotFound) => return Err(corrupt(k, "no word/document.xml")),
        Err(ZipError::UnsupportedArchive(m)) if m.contains("assword") || m.contains("ncrypt") => {
            return Err(TextError::Encrypted)
        }
        Err(e) => return Err(corrupt(k, e)),
    };
    let too_large = || TextError::TooLarge { part: PART.into() };
    if entry.size() > MAX_UNPACKED_BYTES as u64 {
        return Err(too_large());
    }
    let mut xml = Vec::new();
    entry
        .take(MAX_UNPACKED_BYTES as u64 + 1)
        .read_to_end(&mut xml)
        .map_err(|e| {
            if e.to_string().contains("larger than") {
                too_large()
            } else {
                corrupt(k, format!("{PART}: {e}"))
            }
        })?;
    if xml.len() > MAX_UNPACKED_BYTES {
        return Err(too_large());
    }
    let xml =
        decode_xml_bytes(xml).ok_or_else(|| corrupt(k, "word/document.xml is not UTF-8/16"))?;
    document_xml_text(&xml).map(Some)
}

/// XML text: UTF-8 (with or without a byte order mark) or UTF-16 with one.
fn decode_xml_bytes(mut b: Vec<u8>) -> Option<String> {
    if b.starts_with(b"\xFF\xFE") || b.starts_with(b"\xFE\xFF") {
        let (enc, _) = encoding_rs::Encoding::for_bom(&b)?;
        let (s, _, bad) = enc.decode(&b);
        return (!bad).then(|| s.into_owned());
    }
    if b.starts_with(b"\xEF\xBB\xBF") {
        b.drain(..3);
    }
    String::from_utf8(b).ok()
}

/// The text of a WordprocessingML main document part.
fn document_xml_text(xml: &str) -> Result<String, TextError> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    // Depths of the elements that matter; text counts inside w:t (or m:t), inside a
    // run, outside deleted/moved-away content and outside mc:Fallback (a copy of
    // mc:Choice for old readers).
    let mut in_t = 0usize;
    let mut in_run = 0usize;
    let mut skip = 0usize;
    loop {
        let ev = r
            .read_event()
            .map_err(|e| corrupt(DocKind::Docx, format!("word/document.xml: {e}")))?;
        match ev {
            Event::Start(e) => match e.local_name().as_ref() {
                "t" => in_t += 1,
                "r" => in_run += 1,
                "del" | "moveFrom" | "Fallback" | "delText" | "instrText" => skip += 1,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_t = in_t.saturating_sub(1),
                "r" => in_run = in_run.saturating_sub(1),
                "del" | "moveFrom" | "Fallback" | "delText" | "instrText" => {
                    skip = skip.saturating_sub(1)
                }
                "p" if skip == 0 => out.push('\n'),
                _ => {}
            },
            Event::Empty(e) if skip == 0 => match e.local_name().as_ref() {
                "p" => out.push('\n'),
                "tab" | "ptab" if in_run > 0 => out.push('\t'),
                "br" | "cr" if in_run > 0 => out.push('\n'),
                "noBreakHyphen" if in_run > 0 => out.push('-'),
                _ => {}
            },
            Event::Text(t) if in_t > 0 && skip == 0 => out.push_str(&t.xml10_content()),
            Event::CData(t) if in_t > 0 && skip == 0 => out.push_str(&t.into_inner()),
            Event::GeneralRef(g) if in_t > 0 && skip == 0 => {
                let c = match g.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    Ok(None) => match &*g {
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "amp" => Some('&'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                    Err(_) => None,
                };
                if let Some(c) = c {
                    out.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if out.len() > MAX_TEXT_CHARS * 4 {
            break;
        }
    }
    Ok(out)
}
