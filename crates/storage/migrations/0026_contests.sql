-- 劳动和技能竞赛 (issue #12, point 3): contests, their marking schemes, entries, judges,
-- marks kept per judge, and results.
--
-- A contest belongs to the region that runs it (`region_code`: the city, a district or a
-- town) and, for an enterprise-level contest, to its organiser (`organiser_org_id`).
-- `status`: draft → in_review (the plan on the workflow engine) → open (entries and
-- marking) → locked → notice (the results' 公示 on the engine) → closed. Imported
-- history arrives closed.
CREATE TABLE contests (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    year BIGINT NOT NULL,
    occupation TEXT NOT NULL,
    min_level TEXT,
    max_level TEXT,
    region_code TEXT NOT NULL REFERENCES regions(code),
    organiser_org_id BIGINT REFERENCES orgs(id),
    starts_on TEXT,
    ends_on TEXT,
    first_prizes BIGINT NOT NULL DEFAULT 0,
    second_prizes BIGINT NOT NULL DEFAULT 0,
    third_prizes BIGINT NOT NULL DEFAULT 0,
    merit_prizes BIGINT NOT NULL DEFAULT 0,
    honour_top BIGINT NOT NULL DEFAULT 0,
    medal_top BIGINT NOT NULL DEFAULT 0,
    promote_top BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    scheme_published BIGINT NOT NULL DEFAULT 0,
    plan_case_id BIGINT,
    results_case_id BIGINT,
    locked_at BIGINT,
    locked_by BIGINT,
    created_by BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contests_region ON contests(region_code, year);

-- The marking scheme: measurement aspects (a maximum or a tolerance) and judgement
-- aspects (descriptors for the scores 0–3, as a JSON list). Weights add up to 100.
CREATE TABLE contest_aspects (
    id {{ID}},
    contest_id BIGINT NOT NULL REFERENCES contests(id) ON DELETE CASCADE,
    ord BIGINT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- weight × 100; a maximum and a tolerance × 10,000 (fixed point, as every number
    -- the platform keeps: backups and both backends agree to the digit).
    weight_x100 BIGINT NOT NULL,
    max_e4 BIGINT,
    tolerance_e4 BIGINT,
    descriptors TEXT NOT NULL DEFAULT '[]',
    UNIQUE (contest_id, ord)
);

-- Entries: registered workers entered by their unit (or region staff).
CREATE TABLE contest_entries (
    id {{ID}},
    contest_id BIGINT NOT NULL REFERENCES contests(id) ON DELETE CASCADE,
    worker_id BIGINT NOT NULL REFERENCES workers(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    entered_by BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (contest_id, worker_id)
);
CREATE INDEX contest_entries_worker ON contest_entries(worker_id);

-- The judging panel (expert accounts), and the recusals the tree requires: a judge is
-- not shown, and may not mark, an entrant of their own enterprise, park or town.
CREATE TABLE contest_judges (
    id {{ID}},
    contest_id BIGINT NOT NULL REFERENCES contests(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    UNIQUE (contest_id, user_id)
);
CREATE TABLE contest_recusals (
    id {{ID}},
    contest_id BIGINT NOT NULL REFERENCES contests(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    entry_id BIGINT NOT NULL REFERENCES contest_entries(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (user_id, entry_id)
);

-- Marks, kept per judge: a judgement score (0–3) under the judge's own account; a
-- measurement (paper) mark under judge 0, entered by one person and confirmed by
-- another. `flagged`: the aspect's judges differ by more than one point.
CREATE TABLE contest_marks (
    id {{ID}},
    contest_id BIGINT NOT NULL REFERENCES contests(id) ON DELETE CASCADE,
    entry_id BIGINT NOT NULL REFERENCES contest_entries(id) ON DELETE CASCADE,
    aspect_id BIGINT NOT NULL REFERENCES contest_aspects(id) ON DELETE CASCADE,
    judge_id BIGINT NOT NULL,
    -- the mark or score × 10,000
    value_e4 BIGINT NOT NULL,
    entered_by BIGINT,
    confirmed_by BIGINT,
    confirmed_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (entry_id, aspect_id, judge_id)
);
CREATE INDEX contest_marks_contest ON contest_marks(contest_id);

-- Results: provisional while on notice, final once the notice is decided; imported
-- history arrives final. The honour's designation and the promotion case are linked.
CREATE TABLE contest_results (
    id {{ID}},
    contest_id BIGINT NOT NULL REFERENCES contests(id) ON DELETE CASCADE,
    worker_id BIGINT NOT NULL REFERENCES workers(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    place BIGINT NOT NULL,
    total_x100 BIGINT,
    award TEXT,
    honour TEXT,
    promoted_to TEXT,
    is_final BIGINT NOT NULL DEFAULT 0,
    designation_id BIGINT,
    promotion_case_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (contest_id, worker_id)
);
CREATE INDEX contest_results_worker ON contest_results(worker_id);
