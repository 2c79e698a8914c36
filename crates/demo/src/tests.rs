use super::*;
use gongjiang_domain::RegionCode;
use std::collections::{HashMap, HashSet};

/// FNV-1a over every field that matters, in order.
fn digest(d: &DemoData) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |s: &str| {
        for b in s.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for r in &d.regions {
        eat(&r.code);
        eat(&r.name);
        eat(&format!("{:?}{:?}", r.level, r.parent_code));
    }
    for o in &d.orgs {
        eat(&o.name);
        eat(o.uscc.as_ref().map_or("-", |u| u.as_str()));
        eat(&o.region_code);
        eat(&format!(
            "{:?}{:?}{:?}{:?}{}",
            o.kind, o.parent, o.industry, o.ownership, o.chain_leader
        ));
        eat(&format!("{:?}{:?}{:?}", o.size, o.address, o.contact));
    }
    h
}

fn count(d: &DemoData, kind: OrgKind) -> usize {
    d.orgs_of_kind(kind).count()
}

#[test]
fn deterministic() {
    let a = generate(DEFAULT_SEED);
    let b = generate(DEFAULT_SEED);
    assert_eq!(digest(&a), digest(&b));
    assert_eq!(a, b);
    assert_ne!(digest(&a), digest(&generate(7)));
    // scaled with the default count is the same dataset.
    assert_eq!(
        digest(&a),
        digest(&scaled(DEFAULT_SEED, DEFAULT_ENTERPRISES))
    );
}

#[test]
fn usccs_valid_and_unique() {
    let d = generate(DEFAULT_SEED);
    let mut seen = HashSet::new();
    for o in &d.orgs {
        if let Some(u) = &o.uscc {
            let parsed = Uscc::parse(u.as_str()).unwrap();
            assert_eq!(&parsed, u);
            assert!(
                seen.insert(u.as_str().to_string()),
                "duplicate USCC {u} ({})",
                o.name
            );
            let prefix = &u.as_str()[..2];
            match o.kind {
                OrgKind::Enterprise => {
                    assert_eq!(prefix, "91");
                    assert_eq!(u.region_part(), district_of(&o.region_code), "{}", o.name);
                }
                OrgKind::Park | OrgKind::College => {
                    assert_eq!(prefix, "12");
                    assert_eq!(u.region_part(), district_of(&o.region_code), "{}", o.name);
                }
                OrgKind::MemberUnit => {
                    assert_eq!(prefix, "11");
                    assert_eq!(u.region_part(), "320400");
                }
                OrgKind::Union => panic!("unions carry no code in the demo"),
            }
        } else {
            assert!(!o.kind.requires_uscc(), "{} needs a USCC", o.name);
        }
    }
}

#[test]
fn names_unique_and_sane() {
    let d = generate(DEFAULT_SEED);
    let mut seen = HashSet::new();
    for o in &d.orgs {
        assert!(seen.insert(o.name.as_str()), "duplicate name {}", o.name);
        let n = o.name.chars().count();
        assert!((4..=40).contains(&n), "odd name {}", o.name);
        assert!(
            !o.name.chars().any(|c| c.is_ascii_digit()),
            "numbered name in the default set: {}",
            o.name
        );
        if o.kind == OrgKind::Enterprise {
            assert!(o.name.ends_with("公司"), "{}", o.name);
            assert!(!o.name.contains("科技科技"), "{}", o.name);
        }
    }
}

