-- 技能形成 (issue #12): training providers and classes.
--
-- A provider is an organisation: a 院校 carries its type (产业学院 / 工匠学院 / 职工学堂 /
-- 其他) in orgs.college_type; an enterprise may be a training site without one.
ALTER TABLE orgs ADD COLUMN college_type TEXT;

-- A class (培训班), keyed by its code (班级编号). `org_id` is the organisation the class
-- belongs to for scope: the enterprise where one is named, otherwise the provider — so
-- a district sees the classes held in its area, and a unit its own.
CREATE TABLE training_classes (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    ctype TEXT NOT NULL,
    provider_org_id BIGINT NOT NULL REFERENCES orgs(id),
    enterprise_org_id BIGINT REFERENCES orgs(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    occupation TEXT,
    target_level TEXT,
    year BIGINT NOT NULL,
    starts_on TEXT,
    ends_on TEXT,
    -- 学员数 / 结业数: as recorded (imported), or the roster's counts once it has one.
    trainees BIGINT NOT NULL DEFAULT 0,
    completed BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX training_classes_org ON training_classes(org_id, year);
CREATE INDEX training_classes_provider ON training_classes(provider_org_id);

-- The roster: registered workers enrolled in a class, a 新型学徒制 apprentice with a
-- master (师傅) from the registry, and the completion with its certificate.
CREATE TABLE class_trainees (
    id {{ID}},
    class_id BIGINT NOT NULL REFERENCES training_classes(id) ON DELETE CASCADE,
    worker_id BIGINT NOT NULL REFERENCES workers(id),
    master_worker_id BIGINT REFERENCES workers(id),
    status TEXT NOT NULL,
    completed_on TEXT,
    certificate_no TEXT,
    certified_level TEXT,
    promotion_case_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (class_id, worker_id)
);
CREATE INDEX class_trainees_worker ON class_trainees(worker_id);
