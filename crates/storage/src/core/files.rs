//! Uploaded files (evidence for the 六有 checklist, policy documents, case material):
//! checked by content (not by name) against an allowed list and a size limit, stored
//! once per content hash, read back only within the uploader's organisation scope.
//!
//! Storage is a directory (the data dir's `files/` by default) or an S3-compatible bucket
//! ([`crate::s3`]), chosen by configuration; either way content-addressed by SHA-256 so
//! that the same file uploaded twice is kept once. The content is stored before the
//! `files` row is written, in the caller's transaction: a failed store returns an error
//! and the transaction writes no row that points at missing content.
use crate::error::{Result, StoreError};
use crate::s3::S3Store;
use gongjiang_domain::{FieldError, Rule};
use serde::Serialize;
use sqlx::Row;
use std::path::PathBuf;

/// Where file contents live.
#[derive(Debug, Clone)]
pub enum FileStore {
    Disk(PathBuf),
    S3(S3Store),
}

fn disk_err(what: &str, p: &std::path::Path, e: std::io::Error) -> StoreError {
    StoreError::unavailable(
        format!("文件存储{what}失败（{}）：{e}", p.display()),
        format!(
            "the file store could not {what_en} {}: {e}",
            p.display(),
            what_en = match what {
                "写入" => "write",
                _ => "read",
            }
        ),
    )
}

impl FileStore {
    /// A directory of its own under the system's temp dir (tests, throwaway servers).
    pub fn temp() -> FileStore {
        let n: u64 = rand::random();
        FileStore::Disk(std::env::temp_dir().join(format!("gongjiang-files-{n:016x}")))
    }

    /// An S3-compatible bucket (the settings are checked first).
    pub fn s3(cfg: crate::s3::S3Config) -> std::result::Result<FileStore, String> {
        Ok(FileStore::S3(S3Store::new(cfg)?))
    }

    /// For messages: `disk /path` or `s3 http://endpoint/bucket/prefix`.
    pub fn describe(&self) -> String {
        match self {
            FileStore::Disk(d) => format!("disk {}", d.display()),
            FileStore::S3(s) => format!(
                "s3 {}/{}/{}",
                s.cfg.endpoint.trim_end_matches('/'),
                s.cfg.bucket,
                s.cfg.prefix
            ),
        }
    }

    fn path(dir: &std::path::Path, sha: &str) -> PathBuf {
        dir.join(&sha[..2.min(sha.len())]).join(sha)
    }

    /// Stores `bytes`, whose SHA-256 (hex) is `sha`. Storing the same content again is
    /// harmless.
    pub async fn put(&self, sha: &str, bytes: &[u8]) -> Result<()> {
        match self {
            FileStore::Disk(dir) => {
                let p = Self::path(dir, sha);
                if tokio::fs::try_exists(&p).await.unwrap_or(false) {
                    return Ok(());
                }
                if let Some(d) = p.parent() {
                    tokio::fs::create_dir_all(d)
                        .await
                        .map_err(|e| disk_err("写入", d, e))?;
                }
                let tmp = p.with_extension(format!("part-{:08x}", rand::random::<u32>()));
                tokio::fs::write(&tmp, bytes)
                    .await
                    .map_err(|e| disk_err("写入", &tmp, e))?;
                tokio::fs::rename(&tmp, &p)
                    .await
                    .map_err(|e| disk_err("写入", &p, e))
            }
            FileStore::S3(s) => s.put(sha, bytes).await,
        }
    }

