//! No input makes `open` (or reading the rows) panic: random bytes, random bytes behind
//! a zip or BOM prefix, every truncation of a valid xlsx, and byte flips inside one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use gongjiang_io::{map_headers, open, Limits, WORKERS};
use rand::{Rng, SeedableRng};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Opens and reads everything; returns whether the file was accepted.
fn exercise(bytes: &[u8]) -> bool {
    let limits = Limits {
        max_uncompressed_bytes: 64 << 20,
        ..Limits::default()
    };
    match open(bytes, "fuzz.xlsx", Some(WORKERS.sheet), &limits) {
        Ok(mut sheet) => {
            let _ = sheet.problems();
            let map = map_headers(&WORKERS, sheet.headers()).ok();
            if let Ok(rows) = sheet.rows() {
                for row in rows.take(10_000) {
                    match row {
                        Ok(row) => {
                            if let Some(m) = &map {
                                let mut r = m.reader(&row);
                                let _ = r.text("name");
                                let _ = r.date("certified_on");
                                let _ = r.finish();
                            }
                        }
                        Err(e) => {
                            let _ = (e.message_zh(), e.message_en());
                        }
                    }
                }
            }
            true
        }
        Err(e) => {
            assert!(!e.message_zh().is_empty() && !e.message_en().is_empty());
            false
        }
    }
}

#[test]
fn random_and_damaged_inputs_never_panic() {
    // Count panics anywhere (also those caught inside the reader), to report them.
    let panics = Arc::new(AtomicUsize::new(0));
    let counter = panics.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        counter.fetch_add(1, Ordering::SeqCst);
        eprintln!("panic: {info}");
    }));

    let mut rng = rand::rngs::StdRng::seed_from_u64(20240601);
    let prefixes: [&[u8]; 5] = [b"", b"PK\x03\x04", b"\xEF\xBB\xBF", b"\xFF\xFE", b"a,b\n"];
    for i in 0..200 {
        let len = rng.gen_range(0..4096);
        let mut bytes: Vec<u8> = prefixes[i % prefixes.len()].to_vec();
        bytes.extend((0..len).map(|_| rng.gen::<u8>()));
        exercise(&bytes);
    }

    let valid = gongjiang_io::xlsx(&WORKERS, common::sample_rows(&WORKERS).into_iter()).unwrap();
    assert!(exercise(&valid));
    // Truncated prefixes.
    let step = (valid.len() / 150).max(1);
    for cut in (0..valid.len()).step_by(step) {
        assert!(
            !exercise(&valid[..cut]),
            "a truncated file at {cut} was accepted"
        );
    }
    // Byte flips (the central directory mostly intact: exercises inflate, CRC and XML).
    for _ in 0..300 {
        let mut damaged = valid.clone();
        for _ in 0..rng.gen_range(1..8) {
            let at = rng.gen_range(0..damaged.len());
            damaged[at] = rng.gen();
        }
        exercise(&damaged);
    }
    // Valid zips with damaged XML inside (CRC right, content wrong).
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(valid.clone())).unwrap();
    let names: Vec<String> = z.file_names().map(|n| n.unwrap().into_owned()).collect();
    let mut parts = Vec::new();
    for n in &names {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut z.by_name(n).unwrap(), &mut s).unwrap();
        parts.push((n.clone(), s));
    }
    for round in 0..200 {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let victim = round % parts.len();
        for (i, (n, data)) in parts.iter().enumerate() {
            let mut data = data.clone();
            if i == victim && !data.is_empty() {
                match round % 3 {
                    0 => data.truncate(rng.gen_range(0..data.len())),
                    1 => {
                        for _ in 0..4 {
                            let at = rng.gen_range(0..data.len());
                            data[at] = b"<>/\"=&x0 "[rng.gen_range(0..9)];
                        }
                    }
                    _ => {
                        let at = rng.gen_range(0..data.len());
                        data.splice(
                            at..at,
                            b"<c r=\"ZZZZZZ99999999999\"><v>1e999</v></c>"
                                .iter()
                                .copied(),
                        );
                    }
                }
            }
            w.start_file(n.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut w, &data).unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        exercise(&bytes);
    }

    std::panic::set_hook(previous);
    let n = panics.load(Ordering::SeqCst);
    // Panics inside calamine are caught and turned into errors; report how many.
    eprintln!("panics caught inside the reader: {n}");
}
