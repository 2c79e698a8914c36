//! In-app notifications (`/notifications`): one place that writes them, inside the
//! caller's transaction, so a notice exists exactly when the change it reports does.
use crate::error::Result;
use sqlx::AnyConnection;

/// Tells each of `users` `message`, linking to `link`.
pub async fn notify(
    conn: &mut AnyConnection,
    users: &[i64],
    message: &str,
    link: &str,
    now: i64,
) -> Result<()> {
    for u in users {
        sqlx::query(
            "INSERT INTO notifications (user_id, message, link, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(u)
        .bind(message)
        .bind(link)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The active unit contacts of an organisation (who hears about its cases and items).
pub async fn unit_contacts(conn: &mut AnyConnection, org_id: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM users WHERE role = 'unit' AND org_id = $1 AND disabled = 0",
    )
    .bind(org_id)
    .fetch_all(conn)
    .await?)
}
