-- The yearly assessment (评价考核, issue #4): schemes as versioned indicator trees,
-- rounds applied to districts, member units or pilot units, self-reports, experts with
-- conflict-of-interest recusal, independent scores and versioned published results.
CREATE TABLE asm_schemes (
    id {{ID}},
    name TEXT NOT NULL,
    description TEXT,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One version of a scheme's tree (JSON). A draft is edited; publishing freezes it.
CREATE TABLE asm_versions (
    id {{ID}},
    scheme_id BIGINT NOT NULL REFERENCES asm_schemes(id),
    version_no BIGINT NOT NULL,
    status TEXT NOT NULL,
    tree TEXT NOT NULL,
    published_at BIGINT,
    published_by BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (scheme_id, version_no)
);

-- A yearly round applying a frozen scheme version to targets.
-- status: open (self-reports and scoring) → closed → published (reopen for corrections).
CREATE TABLE asm_rounds (
    id {{ID}},
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    version_id BIGINT NOT NULL REFERENCES asm_versions(id),
    target_kind TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (year, target_kind)
);

-- A target of a round: a region code (districts) or an organisation id (as text).
CREATE TABLE asm_targets (
    id {{ID}},
    round_id BIGINT NOT NULL REFERENCES asm_rounds(id) ON DELETE CASCADE,
    target_key TEXT NOT NULL,
    name TEXT NOT NULL,
    self_status TEXT NOT NULL,
    submitted_at BIGINT,
    submitted_by BIGINT,
    sort BIGINT NOT NULL,
    UNIQUE (round_id, target_key)
);

-- A target's self-report on one leaf: a value (×100) and/or evidence text.
CREATE TABLE asm_self (
    id {{ID}},
    target_id BIGINT NOT NULL REFERENCES asm_targets(id) ON DELETE CASCADE,
    leaf TEXT NOT NULL,
    value_x100 BIGINT,
    evidence TEXT,
    updated_at BIGINT NOT NULL,
    UNIQUE (target_id, leaf)
);

-- Experts assigned to a round; label is the anonymous letter (A, B, C …).
CREATE TABLE asm_experts (
    id {{ID}},
    round_id BIGINT NOT NULL REFERENCES asm_rounds(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    sort BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (round_id, user_id)
);

-- Conflicts of interest: declared relations and recorded recusals.
-- kind: attached (the expert belongs to the target), declared, refused (an attempt to
-- score the target was refused).
CREATE TABLE asm_conflicts (
    id {{ID}},
    round_id BIGINT NOT NULL REFERENCES asm_rounds(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    target_id BIGINT NOT NULL REFERENCES asm_targets(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    reason TEXT,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX asm_conflicts_round ON asm_conflicts(round_id, user_id, target_id);

-- One expert's score on one expert-scored leaf of one target (×100).
CREATE TABLE asm_scores (
    id {{ID}},
    target_id BIGINT NOT NULL REFERENCES asm_targets(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    leaf TEXT NOT NULL,
    score_x100 BIGINT NOT NULL,
    comment TEXT,
    updated_at BIGINT NOT NULL,
    UNIQUE (target_id, user_id, leaf)
);

-- Published results: every publication is a new version with its full breakdown (JSON);
-- earlier versions stay readable.
CREATE TABLE asm_results (
    id {{ID}},
    round_id BIGINT NOT NULL REFERENCES asm_rounds(id) ON DELETE CASCADE,
    result_no BIGINT NOT NULL,
    reason TEXT,
    data TEXT NOT NULL,
    published_by BIGINT,
    published_at BIGINT NOT NULL,
    UNIQUE (round_id, result_no)
);

-- The totals of each result version (for rankings and the indicator engine).
CREATE TABLE asm_totals (
    id {{ID}},
    result_id BIGINT NOT NULL REFERENCES asm_results(id) ON DELETE CASCADE,
    target_key TEXT NOT NULL,
    total_x100 BIGINT NOT NULL,
    rank_no BIGINT NOT NULL
);
CREATE INDEX asm_totals_result ON asm_totals(result_id);
