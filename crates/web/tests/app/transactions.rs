//! A transaction dropped half-way — a request whose client went away, an aborted job —
//! leaves nothing behind on the connection the pool hands out next.
//!
//! sqlx 0.8's PostgreSQL `BEGIN` is not cancel-safe (launchbadge/sqlx#2054): a drop
//! while its answer was on the way left the session inside a transaction, and the next
//! borrower's writes were never committed. `Db::begin` carries the begin to its end
//! (`Db::pool_begin`). Found by `workflow::bulk::a_killed_bulk_job_resumes_with_exact_counts`,
//! which failed on PostgreSQL once in CI when its abort landed in that window.

use crate::helpers::*;

/// Yields to the scheduler `n` times, then finishes.
async fn yields(n: u32) {
    for _ in 0..n {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn a_begin_dropped_half_way_leaves_no_transaction_behind() {
    let (db, _guard) = fresh_db().await;
    // Drop `db.begin()` after one, two, … polls: some drops land while the answer to
    // BEGIN is on its way. A begin that finishes first is dropped too (rolled back).
    for i in 0..300u32 {
        tokio::select! {
            biased;
            tx = db.begin() => drop(tx),
            _ = yields(i % 8) => {}
        }
    }
    // The begins that went on in their own tasks end, and their connections come back.
    for _ in 0..200 {
        if db.pool.num_idle() == db.pool.size() as usize {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // Every connection of the pool writes for real: an insert made on each, outside any
    // transaction, is seen by another server's connection. (The pool hands its idle
    // connections out in turn, so twice its size reaches each one.)
    let n = 2 * i64::from(db.pool.size()) + 2;
    for k in 1..=n {
        let mut conn = db.pool.acquire().await.unwrap();
        sqlx::query(
            "INSERT INTO gj_migrations (version, name, applied_at) VALUES ($1, 'probe', 0)",
        )
        .bind(-k)
        .execute(&mut *conn)
        .await
        .unwrap();
    }
    let other = db.reconnect().await.unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM gj_migrations WHERE name = 'probe'")
        .fetch_one(&other.pool)
        .await
        .unwrap();
    other.close().await;
    assert_eq!(seen, n, "an insert went into a transaction nobody commits");
    // And a write transaction still begins and commits.
    let tx = db.begin().await.unwrap();
    tx.commit().await.unwrap();
    db.close().await;
}
