//! Deterministic demo dataset for Changzhou (常州市, 320400): the region tree, member
//! units of the joint meeting, district unions, industrial parks, colleges and about
//! 1,200 enterprises with valid, distinct 统一社会信用代码.
//!
//! Everything is pure: the output depends on the seed alone (a
//! [`SmallRng`](rand::rngs::SmallRng) seeded with it), never on time or the environment.
//! What [`load`] writes depends on the seed and the day it is loaded ([`DemoClock`]):
//! the years move with the calendar, the figures stay the seed's.
//! [`generate`] and [`scaled`] draw the fixed part (regions, member units, unions,
//! parks, colleges) in the same way, so `scaled(seed, DEFAULT_ENTERPRISES)` equals
//! `generate(seed)`.
//!
//! Order of [`DemoData::orgs`]: member units (人社局 first), unions, parks, colleges,
//! then enterprises; an enterprise's `parent` always points backwards at a park.

pub mod assessment;
mod contacts;
mod contests;
mod craftsmen;
mod innovations;
pub mod liuyou;
mod load;
mod names;
pub mod policies;
pub mod programme;
mod studios;
pub mod tasks;
pub mod training;

pub use load::{load, load_on, load_seeded, Loaded, DEMO_ACCOUNTS, DEMO_PASSWORD};

use gongjiang_domain::training::CollegeType;
use gongjiang_domain::{OrgKind, Ownership, Uscc};
use names::{District, Trade};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// The seed the demo accounts and the README refer to.
pub const DEFAULT_SEED: u64 = 2024;

/// The year the seed's figures describe (the article of 2024-04-01 reports 2023). The
/// demo puts them in the last complete year before the day it is loaded
/// ([`DemoClock::base_year`]).
pub const SEED_YEAR: i64 = 2023;

/// The day the demo is loaded, and every year and date of the demo derived from it: the
/// last complete year ([`base_year`](DemoClock::base_year)) is approved at the seed's
/// scale, the current year's reports are under review, and tasks, meetings, visits and
/// activities fall around `today`. The same day and seed give the same data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoClock {
    pub today: chrono::NaiveDate,
}

impl DemoClock {
    /// The demo as loaded on `today`.
    pub fn on(today: chrono::NaiveDate) -> DemoClock {
        DemoClock { today }
    }

    /// The demo as loaded today (Beijing time).
    pub fn now() -> DemoClock {
        DemoClock::on(gongjiang_storage::contacts::today())
    }

    /// The current calendar year.
    pub fn this_year(&self) -> i64 {
        i64::from(chrono::Datelike::year(&self.today))
    }

    /// The last complete year: its statistics are approved and carry the seed's figures.
    pub fn base_year(&self) -> i64 {
        self.this_year() - 1
    }

    /// The demo year of a year of the seed ([`SEED_YEAR`] becomes [`base_year`](Self::base_year)).
    pub fn year(&self, seed_year: i64) -> i64 {
        seed_year + self.base_year() - SEED_YEAR
    }

    /// `MM-DD` of a year, as `YYYY-MM-DD` (29 February becomes the 28th in other years).
    pub fn date(&self, year: i64, month_day: &str) -> String {
        let ymd = format!("{year}-{month_day}");
        match chrono::NaiveDate::parse_from_str(&ymd, "%Y-%m-%d") {
            Ok(_) => ymd,
            Err(_) => format!("{year}-{}", month_day.replace("02-29", "02-28")),
        }
    }

    /// The day `n` days before today.
    pub fn days_ago(&self, n: i64) -> chrono::NaiveDate {
        self.today - chrono::Duration::days(n)
    }
}

/// Number of enterprises [`generate`] produces.
pub const DEFAULT_ENTERPRISES: usize = 1_200;

