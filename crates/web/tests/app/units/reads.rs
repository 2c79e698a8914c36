//! The kept reads stay within their budget and follow the data version (`reads`).

use gongjiang_web::reads::{Reads, BUDGET};

#[test]
fn answers_stay_within_the_budget_and_follow_the_version() {
    let r = Reads::default();
    let big = vec![b'x'; 200 << 10];
    for i in 0..1_000 {
        r.put(format!("k{i}"), 7, big.clone());
    }
    let (bytes, _) = r.kept_bytes();
    assert!(bytes <= BUDGET, "{bytes}");
    assert!(r.get("k999", 7).is_some(), "the newest is kept");
    assert!(r.get("k999", 8).is_none(), "another version never is");
    r.put("k999".into(), 8, b"{}".to_vec());
    let (counted, summed) = r.kept_bytes();
    assert_eq!(counted, summed, "the count follows what is kept");
}
