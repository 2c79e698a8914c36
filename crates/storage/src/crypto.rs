//! Personal data at rest: AES-256-GCM for 身份证号 and phone numbers, and an HMAC-SHA256
//! keyed hash so that an exact number can be searched without decrypting anything. The
//! key comes from configuration (or a key file beside the database), never from the
//! database itself.
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

#[derive(Clone)]
pub struct DataKey {
    key: [u8; 32],
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(***)")
    }
}

impl DataKey {
    pub fn from_bytes(key: [u8; 32]) -> DataKey {
        DataKey { key }
    }

    /// 64 hex characters.
    pub fn from_hex(s: &str) -> Option<DataKey> {
        let b = hex::decode(s.trim()).ok()?;
        let key: [u8; 32] = b.try_into().ok()?;
        Some(DataKey { key })
    }

    pub fn random() -> DataKey {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        DataKey { key }
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.key)
    }

    /// nonce ‖ ciphertext, hex.
    pub fn encrypt(&self, plain: &str) -> String {
        let cipher = Aes256Gcm::new((&self.key).into());
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        match cipher.encrypt(Nonce::from_slice(&nonce), plain.as_bytes()) {
            Ok(ct) => format!("{}{}", hex::encode(nonce), hex::encode(ct)),
            Err(_) => String::new(),
        }
    }

    pub fn decrypt(&self, stored: &str) -> Option<String> {
        let raw = hex::decode(stored).ok()?;
        if raw.len() < 12 {
            return None;
        }
        let cipher = Aes256Gcm::new((&self.key).into());
        let plain = cipher
            .decrypt(Nonce::from_slice(&raw[..12]), &raw[12..])
            .ok()?;
        String::from_utf8(plain).ok()
    }

    /// Keyed hash for exact-match search.
    pub fn blind_index(&self, value: &str) -> String {
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&self.key) {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// `138****5678`
pub fn mask_phone(p: &str) -> String {
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
        assert_eq!(
            DataKey::from_hex(&k.to_hex()).unwrap().blind_index("z"),
            k.blind_index("z")
        );
    }
}
