-- Rows of an import that became (or joined) a lead with no WhatsApp-valid phone and no valid e-mail:
-- no channel reaches them. Shown as counts.rows_without_channel, so a file of names without contacts
-- no longer reports "no problems" and leaves the caller to find out at dispatch time.
ALTER TABLE ingest_jobs ADD COLUMN linhas_sem_canal integer NOT NULL DEFAULT 0;