/// Level of a demo region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionLevelKind {
    City,
    District,
    Town,
    /// A functional zone (经开区, 高新区) without a GB/T 2260 code.
    Zone,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoRegion {
    pub code: String,
    pub name: String,
    pub level: RegionLevelKind,
    pub parent_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOrg {
    pub name: String,
    pub kind: OrgKind,
    pub uscc: Option<Uscc>,
    pub region_code: String,
    /// Index into [`DemoData::orgs`] of the park an enterprise sits in.
    pub parent: Option<usize>,
    /// GB/T 4754 division, e.g. `C38`.
    pub industry: Option<String>,
    pub ownership: Option<Ownership>,
    pub chain_leader: bool,
    /// 大型 / 中型 / 小型 / 微型.
    pub size: Option<String>,
    pub address: Option<String>,
    pub contact: Option<String>,
    /// 院校类型 of a 院校.
    pub college_type: Option<gongjiang_domain::training::CollegeType>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoData {
    pub regions: Vec<DemoRegion>,
    pub orgs: Vec<DemoOrg>,
}

impl DemoData {
    /// The region with this code.
    pub fn region(&self, code: &str) -> Option<&DemoRegion> {
        self.regions.iter().find(|r| r.code == code)
    }

    /// Indices and organisations of one kind, in order.
    pub fn orgs_of_kind(&self, kind: OrgKind) -> impl Iterator<Item = (usize, &DemoOrg)> + '_ {
        self.orgs
            .iter()
            .enumerate()
            .filter(move |(_, o)| o.kind == kind)
    }

    /// Index of the organisation with this name.
    pub fn org_index(&self, name: &str) -> Option<usize> {
        self.orgs.iter().position(|o| o.name == name)
    }
}

/// The district (6-digit) code a region code belongs to: the code itself for cities,
/// districts and zones, the first six digits for towns.
pub fn district_of(region_code: &str) -> &str {
    region_code.get(..6).unwrap_or(region_code)
}

/// The demo dataset: about 1,200 enterprises ([`DEFAULT_ENTERPRISES`]).
pub fn generate(seed: u64) -> DemoData {
    build(seed, DEFAULT_ENTERPRISES)
}

/// The same shape as [`generate`] with `enterprises` enterprises (for benchmarks with
/// 100,000 organisations and more). Names stay unique: when the pool of compositions
/// runs dry a number is appended. Codes stay distinct up to 100 million enterprises.
/// Above 20,000 enterprises the same 字号 + business word may recur under another prefix
/// (常州… / 江苏…); below, it is avoided.
pub fn scaled(seed: u64, enterprises: usize) -> DemoData {
    build(seed, enterprises)
}

/// Name of the enterprise the demo account `unit` is attached to.
pub const PILOT_ENTERPRISE_TIANNING: &str = "常州瀚宁智能装备股份有限公司";

/// Index of a stable pilot enterprise in 天宁区 (320402 or one of its towns): the demo
/// account `unit` is attached to it. Falls back to the first enterprise in 天宁区, then
/// to the first enterprise, then to 0.
pub fn first_pilot_enterprise_in_tianning(data: &DemoData) -> usize {
    let enterprises = || {
        data.orgs
            .iter()
            .enumerate()
            .filter(|(_, o)| o.kind == OrgKind::Enterprise)
    };
    enterprises()
        .find(|(_, o)| o.name == PILOT_ENTERPRISE_TIANNING)
        .or_else(|| enterprises().find(|(_, o)| district_of(&o.region_code) == "320402"))
        .or_else(|| enterprises().next())
        .map_or(0, |(i, _)| i)
}

// ---------------------------------------------------------------------------------------
// Codes

/// GB 11714 check character of an 8-character organisation code body.
fn org_code_check(body: &[u8]) -> Option<char> {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    if body.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (&c, w) in body.iter().zip(W) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return None,
        };
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from(b'0' + d as u8),
    })
}

const USCC_SYMBOLS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const OLD_SPACE: u64 = 100_000_000;
const NEW_SPACE: u64 = 31u64.pow(6);

/// The 9-character 主体标识码 number `k` of a scheme: old style (8-digit organisation
/// code + check) or new style (`MA` + 6 symbols + check). The map from `k` is a bijection
/// for `k` below the scheme's space, so distinct `k` give distinct bodies.
fn subject_id(k: u64, offset: u64, new_style: bool) -> Option<String> {
    let mut body = Vec::with_capacity(8);
    if new_style {
        // The step (≈ 0.618 of the space) is coprime to 31: k ↦ v permutes the residues
        // and neighbouring k land far apart.
        let mut v = (k.wrapping_mul(548_503_781).wrapping_add(offset)) % NEW_SPACE;
        body.extend_from_slice(b"MA");
        let mut tail = [b'0'; 6];
        for slot in tail.iter_mut().rev() {
            *slot = USCC_SYMBOLS[(v % 31) as usize];
            v /= 31;
        }
        body.extend_from_slice(&tail);
    } else {
        // The step (≈ 0.618 of the space) is coprime to 10.
        let v = (k.wrapping_mul(61_803_399).wrapping_add(offset)) % OLD_SPACE;
        body.extend_from_slice(format!("{v:08}").as_bytes());
    }
    let check = org_code_check(&body)?;
    let mut s = String::from_utf8(body).ok()?;
    s.push(check);
    Some(s)
}

