//! Import jobs: an upload is validated and written in the background while the page (or
//! an API client) polls its progress; the result keeps the per-row problems and the
//! rejected rows as a workbook.
use crate::AppState;
use gongjiang_storage::import::Outcome;
use gongjiang_storage::Actor;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub file_name: String,
    /// running, done or failed.
    pub status: String,
    /// 0.0 – 1.0
    pub progress: f64,
    pub outcome: Option<Outcome>,
    /// Why the file could not be imported at all (not a spreadsheet, bad headers …).
    pub error: Option<String>,
    #[serde(skip)]
    pub owner: i64,
    #[serde(skip)]
    pub rejected: Option<Vec<u8>>,
}

#[derive(Default)]
pub struct Jobs {
    map: Mutex<HashMap<String, Job>>,
}

impl Jobs {
    pub fn get(&self, id: &str, user: i64, admin: bool) -> Option<Job> {
        let map = self.map.lock().ok()?;
        map.get(id).filter(|j| j.owner == user || admin).cloned()
    }

    fn update(&self, id: &str, f: impl FnOnce(&mut Job)) {
        if let Ok(mut map) = self.map.lock() {
            if let Some(j) = map.get_mut(id) {
                f(j);
            }
        }
    }

    /// Starts an import in the background and returns its id.
    pub fn start(
        self: &Arc<Self>,
        st: &AppState,
        actor: Actor,
        upload: crate::api::io::Upload,
        english: bool,
    ) -> String {
        let crate::api::io::Upload {
            kind,
            file_name,
            bytes,
            opts,
            period,
            ..
        } = upload;
        let id = gongjiang_storage::users::random_token()[..16].to_string();
        let job = Job {
            id: id.clone(),
            kind: kind.clone(),
            file_name: file_name.clone(),
            status: "running".into(),
            progress: 0.0,
            outcome: None,
            error: None,
            owner: actor.user_id.unwrap_or_default(),
            rejected: None,
        };
        if let Ok(mut map) = self.map.lock() {
            if map.len() > 1000 {
                map.retain(|_, j| j.status == "running");
            }
            map.insert(id.clone(), job);
        }
        let jobs = self.clone();
        let svc = st.svc.clone();
        let jid = id.clone();
        tokio::spawn(async move {
            let progress_jobs = jobs.clone();
            let pid = jid.clone();
            let mut progress = move |done: usize, total: usize| {
                let p = done as f64 / total.max(1) as f64;
                progress_jobs.update(&pid, |j| j.progress = p.min(0.99));
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
            match result {
                Ok(report) => {
                    let rejected = if report.rejected_raw.is_empty() {
                        None
                    } else {
                        gongjiang_io::spec(&kind)
                            .and_then(|s| report.rejected_workbook(s, english).ok())
                    };
                    jobs.update(&jid, |j| {
                        j.status = "done".into();
                        j.progress = 1.0;
                        j.outcome = Some(report.outcome);
                        j.rejected = rejected;
                    });
                }
                Err(e) => {
                    let msg = e.message(english);
                    jobs.update(&jid, |j| {
                        j.status = "failed".into();
                        j.progress = 1.0;
                        j.error = Some(msg);
                    });
                }
            }
        });
        id
    }
}
