//! The service's use of `crate::mail` (kept here so that `mail` does not depend on the
//! service: the core has no circle).
use crate::error::Result;
use crate::mail::*;
use crate::now_ms;
use crate::service::Service;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use sqlx::Row;

impl Service {
    /// Sends the due e-mail notifications (nothing when SMTP is not configured) and
    /// returns how many went out. Failures are recorded on the rows and tried again
    /// later; an unreachable server is an error and nothing is claimed.
    pub async fn send_pending_emails(&self) -> Result<usize> {
        let Some(m) = self.mail.clone() else {
            return Ok(0);
        };
        let now = now_ms();
        let due: Vec<Due> = {
            let mut conn = self.db.pool.acquire().await?;
            sqlx::query(
                "SELECT n.id, n.email_tries, n.message, n.link, u.email, u.display_name \
                 FROM notifications n JOIN users u ON u.id = n.user_id \
                 WHERE n.emailed_at IS NULL AND n.created_at >= $1 AND n.email_tries < $2 \
                 AND (n.email_next_at IS NULL OR n.email_next_at <= $3) \
                 AND u.email IS NOT NULL AND u.email <> '' AND u.disabled = 0 \
                 ORDER BY n.id LIMIT $4",
            )
            .bind(now - MAX_AGE_MS)
            .bind(MAX_TRIES)
            .bind(now)
            .bind(BATCH)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok(Due {
                    id: r.try_get("id")?,
                    tries: r.try_get("email_tries")?,
                    message: r.try_get("message")?,
                    link: r.try_get("link")?,
                    email: r.try_get("email")?,
                    name: r.try_get("display_name")?,
                })
            })
            .collect::<Result<_>>()?
        };
        let mut smtp: Option<AsyncSmtpConnection> = None;
        let mut sent = 0;
        for d in due {
            let msg = match m.message(&d.email, &d.name, &d.message, d.link.as_deref()) {
                Ok(msg) => msg,
                Err(e) => {
                    // Cannot be sent as it stands (a bad stored address): no more tries.
                    if self.claim(d.id, d.tries).await? {
                        self.failed(d.id, MAX_TRIES, &e).await?;
                    }
                    continue;
                }
            };
            if smtp.is_none() {
                smtp = Some(m.connect().await?);
            }
            let Some(conn) = smtp.as_mut() else { continue };
            if !self.claim(d.id, d.tries).await? {
                continue;
            }
            match conn.send(msg.envelope(), &msg.formatted()).await {
                Ok(_) => {
                    let mut tx = self.db.begin().await?;
                    sqlx::query("UPDATE notifications SET emailed_at = $1, email_next_at = NULL, email_error = NULL WHERE id = $2")
                        .bind(now_ms())
                        .bind(d.id)
                        .execute(tx.conn())
                        .await?;
                    tx.commit().await?;
                    sent += 1;
                }
                Err(e) => {
                    tracing::warn!(notification = d.id, error = %e, "e-mail not sent; will retry");
                    self.failed(d.id, d.tries + 1, &e.to_string()).await?;
                    // The connection is not reused after an error.
                    smtp = None;
                }
            }
        }
        if let Some(mut c) = smtp {
            let _ = c.quit().await;
        }
        Ok(sent)
    }

    /// Claims a row for sending; false when another sender has it or it is not due.
    async fn claim(&self, id: i64, tries: i64) -> Result<bool> {
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let n = sqlx::query(
            "UPDATE notifications SET email_tries = email_tries + 1, email_next_at = $1 \
             WHERE id = $2 AND emailed_at IS NULL AND email_tries = $3 \
             AND (email_next_at IS NULL OR email_next_at <= $4)",
        )
        .bind(IN_FLIGHT)
        .bind(id)
        .bind(tries)
        .bind(now)
        .execute(tx.conn())
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Records a failed try; the row is due again after a pause.
    async fn failed(&self, id: i64, tries: i64, error: &str) -> Result<()> {
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE notifications SET email_next_at = $1, email_error = $2 WHERE id = $3")
            .bind(now_ms() + backoff_ms(tries))
            .bind(error.chars().take(500).collect::<String>())
            .bind(id)
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
