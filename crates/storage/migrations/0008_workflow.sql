-- The workflow engine (issue #4): cases of every "apply → review → notice → decide"
-- process, their full history, in-app notifications, and resumable bulk actions.
CREATE TABLE wf_cases (
    id {{ID}},
    process TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    -- Index of the review step (steps.len() = public notice); NULL when not in review.
    step BIGINT,
    -- The form as a JSON object of strings.
    data TEXT NOT NULL,
    due_at BIGINT,
    -- What approval produced, e.g. "pilot:42".
    result_ref TEXT,
    submitted_by BIGINT,
    created_by BIGINT,
    reminded_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX wf_cases_org ON wf_cases(org_id, process);
CREATE INDEX wf_cases_queue ON wf_cases(status, step, due_at);

CREATE TABLE wf_events (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES wf_cases(id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    step BIGINT,
    user_id BIGINT,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    comment TEXT,
    -- Fields a reviewer corrected: {"field": ["before", "after"]}.
    changes TEXT,
    at_ms BIGINT NOT NULL
);
CREATE INDEX wf_events_case ON wf_events(case_id, id);

CREATE TABLE notifications (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    message TEXT NOT NULL,
    link TEXT,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user ON notifications(user_id, read_at);

CREATE TABLE wf_bulk (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    comment TEXT,
    case_ids TEXT NOT NULL,
    done BIGINT NOT NULL DEFAULT 0,
    succeeded BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
