//! Import jobs: an upload is validated and written in the background while the page (or
//! an API client) polls its progress.
//!
//! Jobs live in the database (`gongjiang_storage::jobs`): any server on the same
//! database answers for any job, a restart loses none, and a job whose process died is
//! reported as interrupted — with its outcome, all or nothing, since an import is one
//! transaction. This process keeps in memory only what its *running* imports need (the
//! progress, which on SQLite cannot be written while the import holds the write lock),
//! and runs at most [`MAX_RUNNING_IMPORTS`] at a time: a further upload is answered 429
//! before its body is read. A finished job keeps its first
//! [`gongjiang_storage::jobs::MAX_KEPT_PROBLEMS`] problems; the rejected-rows workbook,
//! in the file store, has them all.
use crate::AppState;
use gongjiang_storage::import::Outcome;
use gongjiang_storage::jobs::ImportJob;
use gongjiang_storage::service::Service;
use gongjiang_storage::{Actor, StoreError};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Imports one server process runs at once (each holds its upload and the rows being
/// checked in memory).
pub const MAX_RUNNING_IMPORTS: usize = 2;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub file_name: String,
    /// running, done or failed.
    pub status: String,
    /// 0.0 – 1.0
    pub progress: f64,
    /// The result; `outcome.problems` holds at most the first 1,000 problems (see
    /// `problems_total`; the rejected-rows workbook has them all).
    pub outcome: Option<Outcome>,
    /// Why the file could not be imported at all (not a spreadsheet, bad headers …), or
    /// that the server running the import stopped.
    pub error: Option<String>,
    /// Every problem found (`outcome.problems` may hold fewer).
    pub problems_total: i64,
    /// A rejected-rows workbook can be downloaded.
    pub has_rejected: bool,
    /// The server process running the import stopped before it finished. An import is
    /// one transaction: either none of the file's rows were written (`status` failed)
    /// or all its valid rows were (`status` done, `outcome.written`).
    pub interrupted: bool,
    /// When the upload was received (milliseconds since the epoch).
    pub created_at: i64,
    /// When the job ended, if it has.
    pub finished_at: Option<i64>,
    #[serde(skip)]
    pub owner: i64,
    #[serde(skip)]
    pub row_id: Option<i64>,
}

impl Job {
    fn from_stored(j: ImportJob, english: bool) -> Job {
        let error = if j.interrupted {
            Some(if j.written {
                if english {
                    "the server running this import stopped after its rows were committed: every valid row of the file was written (the import is one transaction); the detailed report was not kept".to_string()
                } else {
                    "运行本次导入的服务进程在数据提交后中断：文件中的全部有效行均已写入（导入在一个事务中完成），但详细报告未能保存".to_string()
                }
            } else if english {
                "the server running this import stopped before it finished: nothing of this file was written (an import is one transaction, all or nothing); upload it again".to_string()
            } else {
                "运行本次导入的服务进程在完成前中断：该文件的数据一行也没有写入（导入在一个事务中完成，要么全部写入，要么全部不写入），请重新上传".to_string()
            })
        } else {
            j.error
        };
        Job {
            id: j.token,
            kind: j.kind,
            file_name: j.file_name,
            status: j.status,
            progress: j.progress,
            outcome: j.outcome,
            error,
            problems_total: j.problems_total,
            has_rejected: j.has_rejected,
            interrupted: j.interrupted,
            created_at: j.created_at,
            finished_at: j.finished_at,
            owner: j.owner_id,
            row_id: Some(j.id),
        }
    }
}

/// What this process holds of one of its running imports.
struct Local {
    owner: i64,
    created_at: i64,
    kind: String,
    file_name: String,
    /// Per mille.
    progress: AtomicU32,
    finished: AtomicBool,
}

impl Local {
    fn progress(&self) -> f64 {
        f64::from(self.progress.load(Ordering::Relaxed)) / 1000.0
    }
}

