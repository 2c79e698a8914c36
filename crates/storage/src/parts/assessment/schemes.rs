//! Schemes: versioned indicator trees, drafted, published and copied into a new
//! draft.

use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::now_ms;
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::assessment::validate_tree;
use gongjiang_domain::Code;
use gongjiang_domain::FieldError;
use sqlx::Row;

use super::guards::manage;
use super::sql::{json, load_version};
use super::types::{Scheme, SchemeInput, SchemeVersion, TreeInput, VersionInfo};

fn scheme_name(name: &str) -> Result<String> {
    gongjiang_domain::error::text("name", ("方案名称", "Scheme name"), name, true, 100)
        .map_err(StoreError::invalid)?
        .ok_or_else(|| StoreError::invalid(FieldError::required("name", "方案名称", "Scheme name")))
}

impl Service {
    // ------------------------------------------------------------ schemes

    /// Every scheme with its versions (region staff read; experts and targets see the
    /// scheme through their rounds).
    pub async fn list_schemes(&self, actor: &Actor) -> Result<Vec<Scheme>> {
        access::check(actor, Permission::Coordinate)?;
        let mut conn = self.db.pool.acquire().await?;
        let rows = sqlx::query("SELECT id, name, description FROM asm_schemes ORDER BY id DESC")
            .fetch_all(&mut *conn)
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let id: i64 = r.try_get(0)?;
            let vs = sqlx::query(
                "SELECT id, version_no, status, published_at FROM asm_versions WHERE scheme_id = $1 ORDER BY version_no DESC",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            out.push(Scheme {
                id,
                name: r.try_get(1)?,
                description: r.try_get(2)?,
                versions: vs
                    .iter()
                    .map(|v| {
                        Ok(VersionInfo {
                            id: v.try_get(0)?,
                            version_no: v.try_get(1)?,
                            status: v.try_get(2)?,
                            published_at: v.try_get(3)?,
                        })
                    })
                    .collect::<Result<_>>()?,
            });
        }
        Ok(out)
    }

