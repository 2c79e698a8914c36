-- Keyed hashes of 身份证号 and phone numbers are kept as the first 128 bits of
-- HMAC-SHA256 (32 hex digits) instead of all 256 (64): exact-match search needs no more,
-- and on a registry of a million workers the shorter column and index save about 100
-- bytes a row in the table, the WAL and the unique index (crates/storage/src/crypto.rs).
-- A prefix of each stored hash is exactly what the new code computes, so the rows are
-- shortened in place. Ciphertexts are left as they are: new ones are written in base64
-- (marked with '~') and the hex ones still decrypt.
UPDATE workers SET id_hash = substr(id_hash, 1, 32) WHERE length(id_hash) > 32;
UPDATE workers SET phone_hash = substr(phone_hash, 1, 32) WHERE length(phone_hash) > 32;
