-- A send whose outcome was unknown at least once (a timeout, the channel server crashing mid-call, an
-- executor dying with the row leased) may have reached the person even if every later attempt failed.
-- Such a row must not end as 'falhou' (which says the message did not leave, and invites a re-send):
-- the executor ends it 'incerto' instead. The flag is sticky across attempts.
ALTER TABLE disparos ADD COLUMN talvez_entregue boolean NOT NULL DEFAULT false;
