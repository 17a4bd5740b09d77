/**
 * Real-browser tests: Debian's Chromium (`/usr/bin/chromium`, installed by .ci/run) driven by
 * playwright-core, and a static server on 127.0.0.1 that sends the headers making a page
 * cross-origin isolated (so SharedArrayBuffer and wasm threads exist in it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = process.env.AEKIT_CHROMIUM ?? '/usr/bin/chromium';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm',
  '.json': 'application/json', '.css': 'text/css',
};

/** What the server answers: a path to its body (string or bytes), or to a file to read. */
export type Routes = Record<string, string | Uint8Array | { file: string }>;

export interface BrowserSession {
  page: Page;
  url: string;
  close(): Promise<void>;
}

/** Serve `routes` on a free port and open a page at `/`, cross-origin isolated unless `isolated` is false. */
export async function openPage(routes: Routes, { isolated = true } = {}): Promise<BrowserSession> {
  const server = await serve(routes, isolated);
  try {
    return await openUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, () => new Promise((r) => server.close(() => r())));
  } catch (err) {
    server.close();
    throw err;
  }
}

/** Open `url` in headless Chromium; `close` closes the browser, then calls `after`, then fails if the page threw. */
export async function openUrl(url: string, after: () => Promise<void> = async () => {}, viewport = { width: 1280, height: 800 }): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does) or set AEKIT_CHROMIUM`);
  }
  const { chromium } = await import('playwright-core');
  let browser: Browser | undefined;
  try {
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport, acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url.endsWith('/') ? url : `${url}/`);
    const b = browser;
    return {
      page,
      url: url.replace(/\/$/, ''),
      async close() {
        await b.close();
        await after();
        if (errors.length > 0) throw new Error(`errors in the page:\n${errors.join('\n')}`);
      },
    };
  } catch (err) {
    await browser?.close();
    throw err;
  }
}

function serve(routes: Routes, isolated: boolean): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes[path];
    if (route === undefined) {
      res.writeHead(404).end(`no route ${path}`);
      return;
    }
    const body = typeof route === 'string' || route instanceof Uint8Array ? route : readFileSync(route.file);
    res.writeHead(200, {
      'Content-Type': TYPES[extname(path)] ?? (path === '/' ? 'text/html' : 'application/octet-stream'),
      ...(isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {}),
      'Cache-Control': 'no-store',
    });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
