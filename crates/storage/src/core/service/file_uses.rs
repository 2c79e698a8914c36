//! The service's use of `crate::files` (kept here so that `files` does not depend on the
//! service: the core has no circle).
use crate::access::{self, Permission};
use crate::error::{Result, StoreError};
use crate::files::*;
use crate::scope::Actor;
use crate::service::Service;
use crate::{now_ms, orgs};
use sha2::{Digest, Sha256};
use sqlx::Row;

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
        // Content first: if the store fails, the error ends the caller's transaction
        // before any row refers to the content.
        self.files.put(&sha, bytes).await?;
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
        } else if !access::may(actor, Permission::ReadRegisters) {
            return Err(StoreError::NotFound);
        }
        drop(conn);
        let bytes = self.files.get(&m.sha256).await?;
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
