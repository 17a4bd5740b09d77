/**
 * The page talking to `aekit serve` when the server serves it (at /studio/): its /v1 routes, with
 * the bearer token the user typed, and a run's Server-Sent Events read from a fetch stream
 * (EventSource cannot send an Authorization header).
 */
export class ServerClient {
  token = '';

  /** `root` is the server's origin root, e.g. new URL('../', location.href) for a page at /studio/. */
  constructor(private root: URL) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.token ? { ...extra, authorization: `Bearer ${this.token}` } : extra;
  }

  /** fetch a server route; a 4xx/5xx answer throws the server's own message. */
  async fetch(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const res = await fetch(new URL(path.replace(/^\//, ''), this.root), { ...init, headers: this.headers(init.headers) });
    if (!res.ok) {
      let message = `${res.status} ${res.statusText}`;
      try {
        message = ((await res.json()) as { error?: string }).error ?? message;
      } catch {
        // not JSON: the status says enough
      }
      throw new ServerError(res.status, message);
    }
    return res;
  }

  async json(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<unknown> {
    const init = body === undefined ? { method } : { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
    return (await this.fetch(path, init)).json();
  }

  /** Is this page served by `aekit serve`? 'yes', 'token' (it needs a token we lack or got wrong), or 'no'. */
  async probe(): Promise<'yes' | 'token' | 'no'> {
    try {
      await this.json('/v1/models');
      return 'yes';
    } catch (err) {
      return err instanceof ServerError && err.status === 401 ? 'token' : 'no';
    }
  }

  /** Read GET path as Server-Sent Events, calling `on(event, data)` for each, until the stream ends or `signal` aborts. */
  async events(path: string, on: (event: string, data: string) => void, signal: AbortSignal): Promise<void> {
    const res = await this.fetch(path, { signal, headers: { accept: 'text/event-stream' } });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let cut: number;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        let event = 'message', data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        on(event, data);
      }
    }
  }
}

export class ServerError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}
