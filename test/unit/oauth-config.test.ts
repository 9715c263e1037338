import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('AGENTE_OAUTH_* configuration', () => {
  const base = {
    AGENTE_OAUTH_ISSUER: 'https://auth.example.com',
    AGENTE_HTTP_PUBLIC_URL: 'https://mcp.example.com/mcp',
  };

  it('is off without AGENTE_OAUTH_ISSUER, and defaults the rest from the public URL when on', () => {
    expect(loadConfig({}).oauth).toBeUndefined();
    expect(loadConfig(base).oauth).toEqual({
      issuer: 'https://auth.example.com',
      jwksUrl: undefined,
      resource: 'https://mcp.example.com/mcp',
      audience: 'https://mcp.example.com/mcp',
      scopeClaim: 'scope',
      scopeMap: { read: 'read', dispatch: 'dispatch', admin: 'admin' },
      tenantClaim: 'tenant',
      createTenants: false,
      clockToleranceS: 30,
    });
  });

  it('maps the issuer scope names to ours and takes the claim names', () => {
    const o = loadConfig({
      ...base,
      AGENTE_OAUTH_SCOPES: 'mcp:leitura=read, mcp:envio=dispatch',
      AGENTE_OAUTH_TENANT_CLAIM: 'org_slug',
      AGENTE_OAUTH_SCOPE_CLAIM: 'scp',
      AGENTE_OAUTH_AUDIENCE: 'api://agente',
      AGENTE_OAUTH_CREATE_TENANTS: 'true',
    }).oauth!;
    expect(o.scopeMap).toEqual({ 'mcp:leitura': 'read', 'mcp:envio': 'dispatch' });
    expect([o.tenantClaim, o.scopeClaim, o.audience, o.createTenants]).toEqual([
      'org_slug',
      'scp',
      'api://agente',
      true,
    ]);
  });

  it.each([
    [{ AGENTE_HTTP_PUBLIC_URL: undefined }, /needs AGENTE_HTTP_PUBLIC_URL/],
    [{ AGENTE_OAUTH_ISSUER: 'not a url' }, /AGENTE_OAUTH_ISSUER must be a URL/],
    [{ AGENTE_OAUTH_SCOPES: 'x=superuser' }, /issuer_scope=read\|dispatch\|admin/],
    [{ AGENTE_OAUTH_CREATE_TENANTS: 'yes' }, /"true" or "false"/],
    [{ AGENTE_OAUTH_CLOCK_TOLERANCE_S: '9999' }, /from 0 to 300/],
  ])('stops the start on a half-configured resource server: %o', (over, message) => {
    expect(() => loadConfig({ ...base, ...over })).toThrow(message);
  });
});
