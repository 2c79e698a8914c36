//! Uploaded files (evidence for the 六有 checklist, policy documents, case material):
//! checked by content (not by name) against an allowed list and a size limit, stored
//! once per content hash, read back only within the uploader's organisation scope.
//!
//! Storage is a directory (the data dir's `files/` by default), content-addressed by
//! SHA-256 so that the same file uploaded twice is kept once. S3-compatible storage is
//! the planned second [`FileStore`] kind; it is not built yet.
use crate::error::{Result, StoreError};
use crate::scope::Actor;
use crate::service::Service;
use crate::{now_ms, orgs};
use gongjiang_domain::{FieldError, Rule};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::path::PathBuf;

/// Where file contents live.
#[derive(Debug, Clone)]
pub enum FileStore {
    Disk(PathBuf),
}

impl FileStore {
    /// A directory of its own under the system's temp dir (tests, throwaway servers).
    pub fn temp() -> FileStore {
        let n: u64 = rand::random();
        FileStore::Disk(std::env::temp_dir().join(format!("gongjiang-files-{n:016x}")))
    }

    fn path(&self, sha: &str) -> PathBuf {
        match self {
            FileStore::Disk(dir) => dir.join(&sha[..2]).join(sha),
        }
    }

    fn put(&self, sha: &str, bytes: &[u8]) -> Result<()> {
        let p = self.path(sha);
        if p.exists() {
            return Ok(());
        }
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Other(e.to_string()))?;
        }
        let tmp = p.with_extension("part");
        std::fs::write(&tmp, bytes).map_err(|e| StoreError::Other(e.to_string()))?;
        std::fs::rename(&tmp, &p).map_err(|e| StoreError::Other(e.to_string()))
    }

    fn get(&self, sha: &str) -> Result<Vec<u8>> {
        std::fs::read(self.path(sha)).map_err(|e| StoreError::Other(format!("file {sha}: {e}")))
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

fn meta(r: &sqlx::any::AnyRow) -> Result<FileMeta> {
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
            format!("文件“{name}”的类型不被接受:请上传 PDF、JPG、PNG、Word(.docx)、Excel(.xlsx)、PowerPoint(.pptx)或文本文件"),
            format!("'{name}' is not an accepted kind (PDF, JPG, PNG, .docx, .xlsx, .pptx, text)"),
        )),
    }
}

impl Service {
    /// Stores an upload for an organisation (inside the caller's transaction). The
    /// organisation must be in the actor's write scope.
    pub async fn store_file(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        org_id: Option<i64>,
        name: &str,
        bytes: &[u8],
    ) -> Result<FileMeta> {
        let name = name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(name)
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect::<String>();
        let name = if name.trim().is_empty() {
            "file".to_string()
        } else {
            name
        };
        let mime = check_upload(&name, bytes).map_err(|e| StoreError::Invalid(vec![e]))?;
        if let Some(o) = org_id {
            if orgs::get(&mut *conn, &actor.write_scope(), o)
                .await?
                .is_none()
            {
                return Err(StoreError::NotFound);
            }
        }
        let sha = hex::encode(Sha256::digest(bytes));
        self.files.put(&sha, bytes)?;
        let id: i64 = sqlx::query(
            "INSERT INTO files (sha256, name, mime, byte_size, org_id, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&sha)
        .bind(&name)
        .bind(mime)
        .bind(bytes.len() as i64)
        .bind(org_id)
        .bind(actor.user_id)
        .bind(now_ms())
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
        Ok(FileMeta {
            id,
            name,
            mime: mime.to_string(),
            size: bytes.len() as i64,
            sha256: sha,
            org_id,
            created_at: now_ms(),
        })
    }

    /// A file's description and content, if its organisation is in the actor's read
    /// scope (files without an organisation — policy documents — are public to staff).
    pub async fn read_file(&self, actor: &Actor, id: i64) -> Result<(FileMeta, Vec<u8>)> {
        let mut conn = self.db.pool.acquire().await?;
        let r = sqlx::query(
            "SELECT id, name, mime, byte_size, sha256, org_id, created_at FROM files WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        let m = meta(&r)?;
        if let Some(o) = m.org_id {
            if orgs::get(&mut conn, &actor.read_scope(), o)
                .await?
                .is_none()
            {
                return Err(StoreError::NotFound);
            }
        } else if !actor.role.may_read_orgs() {
            return Err(StoreError::NotFound);
        }
        let bytes = self.files.get(&m.sha256)?;
        Ok((m, bytes))
    }

    /// Descriptions of some files (no scope check: callers list files of records they
    /// have already read).
    pub(crate) async fn file_metas(
        conn: &mut sqlx::AnyConnection,
        ids: &[i64],
    ) -> Result<Vec<FileMeta>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(&format!(
            "SELECT id, name, mime, byte_size, sha256, org_id, created_at FROM files WHERE id IN ({list}) ORDER BY id"
        ))
        .fetch_all(conn)
        .await?
        .iter()
        .map(meta)
        .collect()
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
