//! Personal data at rest: AES-256-GCM for 身份证号 and phone numbers, and an HMAC-SHA256
//! keyed hash so that an exact number can be searched without decrypting anything. The
//! key comes from configuration (or a key file beside the database), never from the
//! database itself.
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The key, with the cipher and the keyed hash set up once (a bulk import encrypts and
/// hashes two numbers per row: setting them up per call cost a key schedule and two hash
/// blocks each time).
#[derive(Clone)]
pub struct DataKey {
    key: [u8; 32],
    cipher: Aes256Gcm,
    mac: Option<Hmac<Sha256>>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(***)")
    }
}

impl DataKey {
    pub fn from_bytes(key: [u8; 32]) -> DataKey {
        DataKey {
            key,
            cipher: Aes256Gcm::new((&key).into()),
            // HMAC accepts a key of any length: this is always Some.
            mac: <Hmac<Sha256> as Mac>::new_from_slice(&key).ok(),
        }
    }

    /// 64 hex characters.
    pub fn from_hex(s: &str) -> Option<DataKey> {
        let b = hex::decode(s.trim()).ok()?;
        let key: [u8; 32] = b.try_into().ok()?;
        Some(DataKey::from_bytes(key))
    }

    pub fn random() -> DataKey {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        DataKey::from_bytes(key)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.key)
    }

    /// nonce ‖ ciphertext, hex.
    pub fn encrypt(&self, plain: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        match self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
        {
            Ok(ct) => {
                let mut out = String::with_capacity(2 * (nonce.len() + ct.len()));
                push_hex(&mut out, &nonce);
                push_hex(&mut out, &ct);
                out
            }
            Err(_) => String::new(),
        }
    }

    pub fn decrypt(&self, stored: &str) -> Option<String> {
        let raw = hex::decode(stored).ok()?;
        if raw.len() < 12 {
            return None;
        }
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(&raw[..12]), &raw[12..])
            .ok()?;
        String::from_utf8(plain).ok()
    }

    /// Keyed hash for exact-match search: HMAC-SHA256, 64 hex digits.
    pub fn blind_index(&self, value: &str) -> String {
        match self.blind_index_raw(value) {
            Some(h) => {
                let mut out = String::with_capacity(64);
                push_hex(&mut out, &h);
                out
            }
            None => String::new(),
        }
    }

    /// The keyed hash as bytes ([`DataKey::blind_index`] is their hex).
    pub fn blind_index_raw(&self, value: &str) -> Option<[u8; 32]> {
        let mut mac = self.mac.clone()?;
        mac.update(value.as_bytes());
        Some(mac.finalize().into_bytes().into())
    }
}

/// Appends lowercase hex (what `hex::encode` gives, without its per-character iterator).
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 128];
    for chunk in bytes.chunks(64) {
        let mut n = 0;
        for b in chunk {
            buf[n] = DIGITS[usize::from(b >> 4)];
            buf[n + 1] = DIGITS[usize::from(b & 15)];
            n += 2;
        }
        // Only ASCII digits were written.
        out.push_str(std::str::from_utf8(&buf[..n]).unwrap_or_default());
    }
}

/// `138****5678`
pub fn mask_phone(p: &str) -> String {
    if p.is_ascii() {
        if p.len() < 7 {
            return "*".repeat(p.len());
        }
        let mut out = String::with_capacity(11);
        out.push_str(&p[..3]);
        out.push_str("****");
        out.push_str(&p[p.len() - 4..]);
        return out;
    }
    let chars: Vec<char> = p.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let k = DataKey::random();
        let c = k.encrypt("32040219800101001X");
        assert!(!c.contains("320402"));
        assert_eq!(k.decrypt(&c).as_deref(), Some("32040219800101001X"));
        assert_ne!(k.encrypt("x"), k.encrypt("x"), "random nonces");
        let mut t = c.clone();
        t.replace_range(30..31, if &c[30..31] == "0" { "1" } else { "0" });
        assert_eq!(k.decrypt(&t), None);
        assert_eq!(
            DataKey::random().decrypt(&c),
            None,
            "another key cannot read it"
        );
        assert_eq!(k.blind_index("a"), k.blind_index("a"));
        assert_ne!(k.blind_index("a"), DataKey::random().blind_index("a"));
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("+8613812345678"), "+86****5678");
        assert_eq!(mask_phone("123456"), "******");
        assert_eq!(mask_phone("一二三四五六七八"), "一二三****五六七八");
        let bytes: Vec<u8> = (0..=255u8).collect();
        let mut h = String::new();
        push_hex(&mut h, &bytes);
        assert_eq!(h, hex::encode(&bytes));
        // The cached keyed hash is the plain HMAC-SHA256.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&k.key).unwrap();
        mac.update(b"32040219800101001X");
        assert_eq!(
            k.blind_index("32040219800101001X"),
            hex::encode(mac.finalize().into_bytes())
        );
        assert_eq!(
            DataKey::from_hex(&k.to_hex()).unwrap().blind_index("z"),
            k.blind_index("z")
        );
    }
}
