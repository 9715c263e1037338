-- Sessions of MCP clients that speak protocol 2025-11-25 over HTTP (clients of 2026-07-28 have none),
-- shared by every `serve --http` replica on this database: any replica serves any request of a
-- session, behind a load balancer without affinity, and a replica that dies takes no session with it
-- (src/http/sessions.ts; README, "Scale out"). A session holds no state a tool needs — tools keep
-- theirs in the tenant's tables — only who opened it and when it was last used, for the caps
-- (per token, per tenant, in total) and idle expiry.
CREATE TABLE mcp_sessions (
  session_id   uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
  -- Who opened it: 'token:<api_tokens.token_id>', 'oauth:<issuer subject>' or 'none' (--no-auth).
  owner        varchar(300) NOT NULL,
  created_at   timestamptz NOT NULL,
  last_used_at timestamptz NOT NULL
);
CREATE INDEX mcp_sessions_owner_idx ON mcp_sessions (owner, last_used_at);
CREATE INDEX mcp_sessions_tenant_idx ON mcp_sessions (tenant_id, last_used_at);
CREATE INDEX mcp_sessions_last_used_idx ON mcp_sessions (last_used_at);
SELECT agente_isolar_tenant('mcp_sessions');

-- Opening a session looks across tenants: the server-wide cap makes room by closing the least
-- recently used session of any tenant. The system role may do that on this table only (the check on
-- current_user keeps members of the role from inheriting the policy, as in migration 017).
GRANT SELECT, INSERT, UPDATE, DELETE ON mcp_sessions TO agente_sistema;
CREATE POLICY sistema_sessoes ON mcp_sessions FOR ALL TO agente_sistema
  USING (current_user = 'agente_sistema') WITH CHECK (current_user = 'agente_sistema');
