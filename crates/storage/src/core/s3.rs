//! S3-compatible object storage for uploaded files: path-style requests
//! (`{endpoint}/{bucket}/{key}`, so MinIO, Ceph RGW and other compatible services work),
//! signed with AWS Signature Version 4, written here with `hmac` and `sha2`.
//!
//! Only what the file store needs: PUT and GET of one object, and HEAD of the bucket
//! as a start-up check. Errors are [`StoreError::Unavailable`] with a message that says
//! what is wrong (unreachable, refused credentials, missing bucket), never a bare 500.
use crate::error::{Result, StoreError};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::time::Duration;

type HmacSha256 = Hmac<Sha256>;

/// The SHA-256 of an empty body, as SigV4 writes it.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Where and as whom objects are stored.
#[derive(Clone)]
pub struct S3Config {
    /// `http://host:port` or `https://host` (a path after the host is kept).
    pub endpoint: String,
    pub bucket: String,
    /// The signing region (`us-east-1` for most S3-compatible services).
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    /// Prepended to every object key, e.g. `gongjiang/`.
    pub prefix: String,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key", &self.access_key)
            .field("secret_key", &"***")
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl S3Config {
    /// Checks the settings; the message names the setting that is wrong.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let u = url::Url::parse(&self.endpoint).map_err(|e| {
            format!(
                "S3 endpoint“{}”不是有效的网址 (endpoint is not a URL): {e}",
                self.endpoint
            )
        })?;
        if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
            return Err(format!(
                "S3 endpoint 须为 http:// 或 https:// 网址 (endpoint must be an http(s) URL): {}",
                self.endpoint
            ));
        }
        let b = &self.bucket;
        if b.len() < 3
            || b.len() > 63
            || !b
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.')
        {
            return Err(format!(
                "S3 bucket“{b}”无效:须为3–63位小写字母、数字、“-”或“.” (bucket must be 3–63 lowercase letters, digits, '-' or '.')"
            ));
        }
        if self.region.trim().is_empty() {
            return Err("S3 region 不能为空 (region is required)".into());
        }
        if self.access_key.trim().is_empty() || self.secret_key.is_empty() {
            return Err(
                "S3 须配置 access_key 和 secret_key (access key and secret key are required)"
                    .into(),
            );
        }
        if !self
            .prefix
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'/'))
            || self.prefix.starts_with('/')
        {
            return Err(format!(
                "S3 prefix“{}”无效:只能含字母、数字、“-”“_”“.”“/”,且不以“/”开头 (prefix may hold letters, digits, - _ . / and must not start with /)",
                self.prefix
            ));
        }
        Ok(())
    }
}

/// A configured S3 store with its HTTP client (cheap to clone).
#[derive(Clone, Debug)]
pub struct S3Store {
    pub cfg: S3Config,
    client: reqwest::Client,
}

