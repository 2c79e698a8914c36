//! Login throttling at the door of both logins (API and console), over the shared,
//! database-backed counters of `gongjiang_storage::login_throttle` (its header has the
//! rules), and the client address behind a trusted reverse proxy.
use crate::error::AppError;
use crate::AppState;
use gongjiang_storage::login_throttle::{Limits, Verdict};
use ipnet::IpNet;
use std::net::IpAddr;

fn limits(st: &AppState) -> Limits {
    let per_account = i64::from(st.cfg.max_failed_logins.max(1));
    Limits {
        per_account,
        per_address: per_account * 4,
        window_ms: st.cfg.lockout.as_millis() as i64,
    }
}

/// Reserves the attempt before the password is checked: 429 when the account is
/// locked, a delay when the address has failed too often.
pub async fn before_login(st: &AppState, username: &str, addr: &str) -> Result<(), AppError> {
    match st.svc.reserve_login(username, addr, limits(st)).await? {
        Verdict::Locked { retry_after_secs } => Err(AppError::TooManyRequests(retry_after_secs)),
        Verdict::Proceed { delay_ms } => {
            if delay_ms > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
            }
            Ok(())
        }
    }
}

/// After a correct password.
pub async fn after_success(st: &AppState, username: &str, addr: &str) -> Result<(), AppError> {
    Ok(st.svc.login_succeeded(username, addr, limits(st)).await?)
}

/// The client's address: the peer's, or — when the peer is a trusted proxy — the
/// rightmost address in `X-Forwarded-For` that is not itself a trusted proxy (the
/// left part of the header is whatever the client sent, and cannot be believed).
pub fn client_addr(peer: Option<IpAddr>, forwarded: Option<&str>, trusted: &[IpNet]) -> String {
    let Some(peer) = peer else {
        return String::new();
    };
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer.to_string();
    }
    let Some(xff) = forwarded else {
        return peer.to_string();
    };
    let hops: Vec<IpAddr> = xff
        .split(',')
        .filter_map(|h| h.trim().parse::<IpAddr>().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or_else(|| hops.first())
        .copied()
        .unwrap_or(peer)
        .to_string()
}

/// Parses trusted proxies: addresses or CIDR ranges (`10.0.0.0/8`, `127.0.0.1`).
pub fn parse_trusted(list: &[String]) -> Result<Vec<IpNet>, String> {
    list.iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("not an address or CIDR range: '{s}'"))
        })
        .collect()
}
