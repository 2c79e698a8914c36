//! Personal data at rest: AES-256-GCM for 身份证号 and phone numbers, and an HMAC-SHA256
//! keyed hash so that an exact number can be searched without decrypting anything. The
//! key comes from configuration (or a key file beside the database), never from the
//! database itself.
//!
//! Stored forms, chosen for size (a registry holds millions of rows, and every byte is
//! written to the WAL, checkpointed and sorted into an index):
//! - ciphertext: `~` then nonce ‖ ciphertext ‖ tag in unpadded base64 (62 characters for
//!   an 18-digit 身份证号). Values written before migration 0020 are hex (92 characters)
//!   and still decrypt.
//! - keyed hash: the first 128 bits of HMAC-SHA256, 32 hex digits (migration 0020
//!   shortened the stored 256-bit ones in place).
use aes_gcm::aead::{Aead, AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The key, with the cipher and the keyed hash set up once (a bulk import encrypts and
/// hashes two numbers per row: setting them up per call cost a key schedule and two hash
/// blocks each time). Shared, so that cloning the service (once per request and
/// extractor) copies a pointer, not the key schedule.
#[derive(Clone)]
pub struct DataKey(std::sync::Arc<Keys>);

struct Keys {
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
        DataKey(std::sync::Arc::new(Keys {
            key,
            cipher: Aes256Gcm::new((&key).into()),
            // HMAC accepts a key of any length: this is always Some.
            mac: <Hmac<Sha256> as Mac>::new_from_slice(&key).ok(),
        }))
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
        hex::encode(self.0.key)
    }

    /// `~` and nonce ‖ ciphertext ‖ tag, unpadded base64.
    pub fn encrypt(&self, plain: &str) -> String {
        use base64::Engine;
        let mut buf = Vec::with_capacity(12 + plain.len() + 16);
        buf.resize(12, 0);
        rand::thread_rng().fill_bytes(&mut buf);
        let nonce = *Nonce::from_slice(&buf[..12]);
        buf.extend_from_slice(plain.as_bytes());
        let (_, body) = buf.split_at_mut(12);
        match self.0.cipher.encrypt_in_place_detached(&nonce, b"", body) {
            Ok(tag) => {
                buf.extend_from_slice(&tag);
                let mut out = String::with_capacity(1 + (buf.len() * 4).div_ceil(3));
                out.push(CIPHER_MARK);
                base64::engine::general_purpose::STANDARD_NO_PAD.encode_string(&buf, &mut out);
                out
            }
            Err(_) => String::new(),
        }
    }

    /// Encrypts a whole file (nonce ‖ ciphertext ‖ tag), e.g. a rejected-rows workbook,
    /// which holds 身份证号 as written, before it goes to the file store.
    pub fn seal(&self, plain: &[u8]) -> Option<Vec<u8>> {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let body = self
            .0
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain)
            .ok()?;
        let mut out = Vec::with_capacity(12 + body.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&body);
        Some(out)
    }

    /// The content of [`DataKey::seal`]; None if the key or the bytes are wrong.
    pub fn open(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < 12 {
            return None;
        }
        self.0
            .cipher
            .decrypt(Nonce::from_slice(&sealed[..12]), &sealed[12..])
            .ok()
    }

    /// Either stored form: `~` + base64, or hex (before migration 0020).
    pub fn decrypt(&self, stored: &str) -> Option<String> {
        use base64::Engine;
        let raw = match stored.strip_prefix(CIPHER_MARK) {
            Some(b64) => base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(b64)
                .ok()?,
            None => hex::decode(stored).ok()?,
        };
        if raw.len() < 12 {
            return None;
        }
        let plain = self
            .0
            .cipher
            .decrypt(Nonce::from_slice(&raw[..12]), &raw[12..])
            .ok()?;
        String::from_utf8(plain).ok()
    }

    /// Keyed hash for exact-match search: HMAC-SHA256 truncated to 128 bits, 32 hex
    /// digits.
    pub fn blind_index(&self, value: &str) -> String {
        match self.blind_index_raw(value) {
            Some(h) => {
                let mut out = String::with_capacity(2 * BLIND_INDEX_BYTES);
                push_hex(&mut out, &h);
                out
            }
            None => String::new(),
        }
    }

    /// The keyed hash as bytes ([`DataKey::blind_index`] is their hex).
    pub fn blind_index_raw(&self, value: &str) -> Option<[u8; BLIND_INDEX_BYTES]> {
        let mut mac = self.0.mac.clone()?;
        mac.update(value.as_bytes());
        let full: [u8; 32] = mac.finalize().into_bytes().into();
        let mut out = [0u8; BLIND_INDEX_BYTES];
        out.copy_from_slice(&full[..BLIND_INDEX_BYTES]);
        Some(out)
    }
}

/// Bytes of HMAC-SHA256 kept as the keyed hash (128 bits).
pub const BLIND_INDEX_BYTES: usize = 16;

/// First character of a ciphertext in the base64 form (never a hex digit).
const CIPHER_MARK: char = '~';

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
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&k.0.key).unwrap();
        mac.update(b"32040219800101001X");
        assert_eq!(
            k.blind_index("32040219800101001X"),
            hex::encode(&mac.finalize().into_bytes()[..16])
        );
        assert_eq!(k.blind_index("x").len(), 32);
        // The stored form: '~' + unpadded base64 of nonce ‖ ciphertext ‖ tag.
        assert!(c.starts_with('~'));
        assert_eq!(c.len(), 1 + ((12 + 18 + 16) * 4usize).div_ceil(3));
        // Ciphertexts written before migration 0020 (hex) still decrypt.
        let legacy = {
            use aes_gcm::aead::Aead;
            let nonce = [7u8; 12];
            let ct =
                k.0.cipher
                    .encrypt(Nonce::from_slice(&nonce), b"13812345678".as_slice())
                    .unwrap();
            format!("{}{}", hex::encode(nonce), hex::encode(ct))
        };
        assert_eq!(k.decrypt(&legacy).as_deref(), Some("13812345678"));
        assert_eq!(k.decrypt("~not base64!"), None);
        assert_eq!(k.decrypt("~"), None);
        assert_eq!(
            DataKey::from_hex(&k.to_hex()).unwrap().blind_index("z"),
            k.blind_index("z")
        );
    }
}