pub struct Jobs {
    permits: Arc<Semaphore>,
    running: Mutex<HashMap<String, Arc<Local>>>,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs {
            permits: Arc::new(Semaphore::new(MAX_RUNNING_IMPORTS)),
            running: Mutex::new(HashMap::new()),
        }
    }
}

/// A place among the running imports of this process.
pub struct Slot {
    _permit: OwnedSemaphorePermit,
}

impl Jobs {
    /// A place for one more import, or None when [`MAX_RUNNING_IMPORTS`] run already.
    pub fn try_slot(&self) -> Option<Slot> {
        self.permits
            .clone()
            .try_acquire_owned()
            .ok()
            .map(|p| Slot { _permit: p })
    }

    /// The message of the 429 answered when no place is free: (zh, en).
    pub fn busy_message() -> (String, String) {
        (
            format!("本服务器已有 {MAX_RUNNING_IMPORTS} 个导入正在进行（同时最多 {MAX_RUNNING_IMPORTS} 个），请稍后再上传"),
            format!("{MAX_RUNNING_IMPORTS} imports are already running on this server (at most {MAX_RUNNING_IMPORTS} at a time); upload again in a moment"),
        )
    }

    fn local(&self, id: &str) -> Option<Arc<Local>> {
        self.running.lock().ok()?.get(id).cloned()
    }

    /// A job, if `actor` may see it: their own, or one of an account in their area
    /// (region staff; the city and the platform operator see every job). Any other
    /// answers None, like a missing one.
    pub async fn get(
        &self,
        svc: &Service,
        id: &str,
        actor: &Actor,
        english: bool,
    ) -> Result<Option<Job>, StoreError> {
        let local = self.local(id);
        match svc.import_job_for(actor, id).await? {
            Some(stored) => {
                let mut job = Job::from_stored(stored, english);
                if let (Some(l), "running") = (&local, job.status.as_str()) {
                    // Fresher than the last heartbeat (and on SQLite the only progress
                    // while the import holds the write lock).
                    job.progress = job.progress.max(l.progress());
                }
                Ok(Some(job))
            }
            // Started here a moment ago, not yet recorded (on SQLite, waiting for the
            // write lock another import holds): only its owner is told about it.
            None => Ok(local
                .filter(|l| Some(l.owner) == actor.user_id)
                .map(|l| Job {
                    id: id.to_string(),
                    kind: l.kind.clone(),
                    file_name: l.file_name.clone(),
                    status: "running".into(),
                    progress: l.progress(),
                    outcome: None,
                    error: None,
                    problems_total: 0,
                    has_rejected: false,
                    interrupted: false,
                    created_at: l.created_at,
                    finished_at: None,
                    owner: l.owner,
                    row_id: None,
                })),
        }
    }

    /// The rejected-rows workbook of a job `actor` may see.
    pub async fn rejected(
        &self,
        svc: &Service,
        id: &str,
        actor: &Actor,
    ) -> Result<Option<(Job, Vec<u8>)>, StoreError> {
        let Some(job) = self.get(svc, id, actor, false).await? else {
            return Ok(None);
        };
        let Some(row) = job.row_id.filter(|_| job.has_rejected) else {
            return Ok(None);
        };
        Ok(svc
            .import_job_rejected(row)
            .await?
            .map(|bytes| (job, bytes)))
    }

