/**
 * A protocol-faithful stand-in for Marquez's lineage endpoint, on 127.0.0.1 only:
 * POST /api/v1/lineage, one event per request, checked against the OpenLineage
 * schemas (core + each facet) and what Marquez requires; answers 201, or 400
 * for an invalid event, or whatever status the test queued next.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openLineageValidator } from './openlineage-schemas';

export interface Received {
  path: string;
  authorization: string | null;
  contentType: string | null;
  event: any;
  problems: string[];
  status: number;
}

const validator = openLineageValidator();

export class LineageServer {
  readonly received: Received[] = [];
  /** Statuses to answer next, in order (0: never answer), before going back to 201 (or 400 for an invalid event). */
  readonly cues: number[] = [];
  private server: http.Server | null = null;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listen on an ephemeral port, or on `port` again after stop(). */
  async start(port = 0): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let event: any = null;
        let problems: string[];
        try {
          event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          problems = validator.problems(event);
        } catch (err) {
          problems = [`not JSON: ${(err as Error).message}`];
        }
        if (req.method !== 'POST' || req.url !== '/api/v1/lineage') problems.push(`${req.method} ${req.url}: Marquez takes POST /api/v1/lineage`);
        const cued = this.cues.shift();
        // Cue 0: a black hole that takes the request and never answers (until stop()).
        if (cued === 0) return void this.received.push({ path: req.url ?? '', authorization: null, contentType: null, event, problems, status: 0 });
        const status = cued ?? (problems.length ? 400 : 201);
        this.received.push({
          path: req.url ?? '',
          authorization: req.headers.authorization ?? null,
          contentType: req.headers['content-type'] ?? null,
          event,
          problems,
          status,
        });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 201 ? '' : JSON.stringify({ code: status, message: problems.join('; ') || 'cued' }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Events the server accepted (2xx), in arrival order. */
  accepted(): any[] {
    return this.received.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.event);
  }
}

/** "eventType job.name" per event: a readable order to compare. */
export const steps = (events: any[]) => events.map((e) => `${e.eventType} ${e.job.name}`);

/** Events keyed by what makes them one event (run, type, time): duplicates show as counts above 1. */
export function duplicates(events: any[]): string[] {
  const seen = new Map<string, number>();
  for (const e of events) {
    const key = `${e.run.runId} ${e.eventType} ${e.eventTime}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
}
