//! Writes an N-row `workers` import file for benchmarks and manual tests.
//!
//! ```text
//! cargo run --release -p gongjiang-io --example gen_workers -- 1000000 workers.csv
//! cargo run --release -p gongjiang-io --example gen_workers -- 1000000 workers.xlsx
//! cargo run --release -p gongjiang-io --example gen_workers -- 1000000 workers.csv \
//!     --orgs codes.txt --unique-ids
//! ```
//!
//! Rows are deterministic (a fixed seed), with valid 身份证号 and 统一社会信用代码
//! check characters, 200 enterprises, and every optional column sometimes empty.
//!
//! `--orgs FILE` takes the 单位信用代码 values from FILE (one per line) instead of 200
//! made-up ones, so that the rows name organisations that exist in a target database
//! (`bench/import_workers.py` passes the demo database's enterprises). `--unique-ids`
//! makes every 身份证号 in the file distinct (row i gets a permutation of i over the
//! 80,640,000 numbers of 6 birthplaces × birth years 1965–2004 × 12 months × 28 days ×
//! 1,000 sequences) and, with birthplaces outside 常州 (workers from elsewhere in 江苏,
//! 安徽, 河南, 四川), never one of the demo dataset's workers, who are all born in a
//! 常州 district; without it numbers are drawn at random and about 0.6 % of a million
//! rows repeat an earlier one.

use gongjiang_io::WORKERS;
use std::io::{BufWriter, Write};

const USCC_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
    "秀英", "建华", "志强", "海燕", "国庆",
];
const OCCUPATIONS: &[&str] = &[
    "车工",
    "钳工",
    "焊工",
    "电工",
    "铣工",
    "磨工",
    "数控车工",
    "装配钳工",
    "维修电工",
    "化学检验员",
];
const DISTRICTS: &[&str] = &["320402", "320404", "320411", "320412", "320413", "320481"];
/// Birthplaces of `--unique-ids` numbers: none in 常州 (3204xx).
const BIRTHPLACES: &[&str] = &["320102", "320205", "321002", "340102", "410102", "510104"];

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn uscc(seq: usize) -> String {
    let mut s = format!("91{}MA{:07}", DISTRICTS[seq % DISTRICTS.len()], seq);
    s.truncate(17);
    let chars: Vec<char> = USCC_CHARS.chars().collect();
    let sum: u32 = s
        .chars()
        .zip(USCC_WEIGHTS)
        .map(|(c, w)| USCC_CHARS.find(c).unwrap_or(0) as u32 * w)
        .sum();
    s.push(chars[((31 - sum % 31) % 31) as usize]);
    s
}

fn id_number(rng: &mut Rng) -> String {
    let area = DISTRICTS[rng.below(DISTRICTS.len())];
    let year = 1965 + rng.below(40);
    let month = 1 + rng.below(12);
    let day = 1 + rng.below(28);
    let seq = rng.below(1000);
    with_check(format!("{area}{year}{month:02}{day:02}{seq:03}"))
}

/// Row `i`'s number when every number must be distinct: an affine permutation of `i`
/// (the multiplier is prime to the modulus), read as mixed-radix digits.
fn unique_id_number(i: usize) -> String {
    const M: u64 = 6 * 40 * 12 * 28 * 1000;
    let mut x = ((i as u64 % M) * 48_271 + 12_345) % M;
    let seq = x % 1000;
    x /= 1000;
    let day = 1 + x % 28;
    x /= 28;
    let month = 1 + x % 12;
    x /= 12;
    let year = 1965 + x % 40;
    x /= 40;
    let area = BIRTHPLACES[(x % 6) as usize];
    with_check(format!("{area}{year}{month:02}{day:02}{seq:03}"))
}

fn with_check(s: String) -> String {
    let sum: u32 = s
        .bytes()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{s}{check}")
}

fn row(rng: &mut Rng, orgs: &[String], unique: Option<usize>) -> Vec<String> {
    let name = format!(
        "{}{}",
        SURNAMES[rng.below(SURNAMES.len())],
        GIVEN[rng.below(GIVEN.len())]
    );
    // Drawn either way, so that the other columns do not depend on the option.
    let drawn = id_number(rng);
    let id = unique.map_or(drawn, unique_id_number);
    let org = orgs[rng.below(orgs.len())].clone();
    let phone = format!(
        "1{}{:09}",
        [3, 5, 8][rng.below(3)],
        rng.below(1_000_000_000)
    );
    let occupation = OCCUPATIONS[rng.below(OCCUPATIONS.len())].to_string();
    let level = WORKERS.columns[5].choices[rng.below(8)].to_string();
    let certificate = format!("S{:012}", rng.below(1_000_000_000_000));
    let date = format!(
        "{}-{:02}-{:02}",
        2005 + rng.below(19),
        1 + rng.below(12),
        1 + rng.below(28)
    );
    let frontline = if rng.below(3) > 0 { "是" } else { "否" }.to_string();
    let political = WORKERS.columns[9].choices[rng.below(5)].to_string();
    let mut values = vec![
        name,
        id,
        org,
        phone,
        occupation,
        level,
        certificate,
        date,
        frontline,
        political,
    ];
    // About one optional value in five is left empty.
    for v in values.iter_mut().skip(3) {
        if rng.below(10) >= 8 {
            v.clear();
        }
    }
    values
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut positional = Vec::new();
    let mut orgs_file = None;
    let mut unique = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--orgs" => orgs_file = Some(args.next().ok_or("--orgs needs a file")?),
            "--unique-ids" => unique = true,
            _ if a.starts_with("--") => return Err(format!("unknown option {a}").into()),
            _ => positional.push(a),
        }
    }
    let mut positional = positional.into_iter();
    let n: usize = positional.next().unwrap_or_else(|| "1000".into()).parse()?;
    let out = positional.next().unwrap_or_else(|| "workers.csv".into());
    let orgs: Vec<String> = match orgs_file {
        Some(f) => std::fs::read_to_string(&f)?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        None => (1..=200).map(uscc).collect(),
    };
    if orgs.is_empty() {
        return Err("--orgs: the file lists no credit codes".into());
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let rows = (0..n).map(move |i| row(&mut rng, &orgs, unique.then_some(i)));
    if out.ends_with(".xlsx") {
        let bytes = gongjiang_io::xlsx(&WORKERS, rows)?;
        std::fs::write(&out, bytes)?;
    } else {
        let mut w = BufWriter::new(std::fs::File::create(&out)?);
        gongjiang_io::write_csv(&mut w, &WORKERS, rows)?;
        w.flush()?;
    }
    eprintln!("wrote {n} rows to {out}");
    Ok(())
}
