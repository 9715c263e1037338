-- Issue 22: agente_uuid_ordenado() (migration 059, dry_run_log.log_id's default) is computed once per row a
-- dry run writes (100k in one statement), and most of its cost was gen_random_uuid(): 16 bytes from the
-- operating system's strong random source on every call (~0.9 of ~1.5 µs a call, PostgreSQL 15,
-- `select count(agente_uuid_ordenado()) from generate_series(1, 300000)`: 440–490 ms; this body: ~300 ms).
-- The same layout (RFC 9562 version 7: 48 bits of Unix milliseconds, version 7, variant 10, 74 random bits)
-- with the random bits from random() — the backend's own generator, seeded once per backend from the
-- strong source — and the milliseconds from date_part (float8) instead of extract (numeric). The ids stay
-- unique (74 random bits per millisecond; a collision would fail the insert on the primary key, not
-- overwrite) and time-ordered; nothing reads them as secrets (a row is its tenant's by row-level security,
-- not by an unguessable id). Rows written before keep their ids.
CREATE OR REPLACE FUNCTION agente_uuid_ordenado() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT (lpad(to_hex(floor(date_part('epoch', clock_timestamp()) * 1000)::bigint), 12, '0') || '7'
          || lpad(to_hex(floor(random() * 4096)::int), 3, '0') || to_hex(8 + floor(random() * 4)::int)
          || lpad(to_hex(floor(random() * 4096)::int), 3, '0')
          || lpad(to_hex(floor(random() * 281474976710656)::bigint), 12, '0'))::uuid
$$;
