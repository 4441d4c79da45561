/**
 * What the portal suites share: the built front end (built once when missing, so that one suite can run alone on a
 * clean clone; `npm test` builds it first) and an SSE reader.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';

const ROOT = new URL('../../', import.meta.url).pathname;
export const BUNDLE = `${ROOT}dist/web`;

export function ensureBundle(): void {
  if (!existsSync(`${BUNDLE}/index.html`)) execFileSync('npm', ['run', 'build:web'], { cwd: ROOT, stdio: 'inherit' });
}

interface SseEvent {
  event: string;
  data: unknown;
}

/** An open Server-Sent Events stream: its response and the events received so far, parsed. */
interface SseStream {
  res: IncomingMessage;
  events: SseEvent[];
  /** Resolves with the first event (already received or to come) that `match` accepts; fails after `ms`. */
  next(match: (e: SseEvent) => boolean, ms?: number): Promise<SseEvent>;
  close(): void;
}

export function openSse(url: string): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Accept: 'text/event-stream' } }, (res) => {
      const events: SseEvent[] = [];
      const waiters = new Set<() => void>();
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined) events.push({ event, data: data === undefined ? undefined : JSON.parse(data) });
        }
        for (const w of waiters) w();
      });
      resolve({
        res,
        events,
        next: (match, ms = 15_000) =>
          new Promise((ok, fail) => {
            const check = () => {
              const e = events.find(match);
              if (!e) return;
              waiters.delete(check);
              clearTimeout(timer);
              ok(e);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no matching event within ${ms} ms; got ${JSON.stringify(events).slice(0, 500)}`));
            }, ms);
            waiters.add(check);
            check();
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
