import type { McpServer } from '@modelcontextprotocol/server';
import type { Principal } from '../auth/tokens.js';
import { toolCallsRunning } from '../tools/define-tool.js';

/**
 * Servers that answered a 2026-07-28 tools/call, kept to answer the next call of the same tool by the
 * same caller: building one (McpServer, its Server and Protocol, the tool's registration) was the
 * largest part of our per-call CPU over the SDK's own minimum (issue #20).
 *
 * Why reuse is safe, from the SDK's code (@modelcontextprotocol/server 2.4, createMcpHandler's
 * serveModern, Protocol, Server):
 *  - a server is handed out only while no exchange is connected to it (the SDK asserts it too:
 *    assertNotServing), so it serves one request at a time;
 *  - its tool handlers, deps and scopes are those of one caller: the pool is keyed by the verified
 *    Principal object itself (a token verified again is a new object, a new key) and the tool name;
 *  - what a request leaves on the instance is either reset when its exchange closes (response and
 *    progress handlers, timeouts, in-flight aborts, the transport) or written again by the SDK before the
 *    next request is dispatched: the negotiated version (setNegotiatedProtocolVersion, connect) and the
 *    client capabilities, which a 2026-07-28 request must declare in its envelope (a request without
 *    them is refused before any handler runs). The client's name (clientInfo, optional) may stay from an
 *    earlier call of the same caller; nothing here reads it;
 *  - only the modern era's servers come here: the 2025-11-25 fallback takes client capabilities from an
 *    `initialize` on the instance, so its servers are never reused;
 *  - a server whose exchange closed while one of its tool handlers still ran (the client left, a
 *    timeout) is never reused: that handler's late notifications would otherwise go out on the next
 *    request's transport.
 * Bounded: at most `maxPerKey` idle servers per caller and tool, `maxIdle` in all, `maxKeys` callers ×
 * tools remembered (the oldest forgotten first); a server over a bound is simply not kept.
 */
export class ToolServerPool {
  private readonly byKey = new Map<string, { principal: Principal; idle: McpServer[] }>();
  private readonly idleNow = new WeakSet<McpServer>();
  private idleCount = 0;

  constructor(
    private readonly maxIdle = 512,
    private readonly maxPerKey = 64,
    private readonly maxKeys = 1024,
  ) {}

  /** An idle server of this caller for this tool, or a new one from `build`. */
  acquire(principal: Principal, tool: string, build: () => McpServer): McpServer {
    const key = keyOf(principal, tool);
    const entry = this.byKey.get(key);
    if (entry && entry.principal !== principal) this.forget(key);
    else if (entry) {
      const server = entry.idle.pop();
      if (server) {
        this.idleCount--;
        this.idleNow.delete(server);
        return server;
      }
    }
    const server = build();
    // The SDK restores this after each exchange it serves and calls it when that exchange closes.
    const before = server.server.onclose;
    server.server.onclose = () => {
      before?.();
      this.release(server, principal, key);
    };
    return server;
  }

  /** Idle servers held now (for tests and metrics). */
  get idle(): number {
    return this.idleCount;
  }

  clear(): void {
    this.byKey.clear();
    this.idleCount = 0;
  }

  private release(server: McpServer, principal: Principal, key: string): void {
    if (this.idleNow.has(server) || server.server.transport !== undefined) return;
    if (toolCallsRunning(server) > 0 || this.idleCount >= this.maxIdle) return;
    let entry = this.byKey.get(key);
    if (entry && entry.principal !== principal) return; // the caller was verified again since: a new key
    if (!entry) {
      if (this.byKey.size >= this.maxKeys) this.forget(this.byKey.keys().next().value!);
      this.byKey.set(key, (entry = { principal, idle: [] }));
    }
    if (entry.idle.length >= this.maxPerKey) return;
    entry.idle.push(server);
    this.idleNow.add(server);
    this.idleCount++;
  }

  private forget(key: string): void {
    const entry = this.byKey.get(key);
    if (!entry) return;
    this.byKey.delete(key);
    this.idleCount -= entry.idle.length;
    for (const s of entry.idle) this.idleNow.delete(s);
  }
}

function keyOf(p: Principal, tool: string): string {
  return `${p.source}\u0000${p.token_id}\u0000${p.tenant.tenant_id}\u0000${tool}`;
}
