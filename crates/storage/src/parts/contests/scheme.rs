//! Use cases: the marking scheme — kept as a draft, published when its weights add up to
//! 100, frozen once a mark exists.
use super::sql;
use super::{AspectOut, ContestSchemeInput};
use crate::audit::{action, Note};
use crate::error::{Result, StoreError};
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::contests::{check_scheme, AspectDraft};
use gongjiang_domain::Code;

impl Service {
    /// The scheme, in order.
    pub async fn contest_scheme(&self, actor: &Actor, id: i64) -> Result<Vec<AspectOut>> {
        let mut conn = self.db.pool.acquire().await?;
        sql::visible(&mut conn, actor, id).await?;
        sql::aspects(&mut conn, id).await
    }

    /// Replaces the scheme; with `publish`, the weights must add up to 100 (422 naming
    /// the aspect). Refused once any mark is kept.
    pub async fn set_contest_scheme(
        &self,
        actor: &Actor,
        id: i64,
        i: &ContestSchemeInput,
    ) -> Result<Vec<AspectOut>> {
        let mut w = self.write(actor).await?;
        let c = sql::run(w.conn(), actor, id).await?;
        w.check_version(i.version, c.version)?;
        sql::expect_status(
            &c,
            &["draft", "in_review", "open"],
            "成绩锁定后不能修改评分标准",
            "the scheme cannot change once the marks are locked",
        )?;
        let drafts: Vec<AspectDraft> = i
            .aspects
            .iter()
            .map(|a| AspectDraft {
                name: a.name.clone(),
                kind: a.kind.clone(),
                weight: a.weight,
                max_mark: a.max_mark,
                tolerance: a.tolerance,
                descriptors: a.descriptors.clone(),
            })
            .collect();
        let checked = check_scheme(&drafts, i.publish).map_err(StoreError::Invalid)?;
        let marked = sqlx::query("SELECT 1 FROM contest_marks WHERE contest_id = $1")
            .bind(id)
            .fetch_optional(w.conn())
            .await?
            .is_some();
        if marked {
            return Err(StoreError::conflict(
                Code::ContestState,
                Some("aspects"),
                "已有评分记录，评分标准不能再修改",
                "marks are kept already; the scheme is frozen",
            ));
        }
        let before = sql::aspects(w.conn(), id).await?;
        sqlx::query("DELETE FROM contest_aspects WHERE contest_id = $1")
            .bind(id)
            .execute(w.conn())
            .await?;
        for (n, a) in checked.iter().enumerate() {
            sqlx::query(
                "INSERT INTO contest_aspects (contest_id, ord, name, kind, weight_x100, max_e4, tolerance_e4, descriptors) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(n as i64 + 1)
            .bind(&a.name)
            .bind(a.kind.code())
            .bind((a.weight * 100.0).round() as i64)
            .bind(a.max_mark.map(sql::e4))
            .bind(a.tolerance.map(sql::e4))
            .bind(serde_json::to_string(&a.descriptors).map_err(|e| StoreError::Other(e.to_string()))?)
            .execute(w.conn())
            .await?;
        }
        let now = w.now;
        sqlx::query("UPDATE contests SET scheme_published = $1, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(i.publish))
            .bind(now)
            .bind(id)
            .execute(w.conn())
            .await?;
        let after = sql::aspects(w.conn(), id).await?;
        w.audit(
            Note::new(action::UPDATE, "contest", id)
                .summary(format!(
                    "{}：评分标准{}（{} 项）",
                    c.name,
                    if i.publish { "发布" } else { "保存草稿" },
                    after.len()
                ))
                .before(&before)
                .after(&after),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }
}
