/**
 * The outbox: events not yet accepted by an HTTP back end, kept in the workspace
 * so a back end that is down costs the pipeline nothing but a file write.
 *
 *   .contexta/outbox/<target>/target.json          which URL the queue is for (never the key)
 *   .contexta/outbox/<target>/<time>-<n>-<hash>.json  one pending event, written atomically
 *   .contexta/outbox/<target>/dead/…                 refused (4xx other than 429), kept + reason
 *   .contexta/outbox/<target>/down.json              back off: the last delivery failed
 *   .contexta/outbox/<target>/send.lock              one sender at a time
 *
 * One sender at a time holds the queue's lock; it claims each file by renaming it
 * (so even a sender whose lock was taken over never sends a file twice), deletes
 * it on a 2xx, and renames it back on a failure. Files are sent oldest first, and
 * sending stops at the first failure, so a step's START goes before its terminal event.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createFileExclusive, ensureDirInside, jsonText, readJsonFile, safeUnlink, writeFileAtomic } from '../../storage/fsio';

export const OUTBOX_DIR = 'outbox';
const PENDING = /^\d{13}-\d{6}-[0-9a-f]{16}\.json$/;
/** A claim older than this belongs to a process that died mid-send: the event goes back to pending. */
export const STALE_CLAIM_MS = 5 * 60_000;
const LOCK_SLACK_MS = 30_000;

export interface Outbox {
  root: string;
  dir: string;
}

export const targetId = (url: string) => createHash('sha256').update(url).digest('hex').slice(0, 12);

export function openOutbox(workspaceRoot: string, url: string): Outbox {
  const root = path.join(workspaceRoot, OUTBOX_DIR);
  const dir = path.join(root, targetId(url));
  ensureDirInside(workspaceRoot, path.join(dir, 'dead'));
  const targetFile = path.join(dir, 'target.json');
  if (!fs.existsSync(targetFile)) writeFileAtomic(targetFile, jsonText({ url }));
  return { root: workspaceRoot, dir };
}

let counter = 0;
const eventHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Queue one event; an identical event already waiting is not queued twice. Returns the file name. */
export function enqueue(box: Outbox, eventText: string, nowMs: number): string {
  const hash = eventHash(eventText);
  const waiting = fs.readdirSync(box.dir).find((name) => name.includes(`-${hash}.json`));
  if (waiting) return waiting.replace(/\.sending-[0-9a-f]+$/, '');
  counter = (counter + 1) % 1_000_000;
  // Time first so names sort oldest first; the counter keeps one process's events in order within a millisecond.
  const name = `${String(nowMs).padStart(13, '0')}-${String(counter).padStart(6, '0')}-${hash}.json`;
  writeFileAtomic(path.join(box.dir, name), eventText);
  return name;
}

export function pendingNames(box: Outbox): string[] {
  return fs.readdirSync(box.dir).filter((n) => PENDING.test(n)).sort();
}

export interface Claim {
  name: string;
  file: string;
  text: string;
}

/** Take a pending event for sending; null when another process took it first. */
export function claim(box: Outbox, name: string): Claim | null {
  const from = path.join(box.dir, name);
  const file = `${from}.sending-${randomBytes(6).toString('hex')}`;
  try {
    fs.renameSync(from, file);
  } catch {
    return null;
  }
  return { name, file, text: fs.readFileSync(file, 'utf8') };
}

export const delivered = (c: Claim) => safeUnlink(c.file);

export function release(box: Outbox, c: Claim): void {
  fs.renameSync(c.file, path.join(box.dir, c.name));
}

export function deadLetter(box: Outbox, c: Claim, reason: { status: number; body: string }): void {
  writeFileAtomic(path.join(box.dir, 'dead', c.name.replace(/\.json$/, '.reason.json')), jsonText({ ...reason, at: new Date().toISOString() }));
  fs.renameSync(c.file, path.join(box.dir, 'dead', c.name));
}

