//! A case's files, and the open case of a process for an applicant.

use crate::access;
use crate::audit;
use crate::error::{Result, StoreError};
use crate::scope::{Actor, Scope};
use crate::service::Service;
use gongjiang_domain::workflow::Status;
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

use super::rules::changed_elsewhere;
use super::types::Case;

impl Service {
    /// Attaches material to a case: the applicant while it is a draft or returned, or
    /// the reviewer of the current step (a review memo). Files are checked by content
    /// and size; the history records the upload.
    pub async fn attach_case_files(
        &self,
        actor: &Actor,
        id: i64,
        files: &[(String, Vec<u8>)],
    ) -> Result<Case> {
        if files.is_empty() {
            return Err(StoreError::Invalid(vec![FieldError::required(
                "file", "附件", "File",
            )]));
        }
        if files.len() > 10 {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "file",
                Rule::TooLong,
                "一次最多上传10个文件",
                "at most 10 files at a time",
            )]));
        }
        let mut w = self.write(actor).await?;
        let c = self
            .case_in(w.conn(), &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let def = c.def().ok_or(StoreError::NotFound)?;
        let at = c.position();
        let applicant =
            self.is_applicant(actor, &c) && matches!(at.status, Status::Draft | Status::Returned);
        let reviewer = access::reviews_case(actor, def, at, &c.path);
        if !(applicant || reviewer) {
            return Err(StoreError::conflict(
                Code::CaseLocked,
                Some("file"),
                "该事项当前不能由您上传材料（申报单位只能在草稿或退回后补充材料）",
                "you cannot attach material to this case now",
            ));
        }
        let mut ids = c.file_ids.clone();
        let mut names = Vec::new();
        for (name, bytes) in files {
            let m = self
                .store_file(w.conn(), actor, Some(c.org_id), name, bytes)
                .await?;
            ids.push(m.id);
            names.push(m.name);
        }
        let now = w.now;
        let json = serde_json::to_string(&ids).map_err(|e| StoreError::Other(e.to_string()))?;
        let n = sqlx::query(
            "UPDATE wf_cases SET file_ids = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(&json)
        .bind(now)
        .bind(id)
        .bind(c.version)
        .execute(w.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(changed_elsewhere());
        }
        sqlx::query(
            "INSERT INTO wf_events (case_id, action, from_status, to_status, step, user_id, username, display_name, comment, changes, at_ms) \
             VALUES ($1, 'attach', $2, $2, $3, $4, $5, $6, $7, NULL, $8)",
        )
        .bind(id)
        .bind(&c.status)
        .bind(c.step)
        .bind(actor.user_id)
        .bind(&actor.username)
        .bind(&actor.display_name)
        .bind(names.join("、"))
        .bind(now)
        .execute(w.conn())
        .await?;
        w.audit(
            audit::Note::new(audit::action::UPDATE, "case", id).summary(format!(
                "{}:上传材料 {}",
                c.title,
                names.join("、")
            )),
        )
        .await?;
        let mut after = self
            .case_in(w.conn(), &Scope::All, id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        after.files = Self::file_metas(w.conn(), &after.file_ids).await?;
        w.commit().await?;
        Ok(after)
    }
}
/// The open case (draft, in review, returned, at notice) of a process for an
/// applicant — of that year when the form has a year (a yearly check for 2023 and one
/// for 2024 may both be open).
pub async fn open_case_id(
    conn: &mut AnyConnection,
    process: &str,
    org_id: i64,
    year: Option<&str>,
) -> Result<Option<i64>> {
    let rows = sqlx::query(
        "SELECT id, data FROM wf_cases WHERE process = $1 AND org_id = $2 AND status IN ('draft', 'in_review', 'returned', 'notice') ORDER BY id",
    )
    .bind(process)
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let data: String = r.try_get(1)?;
        let their = serde_json::from_str::<BTreeMap<String, String>>(&data)
            .ok()
            .and_then(|d| d.get("year").cloned());
        let same = match (their.as_deref(), year) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        if same {
            return Ok(Some(r.try_get(0)?));
        }
    }
    Ok(None)
}
