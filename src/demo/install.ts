/**
 * The demo city inside the application (app.ts wires it): its operator endpoints under /mimosa/demo (a Mimosa
 * extension, outside the NGSI-LD base path), the start MIMOSA_DEMO asks for once the application is ready, and the
 * simulator's stop when it closes.
 */
import type { FastifyInstance } from 'fastify';
import { raise, unwrap } from '../core/problem.js';
import { demoCityGeometry } from './city.js';
import { httpCall, injectCall, SIMULATOR_ADDRESS } from './client.js';
import { DemoCity, type DemoSettings, type Log } from './service.js';

/** Bounds of the simulator's rate, in device messages per second (MIMOSA_DEMO_RATE has the same). */
const RATE_MIN = 0.1;
const RATE_MAX = 1000;

export interface DemoInstall extends DemoSettings {
  /** Whether the IoT agent runs, and the port of its own HTTP server when it has one (else it is served by `app`). */
  iot: boolean;
  iotPort: number | undefined;
  host: string;
}

function rateOf(req: { query: unknown; body: unknown }): number | undefined {
  if (req.body !== undefined) raise('BadRequestData', 'POST /mimosa/demo/start takes no body; give the rate as ?rate=');
  const q = req.query as Record<string, unknown>;
  const unknown = Object.keys(q).find((k) => k !== 'rate');
  if (unknown !== undefined) raise('BadRequestData', `Unknown parameter ${unknown.slice(0, 60)}; only rate is accepted`);
  if (q.rate === undefined) return undefined;
  const n = typeof q.rate === 'string' && /^\d{1,6}(\.\d{1,6})?$/.test(q.rate) ? Number(q.rate) : NaN;
  if (!(n >= RATE_MIN && n <= RATE_MAX)) {
    raise('BadRequestData', `rate must be a number of messages per second from ${RATE_MIN} to ${RATE_MAX}, not ${JSON.stringify(q.rate).slice(0, 60)}`);
  }
  return n;
}

function demoRoutes(app: FastifyInstance, city: DemoCity): void {
  const basemap = JSON.stringify(demoCityGeometry());

  // Mimosa extension: the demo city's state (provisioned, running, rate, where measures go, counters).
  app.get('/mimosa/demo', async (_req, reply) => reply.send(city.status()));

  // Mimosa extension: provisions the demo city if needed and starts its simulator (?rate= messages per second; on a running simulator, changes its rate).
  app.post('/mimosa/demo/start', async (req, reply) => {
    return reply.send(unwrap(await city.start(rateOf(req))));
  });

  // Mimosa extension: stops the simulator (the entities and their history stay).
  app.post('/mimosa/demo/stop', async (req, reply) => {
    if (req.body !== undefined) raise('BadRequestData', 'POST /mimosa/demo/stop takes no body');
    return reply.send(await city.stop());
  });

  // Mimosa extension: the demo city's streets and landmarks as GeoJSON (RFC 7946), for drawing a basemap offline.
  app.get('/mimosa/demo/basemap.geojson', async (_req, reply) => reply.type('application/geo+json').send(basemap));
}

/** Whether a request is one of the simulator's in-process measures, whose request logging app.ts leaves out. */
export function isSimulatorRequest(req: { socket?: { remoteAddress?: string } }): boolean {
  return req.socket?.remoteAddress === SIMULATOR_ADDRESS;
}

/** Where the agent's own HTTP server answers, seen from this process. */
function loopback(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export function installDemo(app: FastifyInstance, s: DemoInstall, log: Log): void {
  const ngsi = injectCall(app);
  const own = s.iotPort === undefined ? undefined : httpCall(`http://${loopback(s.host)}:${s.iotPort}`);
  const iot = !s.iot ? undefined : (own ?? ngsi);
  const southbound = !s.iot ? undefined : (own ?? injectCall(app, SIMULATOR_ADDRESS));
  const city = new DemoCity({ ngsi, iot, southbound }, s, log);
  demoRoutes(app, city);
  // not awaited: the requests it makes wait for the application to be ready, which this hook is part of
  app.addHook('onReady', async () => {
    void city.atStart();
  });
  app.addHook('onClose', () => city.close());
}
