/**
 * A fetch for the SDK's StreamableHTTPClientTransport that gives every request its own AbortSignal.
 *
 * The transport (SDK 1.32, and still @modelcontextprotocol/client 2.4: the control run of
 * test/e2e/downstream-http-soak.test.ts shows it) passes one AbortController's signal to every fetch
 * it makes; undici adds an abort listener to that signal per request and does not always remove it, so
 * a long-lived connection piles up listeners (thousands after a few thousand calls, with
 * MaxListenersExceededWarning and RSS growth — measured by bench/downstream.bench.ts). Here each
 * request gets a fresh controller; the
 * transport's shared signal gets one listener per signal (not per request) that aborts the requests
 * still in flight, so closing the transport still cancels them. A controller is dropped as soon as its
 * response body is read, fails or is cancelled.
 */
type Fetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

export function fetchWithOwnSignals(base: Fetch = fetch): Fetch {
  const live = new Set<AbortController>();
  const hooked = new WeakSet<AbortSignal>();
  const abortAll = (reason: unknown) => {
    for (const ac of live) ac.abort(reason);
    live.clear();
  };
  return async (url, init) => {
    const shared = init?.signal ?? undefined;
    if (shared) {
      if (shared.aborted) throw shared.reason ?? new DOMException('This operation was aborted', 'AbortError');
      if (!hooked.has(shared)) {
        hooked.add(shared);
        shared.addEventListener('abort', () => abortAll(shared.reason), { once: true });
      }
    }
    const ac = new AbortController();
    live.add(ac);
    let res: Response;
    try {
      res = await base(url, { ...init, signal: ac.signal });
    } catch (err) {
      live.delete(ac);
      throw err;
    }
    // Only a success body is kept abortable (an SSE stream can last); errors, redirects and empty
    // answers go back as they are.
    if (!res.body || res.status < 200 || res.status >= 300 || res.status === 204 || res.status === 205) {
      live.delete(ac);
      return res;
    }
    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            live.delete(ac);
            controller.close();
          } else controller.enqueue(value);
        } catch (err) {
          live.delete(ac);
          controller.error(err);
        }
      },
      cancel(reason) {
        live.delete(ac);
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
