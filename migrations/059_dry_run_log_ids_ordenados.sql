-- Issue 22: a dry run writes 100k dry_run_log rows in one statement, and each row's log_id (the primary key,
-- and the last column of dry_run_log_bloqueados_idx) was a random UUID (gen_random_uuid): every index entry
-- went to a random leaf of two b-trees. Measured on PostgreSQL 15 (INSERT … SELECT of 100k rows, the bench's
-- floor statement, rollback after each): 1.17–1.51 s with random ids, 0.76–1.04 s with time-ordered ones.
-- log_id is now a time-ordered UUID (the layout of RFC 9562 version 7: 48 bits of Unix milliseconds, then
-- random bits), so new entries land at the right edge of the indexes. Still unique (74 random bits per
-- millisecond) and still opaque to users; get_report's blocked view pages by (codigo_bloqueio, log_id) as
-- before (within a page its order is now the rows' creation order, not a random one). Rows written before
-- keep their ids. PostgreSQL 18 has uuidv7(); 15 does not, hence this function (a SQL body, inlined).
CREATE FUNCTION agente_uuid_ordenado() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
           PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
           FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;
ALTER TABLE dry_run_log ALTER COLUMN log_id SET DEFAULT agente_uuid_ordenado();