    /// Creates a scheme with its first (draft) version. The tree must be valid.
    pub async fn create_scheme(&self, actor: &Actor, input: &SchemeInput) -> Result<SchemeVersion> {
        manage(actor)?;
        let name = scheme_name(&input.name);
        let mut tree = input.tree.clone();
        let mut errs = Vec::new();
        if let Err(StoreError::Invalid(e)) = &name {
            errs.extend(e.iter().cloned());
        }
        if let Err(e) = validate_tree(&mut tree) {
            errs.extend(e);
        }
        let description = gongjiang_domain::error::text(
            "description",
            ("说明", "Description"),
            input.description.as_deref().unwrap_or(""),
            false,
            2000,
        );
        let description = match description {
            Ok(d) => d,
            Err(e) => {
                errs.push(e);
                None
            }
        };
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let name = name?;
        let now = now_ms();
        let mut w = self.write(actor).await?;
        let sid: i64 = sqlx::query(
            "INSERT INTO asm_schemes (name, description, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(&name)
        .bind(&description)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        let vid: i64 = sqlx::query(
            "INSERT INTO asm_versions (scheme_id, version_no, status, tree, version, created_at, updated_at) VALUES ($1, 1, 'draft', $2, 1, $3, $3) RETURNING id",
        )
        .bind(sid)
        .bind(json(&tree)?)
        .bind(now)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        let after = serde_json::json!({"name": name, "tree": tree});
        audit::Note::new(audit::action::CREATE, "asm_scheme", sid)
            .summary(format!("考核方案「{name}」第1版（草稿）"))
            .after(&after)
            .write(w.conn(), actor, now)
            .await?;
        let v = load_version(w.conn(), vid).await?;
        w.commit().await?;
        Ok(v)
    }

    pub async fn scheme_version(&self, actor: &Actor, id: i64) -> Result<SchemeVersion> {
        access::check(actor, Permission::Coordinate)?;
        let mut conn = self.db.pool.acquire().await?;
        load_version(&mut conn, id).await
    }

    /// Saves a draft's tree (validated; a published version is frozen: 409).
    pub async fn save_draft(
        &self,
        actor: &Actor,
        id: i64,
        input: &TreeInput,
    ) -> Result<SchemeVersion> {
        manage(actor)?;
        let mut tree = input.tree.clone();
        validate_tree(&mut tree).map_err(StoreError::Invalid)?;
        let now = now_ms();
        let mut w = self.write(actor).await?;
        let before = load_version(w.conn(), id).await?;
        if before.status != "draft" {
            return Err(StoreError::conflict(
                Code::VersionFrozen,
                None,
                format!(
                    "第{}版已发布并冻结，不能修改；请基于它新建草稿版本",
                    before.version_no
                ),
                format!(
                    "Version {} is published and frozen; start a new draft from it",
                    before.version_no
                ),
            ));
        }
        if input.version.is_some_and(|v| v != before.version) {
            return Err(StoreError::conflict(
                Code::StaleVersion,
                None,
                "方案已被他人修改，请刷新后重试",
                "The scheme was changed by someone else; reload and try again",
            ));
        }
        let n = sqlx::query(
            "UPDATE asm_versions SET tree = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(json(&tree)?)
        .bind(now)
        .bind(id)
        .bind(before.version)
        .execute(w.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::conflict(
                Code::StaleVersion,
                None,
                "方案已被他人修改，请刷新后重试",
                "The scheme was changed by someone else; reload and try again",
            ));
        }
        audit::Note::new(audit::action::UPDATE, "asm_version", id)
            .summary(format!(
                "修改考核方案「{}」第{}版草稿",
                before.scheme_name, before.version_no
            ))
            .before(&serde_json::json!({"tree": before.tree}))
            .after(&serde_json::json!({"tree": tree}))
            .write(w.conn(), actor, now)
            .await?;
        let v = load_version(w.conn(), id).await?;
        w.commit().await?;
        Ok(v)
    }

    /// Publishes (freezes) a draft version.
    pub async fn publish_version(&self, actor: &Actor, id: i64) -> Result<SchemeVersion> {
        manage(actor)?;
        let now = now_ms();
        let mut w = self.write(actor).await?;
        let v = load_version(w.conn(), id).await?;
        if v.status != "draft" {
            return Err(StoreError::conflict(
                Code::VersionFrozen,
                None,
                format!("第{}版已发布", v.version_no),
                format!("Version {} is already published", v.version_no),
            ));
        }
        let mut tree = v.tree.clone();
        validate_tree(&mut tree).map_err(StoreError::Invalid)?;
        sqlx::query(
            "UPDATE asm_versions SET status = 'published', published_at = $1, published_by = $2, version = version + 1, updated_at = $1 WHERE id = $3 AND status = 'draft'",
        )
        .bind(now)
        .bind(actor.user_id)
        .bind(id)
        .execute(w.conn())
        .await?;
        audit::Note::new("asm_publish", "asm_version", id)
            .summary(format!(
                "发布考核方案「{}」第{}版（冻结）",
                v.scheme_name, v.version_no
            ))
            .write(w.conn(), actor, now)
            .await?;
        let v = load_version(w.conn(), id).await?;
        w.commit().await?;
        Ok(v)
    }

    /// Starts a new draft from a version (the newest draft if one exists already: 409).
    pub async fn new_draft(&self, actor: &Actor, from: i64) -> Result<SchemeVersion> {
        manage(actor)?;
        let now = now_ms();
        let mut w = self.write(actor).await?;
        let v = load_version(w.conn(), from).await?;
        let drafts: i64 = sqlx::query(
            "SELECT COUNT(*) FROM asm_versions WHERE scheme_id = $1 AND status = 'draft'",
        )
        .bind(v.scheme_id)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        if drafts > 0 {
            return Err(StoreError::conflict(
                Code::DraftExists,
                None,
                "该方案已有未发布的草稿版本，请直接编辑草稿",
                "This scheme has an unpublished draft already; edit it",
            ));
        }
        let no: i64 = sqlx::query(
            "SELECT COALESCE(MAX(version_no), 0) + 1 FROM asm_versions WHERE scheme_id = $1",
        )
        .bind(v.scheme_id)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        let id: i64 = sqlx::query(
            "INSERT INTO asm_versions (scheme_id, version_no, status, tree, version, created_at, updated_at) VALUES ($1, $2, 'draft', $3, 1, $4, $4) RETURNING id",
        )
        .bind(v.scheme_id)
        .bind(no)
        .bind(json(&v.tree)?)
        .bind(now)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        audit::Note::new(audit::action::CREATE, "asm_version", id)
            .summary(format!(
                "考核方案「{}」新建第{}版草稿（基于第{}版）",
                v.scheme_name, no, v.version_no
            ))
            .write(w.conn(), actor, now)
            .await?;
        let out = load_version(w.conn(), id).await?;
        w.commit().await?;
        Ok(out)
    }
}