    /// The content stored for `sha`.
    pub async fn get(&self, sha: &str) -> Result<Vec<u8>> {
        match self {
            FileStore::Disk(dir) => {
                let p = Self::path(dir, sha);
                tokio::fs::read(&p).await.map_err(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        StoreError::unavailable(
                            format!("文件内容在文件存储中不存在（{}）：可能已被删除，请重新上传", p.display()),
                            format!("the file's content is missing from the file store ({}); upload it again", p.display()),
                        )
                    } else {
                        disk_err("读取", &p, e)
                    }
                })
            }
            FileStore::S3(s) => s.get(sha).await,
        }
    }

    /// True when content for `sha` is stored.
    pub async fn exists(&self, sha: &str) -> Result<bool> {
        match self {
            FileStore::Disk(dir) => Ok(tokio::fs::try_exists(Self::path(dir, sha))
                .await
                .unwrap_or(false)),
            FileStore::S3(s) => s.exists(sha).await,
        }
    }

    /// Checks that the store can be reached (the bucket answers; the directory exists or
    /// can be made).
    pub async fn check(&self) -> Result<()> {
        match self {
            FileStore::Disk(dir) => tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| disk_err("写入", dir, e)),
            FileStore::S3(s) => s.check().await,
        }
    }
}

/// Largest accepted upload.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// The kinds accepted, recognised by their first bytes: (label, MIME type).
pub fn sniff(bytes: &[u8], name: &str) -> Option<(&'static str, &'static str)> {
    let lower = name.to_ascii_lowercase();
    if bytes.starts_with(b"%PDF-") {
        return Some(("PDF", "application/pdf"));
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
        return Some(("PNG", "image/png"));
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(("JPEG", "image/jpeg"));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // Office Open XML: the name decides between the three; other zips are refused.
        let head = &bytes[..bytes.len().min(4096)];
        let is_ooxml = head.windows(19).any(|w| w == b"[Content_Types].xml")
            || head.windows(5).any(|w| w == b"word/")
            || head.windows(3).any(|w| w == b"xl/")
            || head.windows(4).any(|w| w == b"ppt/");
        if is_ooxml {
            if lower.ends_with(".docx") {
                return Some((
                    "Word",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ));
            }
            if lower.ends_with(".xlsx") {
                return Some((
                    "Excel",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ));
            }
            if lower.ends_with(".pptx") {
                return Some((
                    "PowerPoint",
                    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                ));
            }
        }
        return None;
    }
    if (lower.ends_with(".txt") || lower.ends_with(".md"))
        && std::str::from_utf8(bytes).is_ok()
        && !bytes.contains(&0)
    {
        return Some(("Text", "text/plain; charset=utf-8"));
    }
    None
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FileMeta {
    pub id: i64,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub org_id: Option<i64>,
    pub created_at: i64,
}

pub(crate) fn meta(r: &sqlx::any::AnyRow) -> Result<FileMeta> {
    Ok(FileMeta {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        mime: r.try_get("mime")?,
        size: r.try_get("byte_size")?,
        sha256: r.try_get("sha256")?,
        org_id: r.try_get("org_id")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Checks an upload: not empty, not too large, an accepted kind. The error names the
/// field `file` and says what is accepted.
pub fn check_upload(name: &str, bytes: &[u8]) -> std::result::Result<&'static str, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::new(
            "file",
            Rule::Required,
            "文件为空",
            "the file is empty",
        ));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FieldError::new(
            "file",
            Rule::TooLong,
            format!(
                "文件“{name}”大小 {:.1} MB,超过上限 {} MB",
                bytes.len() as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ),
            format!("'{name}' is larger than {} MB", MAX_FILE_BYTES / 1_048_576),
        ));
    }
    match sniff(bytes, name) {
        Some((_, mime)) => Ok(mime),
        None => Err(FieldError::new(
            "file",
            Rule::BadFormat,
            format!("文件“{name}”的类型不被接受：请上传 PDF、JPG、PNG、Word(.docx)、Excel(.xlsx)、PowerPoint(.pptx)或文本文件"),
            format!("'{name}' is not an accepted kind (PDF, JPG, PNG, .docx, .xlsx, .pptx, text)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_not_the_name() {
        assert!(sniff(b"%PDF-1.7 ...", "x.exe").is_some());
        assert!(sniff(b"MZ\x90\x00", "report.pdf").is_none());
        assert!(sniff(b"hello", "a.txt").is_some());
        assert!(sniff(b"PK\x03\x04random", "a.zip").is_none());
        assert!(check_upload("a.pdf", &[]).is_err());
    }
}
