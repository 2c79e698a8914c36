-- The request path (issue #11): an indicator read sums `agg` rows by node and measure.
-- Through the primary key's index SQLite found each row and then looked the value up in
-- the table (sqlite3BtreeTableMoveto was the top function of the drill-down's profile);
-- with the value in the index the read never touches the table. PostgreSQL can answer
-- from it by an index-only scan too.
CREATE INDEX agg_node_cover ON agg(node, measure, period, value);
