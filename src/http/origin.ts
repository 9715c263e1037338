/**
 * DNS-rebinding protection: a browser page on evil.example can resolve its name to 127.0.0.1, but it
 * cannot change the Host and Origin headers it sends, so both are checked against what we serve.
 */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Hostnames (no port) accepted in the Host header. */
export function allowedHostnames(bindHost: string, extra: string[]): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  if (bindHost && bindHost !== '0.0.0.0' && bindHost !== '::')
    names.add(bindHost.includes(':') ? `[${bindHost}]` : bindHost);
  for (const h of extra) names.add(h.toLowerCase());
  return names;
}

/** The hostname of a Host header value, lower case, IPv6 kept in brackets; null when unparseable. */
export function hostnameOf(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  try {
    return new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

export function isAllowedOrigin(origin: string, hosts: Set<string>, allowedOrigins: string[]): boolean {
  if (allowedOrigins.includes(origin)) return true;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && hosts.has(u.hostname.toLowerCase());
  } catch {
    return false;
  }
}
