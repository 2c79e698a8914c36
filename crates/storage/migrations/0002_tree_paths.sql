-- Fast subtree queries at 100,000+ organisations, without recursive queries:
--  * every region and organisation carries the codes of its ancestor regions by depth
--    (l1 = the root, e.g. the city; l2 = district or zone; l3 = town; l4 = village), so a
--    region's subtree is one indexed equality: region_l{depth} = code;
--  * org_closure lists every (ancestor, descendant) pair of the organisation tree (an
--    enterprise inside a park), so an organisation's subtree is one indexed lookup.
-- The columns are filled by the storage layer (rebuild_tree runs after this migration).

ALTER TABLE regions ADD COLUMN depth BIGINT NOT NULL DEFAULT 1;
ALTER TABLE regions ADD COLUMN l1 TEXT;
ALTER TABLE regions ADD COLUMN l2 TEXT;
ALTER TABLE regions ADD COLUMN l3 TEXT;
ALTER TABLE regions ADD COLUMN l4 TEXT;

ALTER TABLE orgs ADD COLUMN region_l1 TEXT;
ALTER TABLE orgs ADD COLUMN region_l2 TEXT;
ALTER TABLE orgs ADD COLUMN region_l3 TEXT;
ALTER TABLE orgs ADD COLUMN region_l4 TEXT;
CREATE INDEX orgs_l1_name ON orgs(region_l1, name);
CREATE INDEX orgs_l2_name ON orgs(region_l2, name);
CREATE INDEX orgs_l3_name ON orgs(region_l3, name);
CREATE INDEX orgs_l4_name ON orgs(region_l4, name);
CREATE INDEX orgs_l1_updated ON orgs(region_l1, updated_at, id);
CREATE INDEX orgs_l2_updated ON orgs(region_l2, updated_at, id);
CREATE INDEX orgs_l1_kind ON orgs(region_l1, kind);
CREATE INDEX orgs_l2_kind ON orgs(region_l2, kind);

CREATE TABLE org_closure (
    ancestor_id BIGINT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    descendant_id BIGINT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    depth BIGINT NOT NULL,
    PRIMARY KEY (ancestor_id, descendant_id)
);
CREATE INDEX org_closure_descendant ON org_closure(descendant_id);
