-- Nothing searches workers by phone yet (the keyed phone hash is kept for when it does):
-- the index cost a random-key B-tree insert per worker (measured on the 1M-row import).
DROP INDEX workers_phone;
