-- Correcting and closing records of issue #4: tasks can be cancelled (撤销) with a
-- reason; contact points and pairs can be ended (结束联系 / 结束结对) and keep their
-- history; visits, pairs, activities and meeting bodies carry a version for optimistic
-- locking of edits.
ALTER TABLE tasks ADD COLUMN cancelled_at BIGINT;
ALTER TABLE tasks ADD COLUMN cancelled_by TEXT;
ALTER TABLE tasks ADD COLUMN cancel_reason TEXT;

ALTER TABLE meeting_bodies ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

-- end_on already holds the planned or actual last day; ended_at marks a point that was
-- ended (结束联系) rather than one that simply runs until end_on.
ALTER TABLE contact_points ADD COLUMN ended_at BIGINT;
ALTER TABLE contact_points ADD COLUMN end_reason TEXT;
ALTER TABLE contact_points ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE contact_points ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;

ALTER TABLE contact_visits ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE contact_visits ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;

ALTER TABLE pairs ADD COLUMN ended_on TEXT;
ALTER TABLE pairs ADD COLUMN end_reason TEXT;
ALTER TABLE pairs ADD COLUMN ended_at BIGINT;
ALTER TABLE pairs ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE pairs ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;

ALTER TABLE pair_activities ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE pair_activities ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