    /// Starts an import in the background and returns its id. It is recorded in the
    /// database before this returns (unless that takes over two seconds: on SQLite
    /// another import may hold the write lock; it is recorded when that one ends).
    pub async fn start(
        self: &Arc<Self>,
        st: &AppState,
        actor: Actor,
        upload: crate::api::io::Upload,
        english: bool,
        slot: Slot,
    ) -> Result<String, StoreError> {
        let crate::api::io::Upload {
            kind,
            file_name,
            bytes,
            opts,
            period,
            ..
        } = upload;
        let id = gongjiang_storage::users::random_token()[..16].to_string();
        let owner = actor.user_id.unwrap_or_default();
        let local = Arc::new(Local {
            owner,
            created_at: gongjiang_storage::now_ms(),
            kind: kind.clone(),
            file_name: file_name.clone(),
            progress: AtomicU32::new(0),
            finished: AtomicBool::new(false),
        });
        if let Ok(mut map) = self.running.lock() {
            map.insert(id.clone(), local.clone());
        }
        let (recorded_tx, recorded_rx) = tokio::sync::oneshot::channel::<Result<(), StoreError>>();
        let jobs = self.clone();
        let svc = st.svc.clone();
        let jid = id.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let row = match svc.create_import_job(&jid, owner, &kind, &file_name).await {
                Ok(row) => {
                    let _ = recorded_tx.send(Ok(()));
                    row
                }
                Err(e) => {
                    tracing::error!(job = %jid, error = %e, "import job not recorded");
                    let _ = recorded_tx.send(Err(e));
                    jobs.forget(&jid);
                    return;
                }
            };
            // The heartbeat: renews the lease and saves the progress until the job ends.
            {
                let svc = svc.clone();
                let local = local.clone();
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(gongjiang_storage::jobs::HEARTBEAT);
                    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    tick.tick().await;
                    loop {
                        tick.tick().await;
                        if local.finished.load(Ordering::Acquire) {
                            break;
                        }
                        match svc.heartbeat_import_job(row, local.progress()).await {
                            Ok(true) => {}
                            Ok(false) => break,
                            Err(e) => tracing::warn!(row, error = %e, "import heartbeat failed"),
                        }
                    }
                });
            }
            // The import runs in a task of its own, so that even a panic ends the job.
            let run = {
                let svc = svc.clone();
                let local = local.clone();
                let kind = kind.clone();
                let file_name = file_name.clone();
                tokio::spawn(async move {
                    let mut progress = move |done: usize, total: usize| {
                        let p = (done as f64 / total.max(1) as f64).min(0.99);
                        local.progress.store((p * 1000.0) as u32, Ordering::Relaxed);
                    };
                    let opts = gongjiang_storage::import::Options {
                        job: Some(row),
                        ..opts
                    };
                    let result = gongjiang_io::run::import_file_in_period(
                        &svc,
                        &actor,
                        &kind,
                        &bytes,
                        &file_name,
                        period.as_deref(),
                        opts,
                        &mut progress,
                    )
                    .await;
                    drop(bytes);
                    match result {
                        Ok(report) => {
                            let rejected = if report.rejected_raw.is_empty() {
                                None
                            } else {
                                gongjiang_io::spec(&kind)
                                    .and_then(|s| report.rejected_workbook(s, english).ok())
                            };
                            drop(report.rejected_raw);
                            svc.finish_import_job(row, &report.outcome, rejected.as_deref())
                                .await
                        }
                        Err(e) => svc.fail_import_job(row, &e.message(english)).await,
                    }
                })
            };
            let saved = match run.await {
                Ok(saved) => saved,
                Err(e) => {
                    tracing::error!(job = %jid, error = %e, "import stopped");
                    let msg = if english {
                        "the import stopped because of an internal error; nothing was written"
                    } else {
                        "导入因内部错误而中止，未写入任何数据"
                    };
                    svc.fail_import_job(row, msg).await
                }
            };
            if let Err(e) = saved {
                // The lease runs out and any server reports the job as interrupted.
                tracing::error!(job = %jid, error = %e, "import result not saved");
            }
            local.finished.store(true, Ordering::Release);
            jobs.forget(&jid);
        });
        match tokio::time::timeout(std::time::Duration::from_secs(2), recorded_rx).await {
            Ok(Ok(Err(e))) => Err(e),
            _ => Ok(id),
        }
    }

    fn forget(&self, id: &str) {
        if let Ok(mut map) = self.running.lock() {
            map.remove(id);
        }
    }
}

/// Marks imports of processes that died as interrupted, every few seconds (part of the
/// background duties of a server).
pub async fn reap_forever(svc: Service) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match svc.reap_import_jobs().await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(jobs = n, "imports of a stopped server marked interrupted"),
            Err(e) => tracing::warn!(error = %e, "interrupted imports not checked"),
        }
    }
}