#[test]
fn regions_and_parents() {
    let d = generate(DEFAULT_SEED);
    let by_code: HashMap<&str, &DemoRegion> =
        d.regions.iter().map(|r| (r.code.as_str(), r)).collect();
    assert_eq!(by_code.len(), d.regions.len(), "duplicate region code");
    for r in &d.regions {
        RegionCode::parse(&r.code).unwrap();
        match r.level {
            RegionLevelKind::City => assert!(r.parent_code.is_none()),
            RegionLevelKind::District | RegionLevelKind::Zone => {
                assert_eq!(r.parent_code.as_deref(), Some("320400"));
                assert_eq!(r.code.len(), 6);
            }
            RegionLevelKind::Town => {
                assert_eq!(r.code.len(), 9);
                let p = r.parent_code.as_deref().unwrap();
                assert_eq!(by_code[p].level, RegionLevelKind::District);
                assert!(r.code.starts_with(p));
            }
        }
    }
    for code in [
        "320402", "320404", "320411", "320412", "320413", "320481", "320491", "320492",
    ] {
        assert!(by_code.contains_key(code), "{code}");
    }
    assert_eq!(by_code["320402"].name, "天宁区");
    assert_eq!(by_code["320481"].name, "溧阳市");
    assert_eq!(
        d.region("320491").map(|r| r.level),
        Some(RegionLevelKind::Zone)
    );
    assert!(
        d.regions
            .iter()
            .filter(|r| r.level == RegionLevelKind::Town)
            .count()
            >= 60
    );

    for o in &d.orgs {
        assert!(
            by_code.contains_key(o.region_code.as_str()),
            "{} has unknown region {}",
            o.name,
            o.region_code
        );
        if let Some(p) = o.parent {
            let park = &d.orgs[p];
            assert_eq!(park.kind, OrgKind::Park, "{}", o.name);
            assert_eq!(
                district_of(&park.region_code),
                district_of(&o.region_code),
                "{}",
                o.name
            );
            assert_eq!(o.kind, OrgKind::Enterprise);
        }
    }
    // Parks named after a town sit in that town.
    for (_, p) in d.orgs_of_kind(OrgKind::Park) {
        assert!(by_code.contains_key(p.region_code.as_str()));
    }
    assert_eq!(
        d.orgs_of_kind(OrgKind::Park)
            .filter(|(_, p)| p.region_code.len() == 9)
            .count(),
        20
    );
}

#[test]
fn counts_and_mix() {
    let d = generate(DEFAULT_SEED);
    let parks = count(&d, OrgKind::Park);
    let ents = count(&d, OrgKind::Enterprise);
    assert!((20..=25).contains(&parks), "{parks} parks");
    assert!((1150..=1250).contains(&ents), "{ents} enterprises");
    assert_eq!(count(&d, OrgKind::College), 50);
    assert_eq!(
        d.orgs
            .iter()
            .filter(|o| o.name.ends_with("产业学院"))
            .count(),
        13
    );
    assert_eq!(
        d.orgs
            .iter()
            .filter(|o| o.name.ends_with("工匠学院"))
            .count(),
        5
    );
    assert_eq!(
        d.orgs
            .iter()
            .filter(|o| o.name.ends_with("职工学堂"))
            .count(),
        32
    );
    assert!(count(&d, OrgKind::MemberUnit) >= 14);
    assert!(count(&d, OrgKind::Union) >= 6);
    // Member unit 0 is 人社局.
    let (first, mu) = d.orgs_of_kind(OrgKind::MemberUnit).next().unwrap();
    assert_eq!(first, 0);
    assert_eq!(mu.name, "常州市人力资源和社会保障局");
    assert_eq!(mu.region_code, "320400");

    let e: Vec<&DemoOrg> = d
        .orgs
        .iter()
        .filter(|o| o.kind == OrgKind::Enterprise)
        .collect();
    let share =
        |f: &dyn Fn(&DemoOrg) -> bool| e.iter().filter(|o| f(o)).count() as f64 / e.len() as f64;
    let own = |w: Ownership| share(&|o: &DemoOrg| o.ownership == Some(w));
    assert!(
        (0.05..0.11).contains(&own(Ownership::State)),
        "state {}",
        own(Ownership::State)
    );
    assert!((0.70..0.80).contains(&own(Ownership::Private)));
    assert!((0.07..0.13).contains(&own(Ownership::Foreign)));
    assert!((0.04..0.10).contains(&own(Ownership::Mixed)));
    let chain = share(&|o: &DemoOrg| o.chain_leader);
    assert!((0.03..0.08).contains(&chain), "chain leaders {chain}");
    let big_chain = e
        .iter()
        .filter(|o| o.chain_leader && o.size.as_deref() == Some("大型"))
        .count();
    assert!(big_chain * 2 > e.iter().filter(|o| o.chain_leader).count());
    let in_park = share(&|o: &DemoOrg| o.parent.is_some());
    assert!((0.28..0.40).contains(&in_park), "in park {in_park}");
    let c38 = share(&|o: &DemoOrg| o.industry.as_deref() == Some("C38"));
    assert!(c38 > 0.2, "new energy share {c38}");
    for o in &e {
        assert!(o.industry.is_some() && o.size.is_some() && o.ownership.is_some());
        let c = o.contact.as_deref().unwrap();
        assert!(c.contains(" 0519-8") && c.len() > 14, "{c}");
        assert!(o.address.as_deref().unwrap().starts_with("常州市"));
        assert!(o.address.as_deref().unwrap().ends_with('号'));
    }
}

