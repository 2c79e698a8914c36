//! Imports a worker file into an existing SQLite data directory the way
//! `gongjiang import workers FILE` does (same service call), without building the web
//! crate: a faster edit–measure loop for the import path. Phase timings are logged at
//! debug level under `gongjiang_storage::worker_bulk` (`RUST_LOG=gongjiang_storage::worker_bulk=debug`).
//!
//! ```text
//! cargo run --release -p gongjiang-io --example import_workers -- DATA_DIR FILE
//! ```
use gongjiang_storage::crypto::DataKey;
use gongjiang_storage::service::Service;
use gongjiang_storage::{Actor, Db};
use std::time::Instant;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().ok_or("usage: import_workers DATA_DIR FILE")?);
    let file = std::path::PathBuf::from(args.next().ok_or("usage: import_workers DATA_DIR FILE")?);
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let start = Instant::now();
    let key = std::fs::read_to_string(dir.join("data.key"))?;
    let key = DataKey::from_hex(&key).ok_or("data.key: not 64 hex digits")?;
    let db = Db::open_sqlite(&dir.join("gongjiang.db")).await?;
    db.migrate().await?;
    let svc = Service::with_key(db, key);
    let bytes = std::fs::read(&file)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let report = gongjiang_io::run::import_file_in_period(
        &svc,
        &Actor::system("bench"),
        "workers",
        &bytes,
        &name,
        None,
        Default::default(),
        &mut |_, _| {},
    )
    .await
    .map_err(|e| e.message(true))?;
    let o = &report.outcome;
    println!(
        "{} rows: {} created, {} updated, {} unchanged, {} problems, written {} in {:.2} s",
        o.total,
        o.created,
        o.updated,
        o.unchanged,
        o.problems.len(),
        o.written,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
