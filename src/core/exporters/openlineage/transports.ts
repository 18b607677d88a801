/**
 * Sending events: HTTP through the outbox (retried, bounded), file and console
 * directly. Nothing here can fail a pipeline: every problem comes back as a
 * line in the delivery report, and the caller decides what to print.
 */
import * as fs from 'node:fs';
import type { HttpConfig, OpenLineageSettings, TransportConfig } from './config';
import { lineageUrl } from './config';
import {
  backingOff,
  claim,
  deadLetter,
  delivered,
  enqueue,
  markDown,
  markUp,
  openOutbox,
  pendingNames,
  recoverStaleClaims,
  release,
  tryLock,
  unlock,
  type Outbox,
} from './outbox';

export type SendResult =
  | { kind: 'ok'; status: number }
  | { kind: 'refused'; status: number; body: string }
  | { kind: 'failed'; reason: string };

export interface DeliveryOptions {
  workspaceRoot: string;
  /** The whole call (every target, every retry) ends by now + budgetMs. */
  budgetMs: number;
  /** After a failed delivery, calls that respect back-off only queue for this long. */
  cooldownMs: number;
  respectBackoff: boolean;
  now: () => number;
  /** Console transport output (stderr: stdout is the command's result). */
  console: (line: string) => void;
  fetchImpl?: typeof fetch;
}