/** Claims left by a process that died mid-send go back to pending (the server may then see them twice). */
export function recoverStaleClaims(box: Outbox, nowMs: number): void {
  for (const name of fs.readdirSync(box.dir)) {
    const m = /^(.+\.json)\.sending-[0-9a-f]+$/.exec(name);
    if (!m) continue;
    const file = path.join(box.dir, name);
    try {
      if (nowMs - fs.statSync(file).mtimeMs > STALE_CLAIM_MS) fs.renameSync(file, path.join(box.dir, m[1]!));
    } catch {
      // another process recovered or finished it
    }
  }
}

/**
 * One sender per queue at a time: two senders each taking the oldest file they
 * can claim would race a stage's COMPLETE past its START. The lock names its own
 * expiry (the holder's deadline), so a holder that died is replaced.
 */
export function tryLock(box: Outbox, nowMs: number, untilMs: number): boolean {
  const file = path.join(box.dir, 'send.lock');
  const text = jsonText({ until: untilMs });
  if (createFileExclusive(file, text)) return true;
  const read = readJsonFile(file);
  const until = read.ok ? (read.value as { until?: unknown }).until : undefined;
  // Unreadable or expired (with slack for a holder finishing its last request): take it over.
  if (typeof until === 'number' && nowMs <= until + LOCK_SLACK_MS) return false;
  safeUnlink(file);
  return createFileExclusive(file, text);
}

export const unlock = (box: Outbox) => safeUnlink(path.join(box.dir, 'send.lock'));

export function backingOff(box: Outbox, nowMs: number): boolean {
  const read = readJsonFile(path.join(box.dir, 'down.json'));
  return read.ok && typeof (read.value as { until?: unknown }).until === 'number' && nowMs < (read.value as { until: number }).until;
}

export function markDown(box: Outbox, nowMs: number, cooldownMs: number, reason: string): void {
  writeFileAtomic(path.join(box.dir, 'down.json'), jsonText({ since: new Date(nowMs).toISOString(), until: nowMs + cooldownMs, reason }));
}

export const markUp = (box: Outbox) => safeUnlink(path.join(box.dir, 'down.json'));

export interface OutboxState {
  target: string;
  url: string | null;
  pending: number;
  dead: number;
  /** Enqueue times (ms) of the oldest and newest pending events. */
  oldest_ms: number | null;
  newest_ms: number | null;
  oldest_file: string | null;
  dead_file: string | null;
}

/** Every queue under .contexta/outbox/, read only (diagnose must not write). */
export function outboxStates(workspaceRoot: string): OutboxState[] {
  const root = path.join(workspaceRoot, OUTBOX_DIR);
  let targets: string[];
  try {
    targets = fs.readdirSync(root).filter((n) => /^[0-9a-f]{12}$/.test(n)).sort();
  } catch {
    return [];
  }
  return targets.map((target) => {
    const dir = path.join(root, target);
    const names = safeList(dir);
    const pending = names.filter((n) => PENDING.test(n) || /\.json\.sending-/.test(n)).map((n) => n.replace(/\.sending-.*$/, '')).sort();
    const read = readJsonFile(path.join(dir, 'target.json'));
    const url = read.ok && typeof (read.value as { url?: unknown }).url === 'string' ? (read.value as { url: string }).url : null;
    const time = (n: string | undefined) => (n ? Number(n.slice(0, 13)) : null);
    const dead = safeList(path.join(dir, 'dead')).filter((n) => PENDING.test(n)).sort();
    return {
      target,
      url,
      pending: pending.length,
      dead: dead.length,
      dead_file: dead[0] ? path.join(dir, 'dead', dead[0]) : null,
      oldest_ms: time(pending[0]),
      newest_ms: time(pending[pending.length - 1]),
      oldest_file: pending[0] ? path.join(dir, pending[0]) : null,
    };
  });
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