fn make_uscc(prefix: &str, district: &str, k: u64, offset: u64, new_style: bool) -> Option<Uscc> {
    let id = subject_id(k, offset, new_style)?;
    Uscc::from_first17(&format!("{prefix}{district}{id}"))
}

// ---------------------------------------------------------------------------------------
// Random helpers

fn pick<'a, T>(rng: &mut SmallRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn pick_weighted<T: Copy>(rng: &mut SmallRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut r = rng.gen_range(0..total.max(1));
    for &(item, w) in items {
        if r < w {
            return item;
        }
        r -= w;
    }
    items[items.len() - 1].0
}

fn phone(rng: &mut SmallRng) -> String {
    format!("0519-8{:07}", rng.gen_range(1_000_000..10_000_000u32))
}

fn contact(rng: &mut SmallRng, titles: &[&str]) -> String {
    let surname = pick(rng, names::SURNAMES);
    let title = pick(rng, titles);
    format!("{surname}{title} {}", phone(rng))
}

fn address(rng: &mut SmallRng, d: &District) -> String {
    let road = pick(rng, d.roads);
    let n = if rng.gen_bool(0.7) {
        rng.gen_range(1..200)
    } else {
        rng.gen_range(200..1000)
    };
    format!("{}{}{}{}号", names::CITY_NAME, d.name, road, n)
}

// ---------------------------------------------------------------------------------------
// Regions

fn town_code(district: &District, town: &str) -> Option<String> {
    let (mut street_no, mut town_no) = (1, 100);
    for &t in district.towns {
        let code = if t.ends_with("街道") {
            street_no += 1;
            format!("{}{:03}", district.code, street_no - 1)
        } else {
            town_no += 1;
            format!("{}{:03}", district.code, town_no - 1)
        };
        if t == town {
            return Some(code);
        }
    }
    None
}

fn build_regions() -> Vec<DemoRegion> {
    let city = || Some(names::CITY_CODE.to_string());
    let mut regions = vec![DemoRegion {
        code: names::CITY_CODE.into(),
        name: names::CITY_NAME.into(),
        level: RegionLevelKind::City,
        parent_code: None,
    }];
    for d in names::DISTRICTS {
        regions.push(DemoRegion {
            code: d.code.into(),
            name: d.name.into(),
            level: RegionLevelKind::District,
            parent_code: city(),
        });
    }
    // 经开区 / 高新区: functional zones without a GB/T 2260 code (local codes).
    for (code, name) in names::ZONES {
        regions.push(DemoRegion {
            code: (*code).into(),
            name: (*name).into(),
            level: RegionLevelKind::Zone,
            parent_code: city(),
        });
    }
    // 镇/街道: district code + 001… for streets, 100… for towns.
    for d in names::DISTRICTS {
        for &t in d.towns {
            if let Some(code) = town_code(d, t) {
                regions.push(DemoRegion {
                    code,
                    name: t.into(),
                    level: RegionLevelKind::Town,
                    parent_code: Some(d.code.into()),
                });
            }
        }
    }
    regions
}

fn district(code: &str) -> Option<&'static District> {
    names::DISTRICTS.iter().find(|d| d.code == code)
}

// ---------------------------------------------------------------------------------------
// Enterprises

const SIZES: [&str; 4] = ["大型", "中型", "小型", "微型"];

/// Hand-made anchors: one chain leader per district, always first among enterprises.
struct Flagship {
    name: &'static str,
    park: &'static str,
    industry: &'static str,
    ownership: Ownership,
}

