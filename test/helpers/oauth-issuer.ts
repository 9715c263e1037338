import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

/**
 * A local OAuth authorization server, as far as a resource server sees one: RFC 8414 metadata naming
 * its jwks_uri, the JWKS with its public key, and a way to mint access tokens (JWTs, ES256) with any
 * claims — on 127.0.0.1, so tests need no network. `jwksFetches` counts how often the key set was read.
 */
export interface LocalIssuer {
  issuer: string;
  sign(claims: JWTPayload, opts?: { expiresIn?: string | number; key?: 'issuer' | 'stranger' }): Promise<string>;
  jwksFetches(): number;
  close(): Promise<void>;
}

export async function startIssuer(): Promise<LocalIssuer> {
  const own = await generateKeyPair('ES256');
  const stranger = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(own.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  let fetches = 0;
  let issuer = '';
  const server: Server = createServer((req, res) => {
    const json = (body: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/.well-known/oauth-authorization-server')
      return json({
        issuer,
        jwks_uri: `${issuer}/jwks.json`,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        response_types_supported: ['code'],
      });
    if (req.url === '/jwks.json') {
      fetches++;
      return json({ keys: [jwk] });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    sign: (claims, opts = {}) => {
      const key = opts.key === 'stranger' ? stranger.privateKey : own.privateKey;
      return new SignJWT({ iss: issuer, ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
        .setIssuedAt()
        .setExpirationTime(opts.expiresIn ?? '10m')
        .sign(key);
    },
    jwksFetches: () => fetches,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}