export interface DeliveryReport {
  /** Events handed to file/console transports. */
  written: number;
  queued: number;
  sent: number;
  dead: number;
  /** Events still waiting in the outbox(es) afterwards. */
  pending: number;
  backed_off: boolean;
  problems: string[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** One event, one POST; retried on 429, 5xx, time-outs and connection errors while the deadline allows. */
export async function postEvent(cfg: HttpConfig, body: string, deadline: number, now: () => number, fetchImpl: typeof fetch = fetch): Promise<SendResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (cfg.apiKey) headers.authorization = `Bearer ${cfg.apiKey}`;
  let last = 'no attempt made: out of time';
  for (let attempt = 0; attempt <= cfg.retries; attempt++) {
    if (attempt > 0) {
      const wait = cfg.backoffMs * 2 ** (attempt - 1);
      if (now() + wait >= deadline) break;
      await sleep(wait);
    }
    const left = deadline - now();
    if (left <= 0) break;
    // A timer of our own, not AbortSignal.timeout: that one is unref'd, so a request that never
    // answers could leave the process with nothing to wait on but it, and exit mid-send.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new DOMException('timed out', 'TimeoutError')), Math.min(cfg.timeoutMs, left));
    try {
      const res = await fetchImpl(lineageUrl(cfg), { method: 'POST', headers, body, signal: abort.signal });
      const text = (await res.text().catch(() => '')).slice(0, 1000);
      if (res.status >= 200 && res.status < 300) return { kind: 'ok', status: res.status };
      if (res.status === 429 || res.status >= 500) {
        last = `HTTP ${res.status}`;
        continue;
      }
      return { kind: 'refused', status: res.status, body: text };
    } catch (err) {
      last = describeFetchError(err);
    } finally {
      clearTimeout(timer);
    }
  }
  return { kind: 'failed', reason: last };
}

function describeFetchError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

/** Leaves of a (possibly composite) transport. */
function leaves(t: TransportConfig): Exclude<TransportConfig, { type: 'composite' }>[] {
  return t.type === 'composite' ? t.transports.flatMap(leaves) : [t];
}

/** Hand `events` (serialized) to every configured transport, then deliver what the outboxes hold. */
export async function dispatch(settings: OpenLineageSettings, events: string[], opts: DeliveryOptions): Promise<DeliveryReport> {
  const report: DeliveryReport = { written: 0, queued: 0, sent: 0, dead: 0, pending: 0, backed_off: false, problems: [] };
  if (!settings.transport) return report;
  const deadline = opts.now() + opts.budgetMs;
  for (const leaf of leaves(settings.transport)) {
    if (leaf.type === 'http') {
      await deliverHttp(leaf, events, opts, deadline, report);
    } else {
      try {
        writeDirect(leaf, events, opts);
        report.written += events.length;
      } catch (err) {
        report.problems.push(`${leaf.type} transport: ${(err as Error).message}`);
      }
    }
  }
  return report;
}

function writeDirect(leaf: Exclude<TransportConfig, { type: 'composite' | 'http' }>, events: string[], opts: DeliveryOptions): void {
  if (leaf.type === 'console') {
    for (const e of events) opts.console(e);
    return;
  }
  if (leaf.append) {
    if (events.length) fs.appendFileSync(leaf.path, events.map((e) => `${e}\n`).join(''));
    return;
  }
  // One file per event, as the Python client's file transport does without `append`.
  events.forEach((e, i) => {
    const stamp = new Date(opts.now()).toISOString().replace(/[-:]/g, '').replace('T', '-').replace('Z', '');
    fs.writeFileSync(`${leaf.path}-${stamp}-${String(i).padStart(4, '0')}.json`, e, { flag: 'wx' });
  });
}

async function deliverHttp(cfg: HttpConfig, events: string[], opts: DeliveryOptions, deadline: number, report: DeliveryReport): Promise<void> {
  const url = lineageUrl(cfg);
  const box = openOutbox(opts.workspaceRoot, url);
  for (const e of events) enqueue(box, e, opts.now());
  report.queued += events.length;
  if (opts.respectBackoff && backingOff(box, opts.now())) {
    report.backed_off = true;
  } else if (tryLock(box, opts.now(), deadline)) {
    try {
      await flush(box, cfg, url, opts, deadline, report);
    } finally {
      unlock(box);
    }
  } else if (!opts.respectBackoff) {
    report.problems.push(`another contexta is sending to ${url} right now; the events stay queued for it`);
  }
  // Else another process is sending this queue right now; it takes our event along,
  // or the next call does.
  report.pending += pendingNames(box).length;
}

async function flush(box: Outbox, cfg: HttpConfig, url: string, opts: DeliveryOptions, deadline: number, report: DeliveryReport): Promise<void> {
  recoverStaleClaims(box, opts.now());
  // Listed again after each pass: events queued meanwhile by parallel stages go out too.
  for (let names = pendingNames(box), seen = new Set<string>(); names.some((n) => !seen.has(n)); names = pendingNames(box)) {
    for (const name of names) {
      if (seen.has(name)) continue;
      seen.add(name);
      const stop = await sendOne(box, cfg, url, name, opts, deadline, report);
      if (stop) return;
    }
  }
  markUp(box);
}

/** Send one queued event; true when the flush must stop (out of time, or the back end failed). */
async function sendOne(box: Outbox, cfg: HttpConfig, url: string, name: string, opts: DeliveryOptions, deadline: number, report: DeliveryReport): Promise<boolean> {
  if (opts.now() >= deadline) {
    report.problems.push(`${url}: out of time (budget ${opts.budgetMs} ms); the rest stays in the outbox`);
    return true;
  }
  const c = claim(box, name);
  if (!c) return false; // gone: delivered by a sender whose lock expired
  const result = await postEvent(cfg, c.text, deadline, opts.now, opts.fetchImpl);
  if (result.kind === 'ok') {
    delivered(c);
    report.sent++;
    return false;
  }
  if (result.kind === 'refused') {
    deadLetter(box, c, { status: result.status, body: result.body });
    report.dead++;
    report.problems.push(`${url} refused an event (HTTP ${result.status}); kept in ${box.dir}/dead/${name}`);
    return false;
  }
  release(box, c);
  markDown(box, opts.now(), opts.cooldownMs, result.reason);
  report.problems.push(`${url}: ${result.reason}; events kept in the outbox (${box.dir})`);
  // Stop here: later events must not overtake this one (a terminal event before its START).
  return true;
}