const FLAGSHIPS: &[Flagship] = &[
    Flagship {
        name: PILOT_ENTERPRISE_TIANNING,
        park: "天宁经济开发区",
        industry: "C35",
        ownership: Ownership::Private,
    },
    Flagship {
        name: "江苏澄湖储能科技股份有限公司",
        park: "武进国家高新区新能源产业园",
        industry: "C38",
        ownership: Ownership::Private,
    },
    Flagship {
        name: "常州柯诺新材料股份有限公司",
        park: "新北区滨江经济开发区",
        industry: "C26",
        ownership: Ownership::Mixed,
    },
    Flagship {
        name: "常州钟晟汽车零部件股份有限公司",
        park: "钟楼经济开发区",
        industry: "C36",
        ownership: Ownership::Private,
    },
    Flagship {
        name: "江苏坛芯动力电池有限公司",
        park: "金坛经济开发区",
        industry: "C38",
        ownership: Ownership::Private,
    },
    Flagship {
        name: "溧阳昱能新能源科技有限公司",
        park: "溧阳高新区动力电池产业园",
        industry: "C38",
        ownership: Ownership::Private,
    },
    Flagship {
        name: "常州市龙城轨道交通装备集团有限公司",
        park: "常州经开区轨道交通产业园",
        industry: "C37",
        ownership: Ownership::State,
    },
];

struct Park {
    index: usize,
    district: &'static District,
    region_code: String,
    focus: &'static str,
}

/// FNV-1a: a fast, fixed hasher for the uniqueness sets (deterministic, not exposed to
/// untrusted input).
#[derive(Clone, Copy)]
struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

type Fnv = BuildHasherDefault<FnvHasher>;

/// Key of a 字号 + business word pair.
fn key_of(trade: &str, word: &str) -> u64 {
    let mut h = FnvHasher::default();
    h.write(trade.as_bytes());
    h.write(&[0xff]);
    h.write(word.as_bytes());
    h.finish()
}

/// Per-build state for composing unique enterprise names and codes.
struct Namer {
    trade_names: Vec<String>,
    names: HashSet<String, Fnv>,
    keys: HashSet<u64, Fnv>,
    /// Draws that insist on a fresh 字号 + word before settling for a fresh full name.
    key_attempts: usize,
    overflow: u64,
}

impl Namer {
    /// `strict`: insist harder on distinct 字号 + word pairs (the default dataset); large
    /// benchmark sets only need distinct names.
    fn new(strict: bool, capacity: usize) -> Namer {
        let mut trade_names = Vec::new();
        let mut seen = HashSet::new();
        for a in names::TRADE_FIRST {
            for b in names::TRADE_SECOND {
                let n = format!("{a}{b}");
                if a != b && !names::TRADE_AVOID.contains(&n.as_str()) && seen.insert(n.clone()) {
                    trade_names.push(n);
                }
            }
        }
        Namer {
            trade_names,
            names: HashSet::with_capacity_and_hasher(capacity, Fnv::default()),
            keys: HashSet::with_capacity_and_hasher(capacity, Fnv::default()),
            key_attempts: if strict { 16 } else { 2 },
            overflow: 0,
        }
    }

    fn foreign_trade_name(rng: &mut SmallRng) -> String {
        let n = if rng.gen_bool(0.3) { 3 } else { 2 };
        let mut out = String::new();
        let mut last = "";
        let mut len = 0;
        while len < n {
            let s = *pick(rng, names::FOREIGN_SYLLABLES);
            if s != last {
                out.push_str(s);
                last = s;
                len += 1;
            }
        }
        out
    }