#[test]
fn pilot_in_tianning() {
    let d = generate(DEFAULT_SEED);
    let i = first_pilot_enterprise_in_tianning(&d);
    let o = &d.orgs[i];
    assert_eq!(o.kind, OrgKind::Enterprise);
    assert_eq!(district_of(&o.region_code), "320402");
    assert_eq!(o.name, PILOT_ENTERPRISE_TIANNING);
    // Stable across seeds.
    let other = generate(99);
    assert_eq!(
        other.orgs[first_pilot_enterprise_in_tianning(&other)].name,
        PILOT_ENTERPRISE_TIANNING
    );
}

#[test]
fn scaled_100k() {
    let t = std::time::Instant::now();
    let d = scaled(1, 100_000);
    let elapsed = t.elapsed();
    assert_eq!(count(&d, OrgKind::Enterprise), 100_000);
    let names: HashSet<&str> = d.orgs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names.len(), d.orgs.len());
    let codes: HashSet<&str> = d
        .orgs
        .iter()
        .filter_map(|o| o.uscc.as_ref())
        .map(Uscc::as_str)
        .collect();
    assert_eq!(
        codes.len(),
        d.orgs.iter().filter(|o| o.uscc.is_some()).count()
    );
    assert!(d
        .orgs
        .iter()
        .filter(|o| o.kind == OrgKind::Enterprise)
        .all(|o| o.uscc.is_some()));
    eprintln!("scaled(1, 100_000): {elapsed:?}");
}

#[test]
fn tiny_and_numbered_overflow() {
    assert_eq!(count(&scaled(3, 0), OrgKind::Enterprise), 0);
    let two = scaled(3, 2);
    assert_eq!(count(&two, OrgKind::Enterprise), 2);
    assert_eq!(
        two.orgs[first_pilot_enterprise_in_tianning(&two)].name,
        PILOT_ENTERPRISE_TIANNING
    );
    // One word, one ownership, far past the composition pool: numbers keep names unique.
    let mut rng = SmallRng::seed_from_u64(1);
    let mut namer = Namer::new(true, 0);
    let d = &names::DISTRICTS[0];
    let mut seen = HashSet::new();
    for _ in 0..30_000 {
        assert!(seen.insert(namer.unique_name(&mut rng, d, "泵业", Ownership::State, "小型")));
    }
    assert!(namer.overflow > 0);
}

#[test]
fn org_code_check_matches_gb11714() {
    // The worked example of GB 11714-1997: D2143569-X.
    assert_eq!(org_code_check(b"D2143569"), Some('X'));
    assert_eq!(org_code_check(b"12345678"), Some('8'));
}

#[test]
fn the_clock_puts_the_seed_year_before_the_day_of_the_load() {
    let on = |y, m, d| crate::DemoClock::on(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap());
    let c = on(2026, 12, 5);
    assert_eq!((c.this_year(), c.base_year()), (2026, 2025));
    assert_eq!(c.year(crate::SEED_YEAR), 2025);
    assert_eq!(c.year(2019), 2021);
    assert_eq!(c.date(2025, "03-15"), "2025-03-15");
    // 29 February exists in leap years only.
    assert_eq!(c.date(2024, "02-29"), "2024-02-29");
    assert_eq!(c.date(2025, "02-29"), "2025-02-28");
    assert_eq!(c.days_ago(5).to_string(), "2026-11-30");
    // On New Year's Day the year just ended is the last complete one.
    assert_eq!(on(2027, 1, 1).base_year(), 2026);
    assert_eq!(on(2024, 6, 1).year(crate::SEED_YEAR), 2023);
}
