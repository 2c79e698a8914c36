//! PDF text: content streams run through a small text extractor (fonts, cmaps,
//! graphics state), the pieces joined into lines.
use super::{
    corrupt, is_cjk, is_pdf, DocKind, TextError, MAX_FORM_DEPTH, MAX_PDF_OPERATIONS, MAX_PDF_PAGES,
    MAX_TEXT_CHARS, MAX_UNPACKED_BYTES,
};
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

fn pdf_err(e: lopdf::Error) -> TextError {
    use lopdf::{DecompressError, Error};
    match e {
        Error::Decompress(DecompressError::MemoryLimitExceeded { .. }) => TextError::TooLarge {
            part: "PDF stream".into(),
        },
        Error::Decryption(_) | Error::InvalidPassword | Error::UnsupportedSecurityHandler(_) => {
            TextError::Encrypted
        }
        e => corrupt(DocKind::Pdf, e),
    }
}

pub(super) fn pdf_text(bytes: &[u8]) -> Result<Option<String>, TextError> {
    if !is_pdf(bytes) {
        return Err(corrupt(DocKind::Pdf, "no %PDF header"));
    }
    let opts = lopdf::LoadOptions {
        max_decompressed_size: Some(MAX_UNPACKED_BYTES),
        ..lopdf::LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(bytes, opts).map_err(pdf_err)?;
    let pages = doc.get_pages();
    if pages.is_empty() {
        if doc.is_encrypted() {
            return Err(TextError::Encrypted);
        }
        return Err(corrupt(DocKind::Pdf, "no pages"));
    }
    if pages.len() > MAX_PDF_PAGES {
        return Err(corrupt(DocKind::Pdf, format!("{} pages", pages.len())));
    }
    let stripped: HashMap<ObjectId, Dictionary> = doc
        .objects
        .iter()
        .filter_map(|(id, o)| {
            let d = o.as_dict().ok()?;
            (d.has_type(b"Font") && d.has(b"ToUnicode") && d.has(b"Encoding")).then(|| {
                let mut d = d.clone();
                d.remove(b"Encoding");
                (*id, d)
            })
        })
        .collect();
    let mut ex = Extractor {
        doc: &doc,
        stripped: &stripped,
        cache: HashMap::new(),
        budget_bytes: MAX_UNPACKED_BYTES * 4,
        budget_ops: MAX_PDF_OPERATIONS,
        chars: 0,
    };
    let mut out = String::new();
    for (_, page_id) in pages {
        let lines = ex.page(page_id)?;
        out.push_str(&join_lines(&lines));
        out.push('\n');
        if ex.chars > MAX_TEXT_CHARS {
            break;
        }
    }
    Ok(Some(out))
}

/// A 2-D affine transformation [a b c d e f] (row vectors, as in the PDF spec).
#[derive(Clone, Copy, Debug)]
struct M([f32; 6]);

impl M {
    const ID: M = M([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    /// self, then o.
    fn then(self, o: M) -> M {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = o.0;
        M([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }
    fn translate(x: f32, y: f32) -> M {
        M([1.0, 0.0, 0.0, 1.0, x, y])
    }
    fn origin(self) -> (f32, f32) {
        (self.0[4], self.0[5])
    }
    /// How much a unit vertical length grows.
    fn v_scale(self) -> f32 {
        (self.0[2] * self.0[2] + self.0[3] * self.0[3]).sqrt()
    }
}

#[derive(Clone)]
struct GState {
    ctm: M,
    font: Option<Vec<u8>>,
    size: f32,
    char_space: f32,
    word_space: f32,
    h_scale: f32,
    leading: f32,
}

/// How a font's codes become text.
enum Decoder<'a> {
    /// The font's encoding as lopdf reads it (ToUnicode, or a simple encoding).
    Lopdf(lopdf::Encoding<'a>),
    /// A predefined CMap whose codes are those of a legacy encoding, or UTF-16/8.
    Legacy(&'static encoding_rs::Encoding),
    /// An Identity-H font without ToUnicode: the codes are glyph ids, not text.
    None,
}

struct Font<'a> {
    dec: Decoder<'a>,
    /// Bytes per code for widths: 1 (simple fonts), 2 (Identity), 0 (variable: a
    /// legacy multi-byte encoding, lead byte ≥ 0x81 starts a 2-byte code).
    code_len: u8,
    /// Width (thousandths of an em) by code.
    widths: HashMap<u32, f32>,
    default_width: f32,
}

impl Font<'_> {
    fn decode(&self, bytes: &[u8]) -> Option<String> {
        match &self.dec {
            Decoder::Lopdf(e) => e.bytes_to_string(bytes).ok(),
            Decoder::Legacy(enc) => Some(enc.decode_without_bom_handling(bytes).0.into_owned()),
            Decoder::None => None,
        }
    }
    /// (code, byte length) of each code in a string.
    fn codes(&self, bytes: &[u8]) -> Vec<(u32, usize)> {
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let n = match self.code_len {
                1 => 1,
                2 => 2,
                _ if bytes[i] >= 0x81 => 2,
                _ => 1,
            }
            .min(bytes.len() - i);
            let code = bytes[i..i + n]
                .iter()
                .fold(0u32, |a, b| (a << 8) | u32::from(*b));
            out.push((code, n));
            i += n;
        }
        out
    }
}

fn num(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

/// The predefined CMaps of PDF 32000-1 §9.7.5.2 whose codes are a known text encoding.
fn predefined_cmap(name: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let n = std::str::from_utf8(name).ok()?;
    let base = n
        .strip_suffix("-H")
        .or_else(|| n.strip_suffix("-V"))
        .unwrap_or(n);
    Some(match base {
        "GB-EUC" | "GBpc-EUC" | "GBK-EUC" | "GBKp-EUC" | "GBK2K" | "GBT-EUC" | "GBTpc-EUC" => {
            encoding_rs::GB18030
        }
        "B5pc" | "ETen-B5" | "HKscs-B5" | "ETenms-B5" | "CNS-EUC" => encoding_rs::BIG5,
        "90ms-RKSJ" | "83pv-RKSJ" | "90pv-RKSJ" | "Add-RKSJ" | "Ext-RKSJ" => encoding_rs::SHIFT_JIS,
        "EUC" => encoding_rs::EUC_JP,
        "KSC-EUC" | "KSCms-UHC" | "KSCpc-EUC" => encoding_rs::EUC_KR,
        b if b.ends_with("-UCS2") || b.ends_with("-UTF16") => encoding_rs::UTF_16BE,
        b if b.ends_with("-UTF8") => encoding_rs::UTF_8,
        _ => return None,
    })
}

struct Extractor<'d> {
    doc: &'d Document,
    /// Copies of the fonts that have a ToUnicode map and an Encoding, without the
    /// Encoding (lopdf prefers the Encoding; text extraction wants the ToUnicode map).
    stripped: &'d HashMap<ObjectId, Dictionary>,
    /// Fonts already read (a document's pages share them).
    cache: HashMap<ObjectId, Rc<Font<'d>>>,
    budget_bytes: usize,
    budget_ops: usize,
    chars: usize,
}

/// A line of text on a page, in device space.
#[derive(Debug, Default)]
struct Line {
    text: String,
    x0: f32,
    x1: f32,
    y: f32,
    size: f32,
}

impl<'d> Extractor<'d> {
    fn deref<'o>(&self, o: &'o Object) -> Option<&'o Object>
    where
        'd: 'o,
    {
        self.doc.dereference(o).ok().map(|(_, o)| o)
    }

    fn dict_of<'o>(&self, o: &'o Object) -> Option<&'o Dictionary>
    where
        'd: 'o,
    {
        match self.deref(o)? {
            Object::Dictionary(d) => Some(d),
            Object::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }

    /// The named sub-dictionary (Font, XObject) of each resource dictionary, merged
    /// (the first one naming an entry wins).
    fn named(&self, resources: &[&'d Dictionary], key: &[u8]) -> BTreeMap<Vec<u8>, &'d Object> {
        let mut out = BTreeMap::new();
        for r in resources {
            if let Some(d) = r.get(key).ok().and_then(|o| self.dict_of(o)) {
                for (name, v) in d.iter() {
                    out.entry(name.clone()).or_insert(v);
                }
            }
        }
        out
    }

    fn page_resources(&self, page_id: ObjectId) -> Vec<&'d Dictionary> {
        let Ok((own, inherited)) = self.doc.get_page_resources(page_id) else {
            return Vec::new();
        };
        let mut out: Vec<&'d Dictionary> = own.into_iter().collect();
        out.extend(
            inherited
                .into_iter()
                .filter_map(|id| self.doc.get_dictionary(id).ok()),
        );
        out
    }

    /// The fonts of a resource list, by resource name. Fonts with a ToUnicode map are
    /// read through it.
    fn fonts(
        &mut self,
        resources: &[&'d Dictionary],
    ) -> Result<HashMap<Vec<u8>, Rc<Font<'d>>>, TextError> {
        let mut out = HashMap::new();
        for (name, o) in self.named(resources, b"Font") {
            let id = o.as_reference().ok();
            if let Some(f) = id.and_then(|id| self.cache.get(&id)) {
                out.insert(name, Rc::clone(f));
                continue;
            }
            let Some(font) = self.dict_of(o) else {
                continue;
            };
            let is_type0 = font.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0");
            let has_to_unicode = font.has(b"ToUnicode");
            let enc_name = font
                .get(b"Encoding")
                .ok()
                .and_then(|o| self.deref(o))
                .and_then(|o| o.as_name().ok());
            let limit = MAX_UNPACKED_BYTES;
            let dec = if has_to_unicode {
                let stripped: &'d HashMap<ObjectId, Dictionary> = self.stripped;
                let d = id.and_then(|id| stripped.get(&id)).unwrap_or(font);
                match d.get_font_encoding_with_limit(self.doc, limit) {
                    Ok(e) => Decoder::Lopdf(e),
                    Err(e) => return Err(pdf_err(e)),
                }
            } else if is_type0 {
                match enc_name.and_then(predefined_cmap) {
                    Some(enc) => Decoder::Legacy(enc),
                    None => Decoder::None,
                }
            } else {
                match font.get_font_encoding_with_limit(self.doc, limit) {
                    Ok(e) => Decoder::Lopdf(e),
                    Err(e) => return Err(pdf_err(e)),
                }
            };
            let legacy_multibyte = matches!(&dec, Decoder::Legacy(e)
                if *e != encoding_rs::UTF_16BE && *e != encoding_rs::UTF_8);
            let code_len = if !is_type0 {
                1
            } else if legacy_multibyte {
                0
            } else {
                2
            };
            let (widths, default_width) = if is_type0 {
                self.cid_widths(font)
            } else {
                self.simple_widths(font)
            };
            let f = Rc::new(Font {
                dec,
                code_len,
                widths,
                default_width,
            });
            if let Some(id) = id {
                self.cache.insert(id, Rc::clone(&f));
            }
            out.insert(name, f);
        }
        Ok(out)
    }

    fn simple_widths(&self, font: &Dictionary) -> (HashMap<u32, f32>, f32) {
        let mut w = HashMap::new();
        let first = font
            .get(b"FirstChar")
            .ok()
            .and_then(|o| self.deref(o))
            .and_then(num)
            .unwrap_or(0.0) as u32;
        if let Some(Object::Array(a)) = font.get(b"Widths").ok().and_then(|o| self.deref(o)) {
            for (i, o) in a.iter().take(256).enumerate() {
                if let Some(v) = self.deref(o).and_then(num) {
                    w.insert(first + i as u32, v);
                }
            }
        }
        (w, 500.0)
    }

    fn cid_widths(&self, font: &Dictionary) -> (HashMap<u32, f32>, f32) {
        let mut w = HashMap::new();
        let desc = match font
            .get(b"DescendantFonts")
            .ok()
            .and_then(|o| self.deref(o))
        {
            Some(Object::Array(a)) => a.first().and_then(|o| self.dict_of(o)),
            _ => None,
        };
        let Some(desc) = desc else {
            return (w, 1000.0);
        };
        let dw = desc
            .get(b"DW")
            .ok()
            .and_then(|o| self.deref(o))
            .and_then(num)
            .unwrap_or(1000.0);
        if let Some(Object::Array(a)) = desc.get(b"W").ok().and_then(|o| self.deref(o)) {
            // c [w1 w2 …] | c_first c_last w
            let mut i = 0;
            while i < a.len() && w.len() < 70_000 {
                let Some(c) = self.deref(&a[i]).and_then(num) else {
                    break;
                };
                match a.get(i + 1).and_then(|o| self.deref(o)) {
                    Some(Object::Array(ws)) => {
                        for (k, o) in ws.iter().enumerate().take(70_000) {
                            if let Some(v) = self.deref(o).and_then(num) {
                                w.insert(c as u32 + k as u32, v);
                            }
                        }
                        i += 2;
                    }
                    Some(o) => {
                        let last = num(o).unwrap_or(c);
                        let v = a.get(i + 2).and_then(|o| self.deref(o)).and_then(num);
                        if let Some(v) = v {
                            let (c, last) = (c as u32, last as u32);
                            for code in c..=last.min(c.saturating_add(70_000)) {
                                w.insert(code, v);
                            }
                        }
                        i += 3;
                    }
                    None => break,
                }
            }
        }
        (w, dw)
    }

    fn take_bytes(&mut self, n: usize) -> Result<(), TextError> {
        self.budget_bytes =
            self.budget_bytes
                .checked_sub(n)
                .ok_or_else(|| TextError::TooLarge {
                    part: "PDF page content".into(),
                })?;
        Ok(())
    }

    fn page(&mut self, page_id: ObjectId) -> Result<Vec<Line>, TextError> {
        let content = match self
            .doc
            .get_page_content_with_limit(page_id, MAX_UNPACKED_BYTES)
        {
            Ok(c) => c,
            Err(e @ lopdf::Error::Decompress(_)) => return Err(pdf_err(e)),
            // A page whose content cannot be read has no text; the others may.
            Err(_) => return Ok(Vec::new()),
        };
        self.take_bytes(content.len())?;
        let resources = self.page_resources(page_id);
        let mut lines = Vec::new();
        self.run(&content, &resources, M::ID, 0, &mut lines)?;
        Ok(lines)
    }

    /// Interprets a content stream (a page's or a form XObject's).
    fn run(
        &mut self,
        content: &[u8],
        resources: &[&'d Dictionary],
        ctm: M,
        depth: usize,
        lines: &mut Vec<Line>,
    ) -> Result<(), TextError> {
        let Ok(content) = Content::decode(content) else {
            return Ok(());
        };
        let fonts = self.fonts(resources)?;
        let xobjects = self.named(resources, b"XObject");
        let mut gs = GState {
            ctm,
            font: None,
            size: 0.0,
            char_space: 0.0,
            word_space: 0.0,
            h_scale: 1.0,
            leading: 0.0,
        };
        let mut stack: Vec<GState> = Vec::new();
        let mut tm = M::ID;
        let mut tlm = M::ID;
        for op in &content.operations {
            self.budget_ops = self
                .budget_ops
                .checked_sub(1)
                .ok_or_else(|| corrupt(DocKind::Pdf, "too many drawing operations"))?;
            let a = &op.operands;
            let n = |i: usize| a.get(i).and_then(num).unwrap_or(0.0);
            match op.operator.as_str() {
                "q" if stack.len() < 256 => stack.push(gs.clone()),
                "Q" => {
                    if let Some(s) = stack.pop() {
                        gs = s;
                    }
                }
                "cm" => gs.ctm = M([n(0), n(1), n(2), n(3), n(4), n(5)]).then(gs.ctm),
                "BT" => {
                    tm = M::ID;
                    tlm = M::ID;
                }
                "Tf" => {
                    gs.font = a.first().and_then(|o| o.as_name().ok()).map(<[u8]>::to_vec);
                    gs.size = n(1);
                }
                "Tc" => gs.char_space = n(0),
                "Tw" => gs.word_space = n(0),
                "Tz" => gs.h_scale = n(0) / 100.0,
                "TL" => gs.leading = n(0),
                "Td" => {
                    tlm = M::translate(n(0), n(1)).then(tlm);
                    tm = tlm;
                }
                "TD" => {
                    gs.leading = -n(1);
                    tlm = M::translate(n(0), n(1)).then(tlm);
                    tm = tlm;
                }
                "Tm" => {
                    tlm = M([n(0), n(1), n(2), n(3), n(4), n(5)]);
                    tm = tlm;
                }
                "T*" => {
                    tlm = M::translate(0.0, -gs.leading).then(tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" | "TJ" => {
                    if op.operator != "Tj" && op.operator != "TJ" {
                        tlm = M::translate(0.0, -gs.leading).then(tlm);
                        tm = tlm;
                    }
                    if op.operator == "\"" {
                        gs.word_space = n(0);
                        gs.char_space = n(1);
                    }
                    let font = gs.font.as_ref().and_then(|f| fonts.get(f));
                    let items: &[Object] = match (op.operator.as_str(), a.as_slice()) {
                        ("TJ", [Object::Array(items), ..]) => items,
                        ("\"", [_, _, s, ..]) => std::slice::from_ref(s),
                        (_, [s, ..]) => std::slice::from_ref(s),
                        _ => &[],
                    };
                    for item in items {
                        match item {
                            Object::String(bytes, _) => {
                                if let Some(font) = font {
                                    self.show(font, bytes, &gs, &mut tm, lines);
                                }
                            }
                            o => {
                                if let Some(adj) = num(o) {
                                    let tx = -adj / 1000.0 * gs.size * gs.h_scale;
                                    tm = M::translate(tx, 0.0).then(tm);
                                }
                            }
                        }
                    }
                }
                "Do" if depth < MAX_FORM_DEPTH => {
                    let Some(name) = a.first().and_then(|o| o.as_name().ok()) else {
                        continue;
                    };
                    let Some(Object::Stream(s)) = xobjects.get(name).and_then(|o| self.deref(o))
                    else {
                        continue;
                    };
                    self.form(s, resources, gs.ctm, depth, lines)?;
                }
                _ => {}
            }
            if self.chars > MAX_TEXT_CHARS {
                break;
            }
        }
        Ok(())
    }

    fn form(
        &mut self,
        s: &'d Stream,
        parent: &[&'d Dictionary],
        ctm: M,
        depth: usize,
        lines: &mut Vec<Line>,
    ) -> Result<(), TextError> {
        if s.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form") {
            return Ok(());
        }
        let matrix = match s.dict.get(b"Matrix").ok().and_then(|o| self.deref(o)) {
            Some(Object::Array(m)) if m.len() == 6 => {
                let v: Vec<f32> = m.iter().map(|o| num(o).unwrap_or(0.0)).collect();
                M([v[0], v[1], v[2], v[3], v[4], v[5]])
            }
            _ => M::ID,
        };
        let content = match s.decompressed_content_with_limit(MAX_UNPACKED_BYTES) {
            Ok(c) => c,
            Err(
                e @ lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }),
            ) => return Err(pdf_err(e)),
            Err(_) if s.dict.get(b"Filter").is_err() => s.content.clone(),
            Err(_) => return Ok(()),
        };
        self.take_bytes(content.len())?;
        let own: Vec<&'d Dictionary> = s
            .dict
            .get(b"Resources")
            .ok()
            .and_then(|o| self.dict_of(o))
            .into_iter()
            .collect();
        let resources: Vec<&'d Dictionary> = if own.is_empty() { parent.to_vec() } else { own };
        self.run(&content, &resources, matrix.then(ctm), depth + 1, lines)
    }

    /// Shows a string: appends its text to the current line or starts a new one, and
    /// advances the text matrix by the glyphs' widths.
    fn show(
        &mut self,
        font: &Font<'_>,
        bytes: &[u8],
        gs: &GState,
        tm: &mut M,
        lines: &mut Vec<Line>,
    ) {
        let start = tm.then(gs.ctm);
        let (x, y) = start.origin();
        let mut advance = 0.0f32;
        for (code, len) in font.codes(bytes) {
            let w = font
                .widths
                .get(&code)
                .copied()
                .unwrap_or(font.default_width);
            let ws = if len == 1 && code == 32 {
                gs.word_space
            } else {
                0.0
            };
            advance += (w / 1000.0 * gs.size + gs.char_space + ws) * gs.h_scale;
        }
        *tm = M::translate(advance, 0.0).then(*tm);
        let (x_end, _) = tm.then(gs.ctm).origin();
        let Some(text) = font.decode(bytes) else {
            return;
        };
        if text.is_empty() {
            return;
        }
        self.chars += text.chars().count();
        let size = (gs.size * start.v_scale()).abs().max(0.1);
        let (x0, x1) = if x_end >= x { (x, x_end) } else { (x_end, x) };
        if let Some(l) = lines.last_mut() {
            let tol = 0.5 * size.max(l.size);
            let same_line = (y - l.y).abs() <= tol && x0 >= l.x1 - size;
            if same_line {
                let gap = x0 - l.x1;
                let last = l.text.chars().last().unwrap_or(' ');
                let first = text.chars().next().unwrap_or(' ');
                let needed = if is_cjk(last) && is_cjk(first) {
                    1.5 * size
                } else {
                    0.25 * size
                };
                if gap > needed && !last.is_whitespace() && !first.is_whitespace() {
                    l.text.push(' ');
                }
                l.text.push_str(&text);
                l.x1 = l.x1.max(x1);
                l.size = l.size.max(size);
                return;
            }
        }
        lines.push(Line {
            text,
            x0,
            x1,
            y,
            size,
        });
    }
}

/// A page's lines as text: long lines that reach the right margin continue on the
/// next line (no break, and no space between Chinese characters); others end a
/// paragraph.
fn join_lines(lines: &[Line]) -> String {
    let right = lines
        .iter()
        .filter(|l| l.text.trim().chars().count() > 1)
        .map(|l| l.x1)
        .fold(f32::MIN, f32::max);
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        let text = l.text.trim_end();
        out.push_str(text);
        let Some(next) = lines.get(i + 1) else {
            break;
        };
        // Reaching the margin, and long: short lines of equal length (a list, a
        // table column) are not a wrapped paragraph.
        let full = l.x1 >= right - 2.0 * l.size && l.x1 - l.x0 >= 12.0 * l.size;
        let below = next.y < l.y && l.y - next.y < 2.5 * l.size;
        let similar = (next.size - l.size).abs() <= 0.2 * l.size;
        let starts_left = next.x0 <= l.x0 + 2.5 * l.size;
        if full && below && similar && starts_left && !text.is_empty() {
            let last = text.chars().last().unwrap_or(' ');
            let first = next.text.trim_start().chars().next().unwrap_or(' ');
            if !(is_cjk(last) || is_cjk(first)) {
                out.push(' ');
            }
        } else {
            out.push('\n');
        }
    }
    out
}