impl S3Store {
    pub fn new(cfg: S3Config) -> std::result::Result<S3Store, String> {
        cfg.validate()?;
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("S3 client: {e}"))?;
        Ok(S3Store { cfg, client })
    }

    /// The object key of a content hash.
    pub fn key(&self, sha: &str) -> String {
        format!("{}{}/{}", self.cfg.prefix, &sha[..2.min(sha.len())], sha)
    }

    fn url(&self, key: Option<&str>) -> Result<url::Url> {
        let base = self.cfg.endpoint.trim_end_matches('/');
        let s = match key {
            Some(k) => format!("{base}/{}/{}", self.cfg.bucket, uri_encode(k, false)),
            None => format!("{base}/{}", self.cfg.bucket),
        };
        url::Url::parse(&s).map_err(|e| StoreError::Other(format!("S3 URL {s}: {e}")))
    }

    async fn request(
        &self,
        method: reqwest::Method,
        key: Option<&str>,
        body: Option<&[u8]>,
        payload_sha: &str,
    ) -> Result<reqwest::Response> {
        let url = self.url(key)?;
        let now = chrono::Utc::now();
        let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_string(),
        };
        let headers = vec![
            ("host".to_string(), host.clone()),
            ("x-amz-content-sha256".to_string(), payload_sha.to_string()),
            ("x-amz-date".to_string(), amz_date.clone()),
        ];
        let auth = authorization(
            &SignRequest {
                method: method.as_str(),
                path: url.path(),
                query: url.query().unwrap_or(""),
                headers: &headers,
                payload_sha256: payload_sha,
            },
            &self.cfg.access_key,
            &self.cfg.secret_key,
            &amz_date,
            &self.cfg.region,
            "s3",
        );
        let mut req = self
            .client
            .request(method, url)
            .header("host", host)
            .header("x-amz-content-sha256", payload_sha)
            .header("x-amz-date", amz_date)
            .header("authorization", auth);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/octet-stream")
                .body(b.to_vec());
        }
        req.send().await.map_err(|e| self.unreachable(&e))
    }

    fn unreachable(&self, e: &reqwest::Error) -> StoreError {
        let (what, what_en) = if e.is_timeout() {
            ("超时", "timed out")
        } else if e.is_connect() {
            ("无法连接", "cannot connect")
        } else {
            ("请求失败", "request failed")
        };
        // The error's own text names the cause (refused, DNS, TLS) without the secret.
        let mut cause = e.to_string();
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            cause = format!("{cause}: {s}");
            src = s.source();
        }
        StoreError::unavailable(
            format!(
                "文件存储(S3,{})暂时不可用:{what}。请稍后重试,或请管理员检查文件存储配置。{cause}",
                self.cfg.endpoint
            ),
            format!(
                "the file store (S3 at {}) is unavailable: {what_en}. Try again later, or ask the administrator to check the file store settings. {cause}",
                self.cfg.endpoint
            ),
        )
    }

    async fn refused(&self, r: reqwest::Response, key: Option<&str>) -> StoreError {
        let status = r.status();
        let body = r.text().await.unwrap_or_default();
        let code = xml_tag(&body, "Code").unwrap_or_default();
        let detail = if code.is_empty() {
            format!("HTTP {}", status.as_u16())
        } else {
            format!("HTTP {} {code}", status.as_u16())
        };
        let (zh, en) = match status.as_u16() {
            401 | 403 => (
                format!("文件存储(S3)拒绝访问({detail}):请管理员检查 S3 的 access_key、secret_key、region 与存储桶“{}”的权限", self.cfg.bucket),
                format!("the file store (S3) refused access ({detail}): check the S3 access key, secret key, region and the permissions on bucket '{}'", self.cfg.bucket),
            ),
            404 if code == "NoSuchBucket" || key.is_none() => (
                format!("文件存储(S3)中没有存储桶“{}”({detail}):请管理员先创建存储桶或修正配置", self.cfg.bucket),
                format!("the file store (S3) has no bucket '{}' ({detail}): create it or fix the settings", self.cfg.bucket),
            ),
            404 => (
                format!("文件内容在文件存储(S3)中不存在(对象 {}):可能已被删除,请重新上传", key.unwrap_or_default()),
                format!("the file's content is missing from the file store (S3 object {}); upload it again", key.unwrap_or_default()),
            ),
            _ => (
                format!("文件存储(S3)返回错误({detail}),请稍后重试"),
                format!("the file store (S3) answered with an error ({detail}); try again later"),
            ),
        };
        StoreError::unavailable(zh, en)
    }

    /// Stores `bytes` (whose SHA-256 is `sha`) under the content's key.
    pub async fn put(&self, sha: &str, bytes: &[u8]) -> Result<()> {
        let key = self.key(sha);
        let r = self
            .request(reqwest::Method::PUT, Some(&key), Some(bytes), sha)
            .await?;
        if r.status().is_success() {
            Ok(())
        } else {
            Err(self.refused(r, Some(&key)).await)
        }
    }

    /// The content stored for `sha`.
    pub async fn get(&self, sha: &str) -> Result<Vec<u8>> {
        let key = self.key(sha);
        let r = self
            .request(reqwest::Method::GET, Some(&key), None, EMPTY_SHA256)
            .await?;
        if !r.status().is_success() {
            return Err(self.refused(r, Some(&key)).await);
        }
        let bytes = r.bytes().await.map_err(|e| self.unreachable(&e))?;
        Ok(bytes.to_vec())
    }

    /// True when an object for `sha` exists.
    pub async fn exists(&self, sha: &str) -> Result<bool> {
        let key = self.key(sha);
        let r = self
            .request(reqwest::Method::HEAD, Some(&key), None, EMPTY_SHA256)
            .await?;
        match r.status().as_u16() {
            200..=299 => Ok(true),
            404 => Ok(false),
            _ => Err(self.refused(r, Some(&key)).await),
        }
    }

    /// Checks that the bucket answers to these credentials.
    pub async fn check(&self) -> Result<()> {
        let r = self
            .request(reqwest::Method::HEAD, None, None, EMPTY_SHA256)
            .await?;
        if r.status().is_success() {
            Ok(())
        } else {
            Err(self.refused(r, None).await)
        }
    }
}