    /// One composition: (full name, key). The key (字号 + business word) should be
    /// unique so that the demo does not show 常州华盛电池 and 江苏华盛电池 side by side.
    fn compose(
        &self,
        rng: &mut SmallRng,
        d: &District,
        word: &str,
        ownership: Ownership,
        size: &str,
    ) -> (String, u64) {
        let kexue_ok = !(word.ends_with("技术") || word.ends_with('院'));
        // A 字号 sharing a character with the business word reads badly (越能能源).
        let trade_name = |rng: &mut SmallRng| -> &str {
            let mut t = pick(rng, &self.trade_names).as_str();
            for _ in 0..8 {
                if !t.chars().any(|c| word.contains(c)) {
                    break;
                }
                t = pick(rng, &self.trade_names).as_str();
            }
            t
        };
        let suffix = |rng: &mut SmallRng, weights: [u32; 3]| -> &'static str {
            let s = pick_weighted(
                rng,
                &[
                    ("有限公司", weights[0]),
                    ("科技有限公司", weights[1]),
                    ("股份有限公司", weights[2]),
                ],
            );
            if s == "科技有限公司" && !kexue_ok {
                "有限公司"
            } else {
                s
            }
        };
        match ownership {
            Ownership::Foreign => {
                let t = Self::foreign_trade_name(rng);
                let name = match rng.gen_range(0..20) {
                    0..=11 => format!("{t}（常州）{word}有限公司"),
                    12..=15 => format!("{t}（中国）{word}有限公司"),
                    _ => format!("常州{t}{word}有限公司"),
                };
                let key = key_of(&t, word);
                (name, key)
            }
            Ownership::State => {
                let t = trade_name(rng);
                let prefix = if rng.gen_bool(0.6) {
                    "常州市"
                } else {
                    "常州"
                };
                let suf = if size == "大型" && rng.gen_bool(0.5) {
                    "集团有限公司"
                } else {
                    suffix(rng, [60, 15, 25])
                };
                (format!("{prefix}{t}{word}{suf}"), key_of(t, word))
            }
            Ownership::Mixed => {
                let t = trade_name(rng);
                let prefix = if rng.gen_bool(0.6) {
                    "常州"
                } else {
                    "江苏"
                };
                let suf = suffix(rng, [35, 15, 50]);
                (format!("{prefix}{t}{word}{suf}"), key_of(t, word))
            }
            Ownership::Private => {
                let t = trade_name(rng);
                let prefix = pick_weighted(
                    rng,
                    &[
                        ("常州", 35),
                        ("常州市", 20),
                        ("江苏", 25),
                        (d.local_prefix, 20),
                    ],
                );
                let suf = suffix(rng, [60, 25, 15]);
                (format!("{prefix}{t}{word}{suf}"), key_of(t, word))
            }
        }
    }

    fn unique_name(
        &mut self,
        rng: &mut SmallRng,
        d: &District,
        word: &str,
        ownership: Ownership,
        size: &str,
    ) -> String {
        let mut last = String::new();
        for attempt in 0..self.key_attempts + 16 {
            let (name, key) = self.compose(rng, d, word, ownership, size);
            let fresh_key = attempt >= self.key_attempts || !self.keys.contains(&key);
            if fresh_key && !self.names.contains(&name) {
                self.keys.insert(key);
                self.names.insert(name.clone());
                return name;
            }
            last = name;
        }
        // Pool exhausted for this word: append a distinguishing number. Composed names
        // never end in a digit, so `name + number` cannot meet another composed name.
        loop {
            self.overflow += 1;
            let name = format!("{last}{}", self.overflow);
            if self.names.insert(name.clone()) {
                return name;
            }
        }
    }
}

fn manufacturing(code: &str) -> bool {
    code.starts_with('C')
}

fn pick_size(rng: &mut SmallRng, ownership: Ownership, industry: &str) -> &'static str {
    let w: [u32; 4] = match ownership {
        _ if !manufacturing(industry) => [2, 15, 50, 33],
        Ownership::State | Ownership::Foreign => [15, 40, 35, 10],
        Ownership::Mixed => [12, 38, 40, 10],
        Ownership::Private => [6, 24, 48, 22],
    };
    pick_weighted(
        rng,
        &[
            (SIZES[0], w[0]),
            (SIZES[1], w[1]),
            (SIZES[2], w[2]),
            (SIZES[3], w[3]),
        ],
    )
}

fn trade(code: &str) -> Option<&'static Trade> {
    names::TRADES.iter().find(|t| t.code == code)
}

// ---------------------------------------------------------------------------------------
// The build

struct Builder {
    rng: SmallRng,
    orgs: Vec<DemoOrg>,
    /// Next 主体标识码 number for "11"/"12" bodies.
    institution_k: u64,
    institution_offset: u64,
}

impl Builder {
    fn institution_uscc(&mut self, prefix: &str, district: &str) -> Option<Uscc> {
        self.institution_k += 1;
        make_uscc(
            prefix,
            district,
            self.institution_k,
            self.institution_offset,
            false,
        )
    }

    fn push_simple(
        &mut self,
        name: &str,
        kind: OrgKind,
        region_code: String,
        uscc: Option<Uscc>,
    ) -> usize {
        self.orgs.push(DemoOrg {
            name: name.into(),
            kind,
            uscc,
            region_code,
            parent: None,
            industry: None,
            ownership: None,
            chain_leader: false,
            size: None,
            address: None,
            contact: None,
            college_type: None,
        });
        self.orgs.len() - 1
    }

    fn college(&mut self, name: &str, d: &District, region_code: String, t: CollegeType) {
        let uscc = self.institution_uscc("12", d.code);
        let i = self.push_simple(name, OrgKind::College, region_code, uscc);
        self.orgs[i].college_type = Some(t);
        self.orgs[i].address = Some(address(&mut self.rng, d));
        self.orgs[i].contact = Some(contact(&mut self.rng, &["老师", "院长", "主任"]));
    }
}

