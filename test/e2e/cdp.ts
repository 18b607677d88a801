/**
 * A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe`
 * (fd 3 in, fd 4 out, NUL-terminated JSON): enough to open a page in the Debian
 * `chromium` package, watch its console, errors, dialogs and requests, evaluate
 * expressions and take screenshots. No dependency and nothing downloaded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';

const COMMAND_TIMEOUT_MS = 60_000;
export const CHROMIUM = process.env.CONTEXTA_TEST_CHROMIUM || '/usr/bin/chromium';

export interface PageEvents {
  /** console.error/warn calls, uncaught exceptions, and browser log entries at error level (CSP violations, failed loads). */
  errors: string[];
  /** Every URL the page requested. */
  requests: string[];
  /** alert/confirm/prompt dialogs the page opened. */
  dialogs: string[];
}

type Pending = { resolve: (v: any) => void; reject: (e: Error) => void; method: string };

export class Browser {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private listeners: ((msg: any) => void)[] = [];
  private buffer = '';
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    const out = child.stdio[4] as Readable;
    out.setEncoding('utf8');
    out.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\0')) >= 0) {
        const msg = JSON.parse(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 1);
        this.dispatch(msg);
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (this.stderr = (this.stderr + c).slice(-4000)));
    child.on('exit', (code, signal) => {
      for (const p of this.pending.values()) p.reject(new Error(`chromium exited (${code ?? signal}) during ${p.method}: ${this.stderr}`));
      this.pending.clear();
    });
  }

  /** Start headless Chromium with a throwaway profile and everything that phones home turned off. */
  static async launch(): Promise<Browser> {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} not found: install the Debian package (apt-get install -y chromium); .ci/run does`);
    }
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'contexta-chromium-'));
    const child = spawn(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-extensions',
        '--disable-default-apps',
        '--mute-audio',
        '--hide-scrollbars',
        `--user-data-dir=${profile}`,
        '--remote-debugging-pipe',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    );
    const browser = new Browser(child, profile);
    await browser.send('Browser.getVersion');
    return browser;
  }

  private dispatch(msg: any): void {
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p.resolve(msg.result);
      return;
    }
    for (const l of this.listeners) l(msg);
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<any> {
    const id = this.nextId++;
    const message = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) });
    return new Promise((resolve, reject) => {
      // A browser that stops answering fails the test instead of hanging the suite.
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`chromium did not answer ${method} within ${COMMAND_TIMEOUT_MS} ms: ${this.stderr}`));
      }, COMMAND_TIMEOUT_MS);
      const done = <T>(f: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        f(v);
      };
      this.pending.set(id, { resolve: done(resolve), reject: done(reject), method });
      (this.child.stdio[3] as Writable).write(`${message}\0`);
    });
  }

  on(listener: (msg: any) => void): void {
    this.listeners.push(listener);
  }

  /** A new tab of `width` × `height` CSS pixels (mobile: a phone's viewport and touch), with its events recorded. */
  async newPage(width: number, height: number, mobile = false): Promise<Page> {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this, sessionId);
    await Promise.all(['Page.enable', 'Runtime.enable', 'Log.enable', 'Network.enable'].map((m) => page.send(m)));
    await page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile });
    return page;
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.send('Browser.close'), new Promise((r) => setTimeout(r, 5000))]);
    } catch {
      // already gone
    }
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    await new Promise((r) => (this.child.exitCode !== null ? r(null) : this.child.once('exit', r)));
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}

export class Page {
  readonly events: PageEvents = { errors: [], requests: [], dialogs: [] };
  private loaded: (() => void) | null = null;

  constructor(
    private readonly browser: Browser,
    private readonly sessionId: string,
  ) {
    browser.on((msg) => {
      if (msg.sessionId !== sessionId) return;
      const p = msg.params ?? {};
      switch (msg.method) {
        case 'Runtime.consoleAPICalled':
          if (p.type === 'error' || p.type === 'warning' || p.type === 'assert') {
            this.events.errors.push(`console.${p.type}: ${(p.args ?? []).map((a: any) => a.value ?? a.description).join(' ')}`);
          }
          break;
        case 'Runtime.exceptionThrown':
          this.events.errors.push(`exception: ${p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text}`);
          break;
        case 'Log.entryAdded':
          if (p.entry?.level === 'error' || p.entry?.level === 'warning') this.events.errors.push(`log ${p.entry.source}: ${p.entry.text}`);
          break;
        case 'Network.requestWillBeSent':
          this.events.requests.push(p.request?.url);
          break;
        case 'Page.javascriptDialogOpening':
          this.events.dialogs.push(p.message);
          void this.send('Page.handleJavaScriptDialog', { accept: false });
          break;
        case 'Page.loadEventFired':
          this.loaded?.();
          break;
      }
    });
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<any> {
    return this.browser.send(method, params, this.sessionId);
  }

  /** Navigate and wait for the load event. */
  async goto(url: string, timeoutMs = 30_000): Promise<void> {
    const loaded = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${url} did not load within ${timeoutMs} ms`)), timeoutMs);
      this.loaded = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    const nav = await this.send('Page.navigate', { url });
    if (nav.errorText) throw new Error(`cannot open ${url}: ${nav.errorText}`);
    await loaded;
  }

  /** Evaluate `expression` in the page and return its value (JSON-serializable). */
  async eval<T = unknown>(expression: string): Promise<T> {
    const r = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`page threw: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** A PNG of the viewport (or of the whole page, up to `maxHeight` CSS pixels). */
  async screenshot(opts: { fullPage?: boolean; maxHeight?: number } = {}): Promise<Buffer> {
    let clip: Record<string, number> | undefined;
    if (opts.fullPage) {
      const { cssContentSize } = await this.send('Page.getLayoutMetrics');
      clip = { x: 0, y: 0, width: cssContentSize.width, height: Math.min(cssContentSize.height, opts.maxHeight ?? 10_000), scale: 1 };
    }
    const { data } = await this.send('Page.captureScreenshot', { format: 'png', ...(clip ? { clip, captureBeyondViewport: true } : {}) });
    return Buffer.from(data, 'base64');
  }
}
