/**
 * What the portal suites share: the built front end (built once when missing, so that one suite can run alone on a
 * clean clone; `npm test` builds it first), an SSE reader, and the fixture city.
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

const prop = (value: unknown) => ({ type: 'Property', value });
const point = (lon: number, lat: number) => ({ type: 'GeoProperty', value: { type: 'Point', coordinates: [lon, lat] } });

/**
 * A small city of the demo's types (Smart Data Models ParkingSpot, AirQualityObserved, NoiseLevelObserved) inside
 * the demo city's extent (src/demo/city.ts, whose streets are the basemap): three entities of each type, far enough
 * apart to be drawn alone, and four parking spots side by side, which the map draws as a cluster.
 */
export function fixtureCity(prefix: string): Record<string, unknown>[] {
  const at = (i: number, j: number) => point(-3.83 + i * 0.015, 43.45 + j * 0.009);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < 3; i++) {
    out.push({ id: `urn:ngsi-ld:ParkingSpot:${prefix}-${i}`, type: 'ParkingSpot', status: prop(i === 0 ? 'free' : 'occupied'), location: at(i, 0) });
    out.push({ id: `urn:ngsi-ld:AirQualityObserved:${prefix}-${i}`, type: 'AirQualityObserved', no2: prop(20 + i * 60), location: at(i, 1), refPointOfInterest: { type: 'Relationship', object: `urn:ngsi-ld:ParkingSpot:${prefix}-${i}` } });
    out.push({ id: `urn:ngsi-ld:NoiseLevelObserved:${prefix}-${i}`, type: 'NoiseLevelObserved', LAeq: prop(50 + i * 10), location: at(i, 2) });
  }
  for (let k = 0; k < 4; k++) {
    out.push({ id: `urn:ngsi-ld:ParkingSpot:${prefix}-dense-${k}`, type: 'ParkingSpot', status: prop('free'), location: point(-3.8 + k * 0.00002, 43.472) });
  }
  return out;
}

/** Hourly instances of an attribute over the last day (observedAt set), for the temporal API to aggregate. */
export function lastDay(name: string, base: number): Record<string, unknown> {
  const now = Date.now();
  return { [name]: Array.from({ length: 24 }, (_, h) => ({ type: 'Property', value: base + 10 * Math.sin(h / 3), observedAt: new Date(now - (h + 0.5) * 3_600_000).toISOString() })) };
}
