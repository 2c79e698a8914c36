//! Whose address a request has, behind trusted proxies (`throttle`).

use gongjiang_web::throttle::{client_addr, parse_trusted};
use std::net::IpAddr;

#[test]
fn forwarded_for_is_believed_from_trusted_proxies_only() {
    let trusted = parse_trusted(&["10.0.0.0/8".into(), "127.0.0.1".into()]).unwrap();
    let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
    // A direct client cannot choose its address.
    assert_eq!(
        client_addr(ip("203.0.113.9"), Some("1.2.3.4"), &trusted),
        "203.0.113.9"
    );
    // Through the proxy: the rightmost untrusted hop; a forged left part is ignored.
    assert_eq!(
        client_addr(ip("10.0.0.5"), Some("1.2.3.4, 198.51.100.7"), &trusted),
        "198.51.100.7"
    );
    assert_eq!(
        client_addr(ip("10.0.0.5"), Some("198.51.100.7, 10.0.0.9"), &trusted),
        "198.51.100.7"
    );
    assert_eq!(client_addr(ip("10.0.0.5"), None, &trusted), "10.0.0.5");
    assert_eq!(
        client_addr(ip("127.0.0.1"), Some("garbage"), &trusted),
        "127.0.0.1"
    );
    assert!(parse_trusted(&["nonsense".into()]).is_err());
}
