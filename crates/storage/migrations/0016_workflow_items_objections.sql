-- The workflow engine, second part (issue #4): cases that drive a module's record
-- (the 六有 checklist of a unit for a year), checklist items decided one by one, and
-- objections lodged during the public notice (公示) with the city's answer.
ALTER TABLE wf_cases ADD COLUMN subject TEXT;
CREATE INDEX wf_cases_subject ON wf_cases(process, subject);

CREATE TABLE wf_items (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES wf_cases(id) ON DELETE CASCADE,
    item TEXT NOT NULL,
    -- draft, submitted, accepted, returned
    status TEXT NOT NULL,
    reason TEXT,
    decided_by BIGINT,
    decided_name TEXT,
    decided_at BIGINT,
    UNIQUE (case_id, item)
);

CREATE TABLE wf_objections (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES wf_cases(id) ON DELETE CASCADE,
    user_id BIGINT,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    -- Who raised it, when the office records an objection received by letter or phone.
    raised_by TEXT,
    body TEXT NOT NULL,
    -- open, upheld, dismissed
    outcome TEXT NOT NULL,
    response TEXT,
    answered_by TEXT,
    answered_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX wf_objections_case ON wf_objections(case_id, id);

-- Expert scoring between the reviews and the notice: the experts the city assigned to a
-- case, each one's score (NULL until scored) and the case's aggregate.
ALTER TABLE wf_cases ADD COLUMN score_x100 BIGINT;
CREATE TABLE wf_scores (
    id {{ID}},
    case_id BIGINT NOT NULL REFERENCES wf_cases(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    score_x100 BIGINT,
    comment TEXT,
    assigned_at BIGINT NOT NULL,
    scored_at BIGINT,
    UNIQUE (case_id, user_id)
);