fn build(seed: u64, enterprises: usize) -> DemoData {
    let regions = build_regions();
    let mut rng = SmallRng::seed_from_u64(seed);
    let institution_offset = rng.gen_range(0..OLD_SPACE);
    let old_offset = rng.gen_range(0..OLD_SPACE);
    let new_offset = rng.gen_range(0..NEW_SPACE);
    let mut b = Builder {
        rng,
        orgs: Vec::with_capacity(enterprises + 120),
        institution_k: 0,
        institution_offset,
    };

    // 成员单位 (人社局 first).
    for &(name, organ) in names::MEMBER_UNITS {
        let uscc = if organ {
            b.institution_uscc("11", names::CITY_CODE)
        } else {
            None
        };
        let i = b.push_simple(name, OrgKind::MemberUnit, names::CITY_CODE.into(), uscc);
        b.orgs[i].address = organ.then(|| names::CIVIC_CENTRE.to_string());
        b.orgs[i].contact = Some(contact(&mut b.rng, &["科长", "处长", "主任"]));
    }

    // 区总工会, and the union of the 经开区 (a zone).
    for d in names::DISTRICTS {
        let i = b.push_simple(
            &format!("{}总工会", d.name),
            OrgKind::Union,
            d.code.into(),
            None,
        );
        b.orgs[i].address = Some(address(&mut b.rng, d));
        b.orgs[i].contact = Some(contact(&mut b.rng, &["主席", "部长"]));
    }
    let i = b.push_simple(
        "常州经济开发区总工会",
        OrgKind::Union,
        names::ZONES[0].0.into(),
        None,
    );
    // The 经开区 lies within 武进区.
    if let Some(d) = district("320412") {
        b.orgs[i].address = Some(address(&mut b.rng, d));
    }
    b.orgs[i].contact = Some(contact(&mut b.rng, &["主席", "部长"]));

    // 园区.
    let mut parks: Vec<Park> = Vec::new();
    for &(name, dcode, town, focus) in names::PARKS {
        let Some(d) = district(dcode) else { continue };
        let region_code = town
            .and_then(|t| town_code(d, t))
            .unwrap_or_else(|| d.code.to_string());
        let uscc = b.institution_uscc("12", d.code);
        let i = b.push_simple(name, OrgKind::Park, region_code.clone(), uscc);
        b.orgs[i].industry = Some(focus.into());
        b.orgs[i].address = Some(address(&mut b.rng, d));
        b.orgs[i].contact = Some(contact(&mut b.rng, &["主任", "主任", "科长"]));
        parks.push(Park {
            index: i,
            district: d,
            region_code,
            focus,
        });
    }

    // 院校: 产业学院, 工匠学院, 职工学堂.
    for (&(name, dcode), t) in names::INDUSTRY_COLLEGES
        .iter()
        .map(|c| (c, CollegeType::Industry))
        .chain(
            names::CRAFTSMAN_COLLEGES
                .iter()
                .map(|c| (c, CollegeType::Craftsman)),
        )
    {
        if let Some(d) = district(dcode) {
            b.college(name, d, d.code.into(), t);
        }
    }
    let park_schools: Vec<(String, &'static District, String)> = parks
        .iter()
        .enumerate()
        .filter(|(n, _)| n % 3 != 2)
        .map(|(_, p)| {
            (
                format!("{}职工学堂", b.orgs[p.index].name),
                p.district,
                p.region_code.clone(),
            )
        })
        .collect();
    for (name, d, region_code) in park_schools {
        b.college(&name, d, region_code, CollegeType::Worker);
    }
    for &(dcode, town) in names::TOWN_SCHOOLS {
        if let Some(d) = district(dcode) {
            let region_code = town_code(d, town).unwrap_or_else(|| d.code.to_string());
            b.college(
                &format!("{}{}职工学堂", d.name, town),
                d,
                region_code,
                CollegeType::Worker,
            );
        }
    }

    // 企业.
    let mut namer = Namer::new(enterprises <= 20_000, enterprises + FLAGSHIPS.len());
    for f in FLAGSHIPS {
        namer.names.insert(f.name.to_string());
    }
    let district_weights: Vec<(usize, u32)> = names::DISTRICTS
        .iter()
        .enumerate()
        .map(|(i, d)| (i, d.weight))
        .collect();
    let town_codes: Vec<Vec<String>> = names::DISTRICTS
        .iter()
        .map(|d| d.towns.iter().filter_map(|t| town_code(d, t)).collect())
        .collect();
    let trade_weights: Vec<(&Trade, u32)> = names::TRADES.iter().map(|t| (t, t.weight)).collect();
    let ownership_weights = [
        (Ownership::State, 8),
        (Ownership::Private, 75),
        (Ownership::Foreign, 10),
        (Ownership::Mixed, 7),
    ];
    let parks_by_district: Vec<Vec<usize>> = names::DISTRICTS
        .iter()
        .map(|d| {
            (0..parks.len())
                .filter(|&p| parks[p].district.code == d.code)
                .collect()
        })
        .collect();

    for k in 0..enterprises {
        let rng = &mut b.rng;
        let (name, d, park, industry, ownership, size, chain_leader) = if let Some(f) =
            FLAGSHIPS.get(k)
        {
            let park = parks.iter().position(|p| b.orgs[p.index].name == f.park);
            let d = park
                .map(|p| parks[p].district)
                .unwrap_or(&names::DISTRICTS[0]);
            (
                f.name.to_string(),
                d,
                park,
                f.industry,
                f.ownership,
                "大型",
                true,
            )
        } else {
            let di = pick_weighted(rng, &district_weights);
            let d = &names::DISTRICTS[di];
            let candidates = &parks_by_district[di];
            let park = if !candidates.is_empty() && rng.gen_bool(1.0 / 3.0) {
                Some(*pick(rng, candidates))
            } else {
                None
            };
            let t: &Trade = match park {
                Some(p) if rng.gen_bool(0.65) => trade(parks[p].focus).unwrap_or(&names::TRADES[0]),
                _ => pick_weighted(rng, &trade_weights),
            };
            let ownership = pick_weighted(rng, &ownership_weights);
            let size = pick_size(rng, ownership, t.code);
            let chain_leader = manufacturing(t.code)
                && match size {
                    "大型" => rng.gen_bool(0.55),
                    "中型" => rng.gen_bool(0.04),
                    _ => false,
                };
            let word = *pick(rng, t.words);
            let name = namer.unique_name(rng, d, word, ownership, size);
            (name, d, park, t.code, ownership, size, chain_leader)
        };
        let region_code = match park {
            Some(p) => parks[p].region_code.clone(),
            None => {
                let codes = names::DISTRICTS
                    .iter()
                    .position(|x| x.code == d.code)
                    .and_then(|i| town_codes.get(i))
                    .filter(|c| !c.is_empty());
                match codes {
                    Some(c) => pick(rng, c).clone(),
                    None => d.code.to_string(),
                }
            }
        };
        // Older and larger firms keep the organisation code of before 2015.
        let old_share = if matches!(size, "大型" | "中型") {
            0.55
        } else {
            0.25
        };
        let new_style = !rng.gen_bool(old_share);
        let offset = if new_style { new_offset } else { old_offset };
        let uscc = make_uscc("91", d.code, k as u64, offset, new_style);
        let address = address(rng, d);
        let contact = contact(rng, names::COMPANY_TITLES);
        b.orgs.push(DemoOrg {
            name,
            kind: OrgKind::Enterprise,
            uscc,
            region_code,
            parent: park.map(|p| parks[p].index),
            industry: Some(industry.into()),
            ownership: Some(ownership),
            chain_leader,
            size: Some(size.into()),
            address: Some(address),
            contact: Some(contact),
            college_type: None,
        });
    }

    DemoData {
        regions,
        orgs: b.orgs,
    }
}

/// A demo account as an actor (the demo's seeds act as the people who would).
pub(crate) async fn account(
    svc: &gongjiang_storage::service::Service,
    name: &str,
) -> Result<Option<gongjiang_storage::scope::Actor>, gongjiang_storage::StoreError> {
    let mut conn = svc.db.pool.acquire().await?;
    Ok(gongjiang_storage::users::by_username(&mut conn, name)
        .await?
        .map(|u| u.0.actor("demo")))
}

/// A reviewer's action on a case, with a comment (what the demo's reviewers do).
pub(crate) fn act(a: &str, comment: &str) -> gongjiang_storage::workflow::ActInput {
    gongjiang_storage::workflow::ActInput {
        action: a.into(),
        comment: Some(comment.into()),
        version: None,
        changes: Default::default(),
    }
}

#[cfg(test)]
mod tests;
