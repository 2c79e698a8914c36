//! Login throttling: after N failures for a user name (or from an address) within the
//! lockout window, further attempts answer 429 until the window passes.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Throttle {
    max: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    pub fn new(max: u32, window: Duration) -> Throttle {
        Throttle {
            max,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(username: &str, ip: &str) -> [String; 2] {
        [
            format!("u:{}", username.trim().to_ascii_lowercase()),
            format!("ip:{ip}"),
        ]
    }

    /// Seconds to wait, if blocked.
    pub fn blocked(&self, username: &str, ip: &str) -> Option<u64> {
        let map = self.failures.lock().ok()?;
        let now = Instant::now();
        Self::keys(username, ip)
            .iter()
            .enumerate()
            .find_map(|(i, k)| {
                // An address may try several user names, so it gets four times the allowance.
                let limit = if i == 0 { self.max } else { self.max * 4 };
                map.get(k).and_then(|(n, first)| {
                    let elapsed = now.duration_since(*first);
                    (*n >= limit && elapsed < self.window)
                        .then(|| (self.window - elapsed).as_secs().max(1))
                })
            })
    }

    pub fn fail(&self, username: &str, ip: &str) {
        if let Ok(mut map) = self.failures.lock() {
            let now = Instant::now();
            if map.len() > 100_000 {
                map.retain(|_, (_, t)| now.duration_since(*t) < self.window);
            }
            for k in Self::keys(username, ip) {
                let e = map.entry(k).or_insert((0, now));
                if now.duration_since(e.1) >= self.window {
                    *e = (0, now);
                }
                e.0 += 1;
            }
        }
    }

    pub fn succeed(&self, username: &str, ip: &str) {
        if let Ok(mut map) = self.failures.lock() {
            let [u, _] = Self::keys(username, ip);
            map.remove(&u);
        }
    }
}
