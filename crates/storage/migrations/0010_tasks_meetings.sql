-- The annual task list (年度任务清单 / 重点工作) and the joint meetings (联席会议), issue #4.
-- A task's status is computed from done_at, its deadline and its progress reports.
CREATE TABLE tasks (
    id {{ID}},
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- The owner unit (责任单位): reports progress; its facts feed the indicators.
    owner_org_id BIGINT NOT NULL REFERENCES orgs(id),
    -- The lead region (牵头区域).
    region_code TEXT NOT NULL REFERENCES regions(code),
    deadline TEXT NOT NULL,
    target_text TEXT NOT NULL,
    target_value BIGINT,
    target_unit TEXT,
    -- Latest reported percent and value achieved, and how many reports there are.
    progress BIGINT NOT NULL DEFAULT 0,
    achieved BIGINT,
    reports BIGINT NOT NULL DEFAULT 0,
    done_at BIGINT,
    done_by TEXT,
    -- 督办: flagged by the city or district with a note.
    supervised BIGINT NOT NULL DEFAULT 0,
    supervise_note TEXT,
    supervised_at BIGINT,
    supervised_by TEXT,
    -- The meeting decision this task came from.
    meeting_id BIGINT,
    decision_id BIGINT,
    -- city, district or town: who may mark it done or 督办 (this level or above).
    creator_level TEXT NOT NULL,
    created_by BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX tasks_owner ON tasks(owner_org_id, year);
CREATE INDEX tasks_year ON tasks(year, deadline);

CREATE TABLE task_progress (
    id {{ID}},
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    report_date TEXT NOT NULL,
    percent BIGINT,
    achieved BIGINT,
    note TEXT NOT NULL,
    evidence_url TEXT,
    user_id BIGINT,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX task_progress_task ON task_progress(task_id, id);

-- One joint-meeting body per region (city, district or town) and its member units.
CREATE TABLE meeting_bodies (
    id {{ID}},
    region_code TEXT NOT NULL UNIQUE REFERENCES regions(code),
    level TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE meeting_members (
    body_id BIGINT NOT NULL REFERENCES meeting_bodies(id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (body_id, org_id)
);

CREATE TABLE meetings (
    id {{ID}},
    body_id BIGINT NOT NULL REFERENCES meeting_bodies(id),
    title TEXT NOT NULL,
    meeting_date TEXT NOT NULL,
    place TEXT NOT NULL,
    -- JSON array of strings.
    agenda TEXT NOT NULL,
    minutes TEXT NOT NULL DEFAULT '',
    created_by BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX meetings_body ON meetings(body_id, meeting_date);

CREATE TABLE meeting_attendance (
    meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    -- present, deputy, absent
    status TEXT NOT NULL,
    attendee TEXT,
    PRIMARY KEY (meeting_id, org_id)
);

CREATE TABLE meeting_decisions (
    id {{ID}},
    meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    text TEXT NOT NULL,
    task_id BIGINT
);
CREATE INDEX meeting_decisions_meeting ON meeting_decisions(meeting_id, seq);
