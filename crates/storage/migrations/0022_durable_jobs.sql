-- Import and bulk jobs outlive the process that runs them (issue #9): any server on the
-- database answers for any job, and a job whose process died does not stay "running".
--
-- An import job is one row. Its owner process renews `lease_until` every few seconds
-- (with the progress, in per mille); a job whose lease ran out is marked interrupted by
-- any server (storage/src/jobs.rs). The import itself is one transaction: in that same
-- transaction it sets `written_at` (and a first outcome), conditional on the job still
-- running — so either the rows and the mark commit together, or a job already declared
-- interrupted can no longer commit any row. `outcome` keeps the first problems only
-- (`problems_total` counts them all); the rejected-rows workbook, which carries every
-- problem, is kept encrypted in the content-addressed file store (`rejected_sha`).
CREATE TABLE import_jobs (
    id {{ID}},
    token TEXT NOT NULL UNIQUE,
    owner_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    -- running, done, failed
    status TEXT NOT NULL,
    progress BIGINT NOT NULL DEFAULT 0,
    outcome TEXT,
    problems_total BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    rejected_sha TEXT,
    rejected_size BIGINT,
    written_at BIGINT,
    interrupted BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX import_jobs_lease ON import_jobs(status, lease_until);

-- Bulk actions: the process carrying one out holds a lease, renewed with every case; a
-- job whose lease ran out is taken over by any server. Progress and counts move in the
-- same transaction as the action on each case, fenced by the lease and the position.
ALTER TABLE wf_bulk ADD COLUMN lease_owner TEXT;
ALTER TABLE wf_bulk ADD COLUMN lease_until BIGINT;
CREATE INDEX wf_bulk_lease ON wf_bulk(status, lease_until);