/// The text of the first `<tag>…</tag>` in an XML error body.
fn xml_tag(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let len = xml[start..].find(&format!("</{tag}>"))?;
    Some(xml[start..start + len].to_string())
}

/// URI-encodes as SigV4 wants: every byte except `A-Za-z0-9-._~` (and `/` when
/// `encode_slash` is false) becomes `%XX`.
pub fn uri_encode(s: &str, encode_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else if b == b'/' && !encode_slash {
            out.push('/');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What a signature covers.
pub struct SignRequest<'a> {
    pub method: &'a str,
    /// The path as sent (already URI-encoded once).
    pub path: &'a str,
    /// The raw query string (without `?`), possibly empty.
    pub query: &'a str,
    /// Every header to sign, as (name, value); names are matched case-insensitively.
    pub headers: &'a [(String, String)],
    pub payload_sha256: &'a str,
}

/// The canonical query string: parameters sorted by name then value, each side encoded.
fn canonical_query(q: &str) -> String {
    if q.is_empty() {
        return String::new();
    }
    let mut pairs: Vec<(String, String)> = q
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| {
                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_default()
            };
            (uri_encode(&dec(k), true), uri_encode(&dec(v), true))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The signed header names (lowercase, sorted, `;`-joined) and the canonical headers.
fn canonical_headers(headers: &[(String, String)]) -> (String, String) {
    let mut hs: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| {
            (
                k.to_ascii_lowercase(),
                v.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .collect();
    hs.sort();
    let signed = hs
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canon = hs.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    (signed, canon)
}

/// The SigV4 canonical request.
pub fn canonical_request(r: &SignRequest<'_>) -> String {
    let (signed, canon) = canonical_headers(r.headers);
    let path = if r.path.is_empty() { "/" } else { r.path };
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        r.method,
        path,
        canonical_query(r.query),
        canon,
        signed,
        r.payload_sha256
    )
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length: new_from_slice cannot fail.
    match HmacSha256::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// The signing key for a day, region and service.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// The hex signature of a request at `amz_date` (`YYYYMMDDTHHMMSSZ`).
pub fn signature(
    r: &SignRequest<'_>,
    secret: &str,
    amz_date: &str,
    region: &str,
    service: &str,
) -> String {
    let date = &amz_date[..8.min(amz_date.len())];
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request(r).as_bytes()))
    );
    hex::encode(hmac(
        &signing_key(secret, date, region, service),
        to_sign.as_bytes(),
    ))
}

/// The `Authorization` header value.
pub fn authorization(
    r: &SignRequest<'_>,
    access_key: &str,
    secret: &str,
    amz_date: &str,
    region: &str,
    service: &str,
) -> String {
    let date = &amz_date[..8.min(amz_date.len())];
    let (signed, _) = canonical_headers(r.headers);
    format!(
        "AWS4-HMAC-SHA256 Credential={access_key}/{date}/{region}/{service}/aws4_request, SignedHeaders={signed}, Signature={}",
        signature(r, secret, amz_date, region, service)
    )
}

/// The parts of an `Authorization` header: (access key, date, region, service, signed
/// header names, signature). For servers that check signatures (the tests' fake S3).
pub fn parse_authorization(
    h: &str,
) -> Option<(String, String, String, String, Vec<String>, String)> {
    let rest = h.strip_prefix("AWS4-HMAC-SHA256 ")?;
    let mut cred = None;
    let mut signed = None;
    let mut sig = None;
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => cred = Some(v.to_string()),
            "SignedHeaders" => signed = Some(v.split(';').map(str::to_string).collect()),
            "Signature" => sig = Some(v.to_string()),
            _ => {}
        }
    }
    let cred = cred?;
    let mut c = cred.split('/');
    let (ak, date, region, service) = (c.next()?, c.next()?, c.next()?, c.next()?);
    Some((
        ak.to_string(),
        date.to_string(),
        region.to_string(),
        service.to_string(),
        signed?,
        sig?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The "GET Object" example of the AWS Signature Version 4 documentation
    /// (Authenticating Requests: Using the Authorization Header).
    #[test]
    fn matches_the_aws_get_object_example() {
        let headers = vec![
            (
                "Host".to_string(),
                "examplebucket.s3.amazonaws.com".to_string(),
            ),
            ("Range".to_string(), "bytes=0-9".to_string()),
            ("x-amz-content-sha256".to_string(), EMPTY_SHA256.to_string()),
            ("x-amz-date".to_string(), "20130524T000000Z".to_string()),
        ];
        let r = SignRequest {
            method: "GET",
            path: "/test.txt",
            query: "",
            headers: &headers,
            payload_sha256: EMPTY_SHA256,
        };
        assert_eq!(
            canonical_request(&r),
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        assert_eq!(
            signature(&r, secret, "20130524T000000Z", "us-east-1", "s3"),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        let auth = authorization(
            &r,
            "AKIAIOSFODNN7EXAMPLE",
            secret,
            "20130524T000000Z",
            "us-east-1",
            "s3",
        );
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        let (ak, date, region, service, signed, sig) = parse_authorization(&auth).unwrap();
        assert_eq!(
            (
                ak.as_str(),
                date.as_str(),
                region.as_str(),
                service.as_str()
            ),
            ("AKIAIOSFODNN7EXAMPLE", "20130524", "us-east-1", "s3")
        );
        assert_eq!(signed.len(), 4);
        assert!(sig.starts_with("f0e8bdb8"));
        // A wrong secret gives another signature.
        assert_ne!(
            signature(&r, "wrong", "20130524T000000Z", "us-east-1", "s3"),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
    }

    #[test]
    fn query_and_encoding() {
        assert_eq!(canonical_query("b=2&a=1&c"), "a=1&b=2&c=");
        assert_eq!(
            canonical_query("prefix=a%2Fb&x=a b"),
            "prefix=a%2Fb&x=a%20b"
        );
        assert_eq!(uri_encode("a/b c", false), "a/b%20c");
        assert_eq!(uri_encode("a/b", true), "a%2Fb");
    }

    #[test]
    fn settings_are_checked() {
        let ok = S3Config {
            endpoint: "http://127.0.0.1:9000".into(),
            bucket: "gongjiang".into(),
            region: "us-east-1".into(),
            access_key: "ak".into(),
            secret_key: "sk".into(),
            prefix: "files/".into(),
        };
        assert!(ok.validate().is_ok());
        assert!(S3Config {
            bucket: "A_B".into(),
            ..ok.clone()
        }
        .validate()
        .is_err());
        assert!(S3Config {
            endpoint: "ftp://x".into(),
            ..ok.clone()
        }
        .validate()
        .is_err());
        assert!(S3Config {
            prefix: "/x".into(),
            ..ok.clone()
        }
        .validate()
        .is_err());
        assert!(!format!("{ok:?}").contains("\"sk\""));
    }
}
