/**
 * The portal's live stream: Server-Sent Events at GET /mimosa/portal/live?tenant=…, fed by one LiveFeed (an NGSI-LD
 * subscription, see live-feed.ts) per tenant with connected clients, whose notifications arrive at
 * POST /mimosa/portal/notify/{token}.
 *
 * Events: `ready` once the subscription is in place (a client loads its data after it, so no change falls between
 * the load and the stream), `change` with an array of entities in keyValues (a deleted one as id, type, deletedAt).
 * A comment line every 15 s keeps proxies from closing an idle stream.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { raise } from '../core/problem.js';
import { DEFAULT_TENANT } from '../core/request.js';
import type { Store } from '../store/port.js';
import { LiveFeed, RENEW_MS, tenantHeaders, type Api, type LiveClient } from './live-feed.js';

const LIVE_PATH = '/mimosa/portal/live';
const NOTIFY_PATH = '/mimosa/portal/notify';
const HEARTBEAT_MS = 15_000;
/** A feed outlives its last client this long, so that a page reload does not delete and re-create the subscription. */
const LINGER_MS = 5_000;
/** Same rule as the NGSILD-Tenant header (api/negotiate.ts). */
const TENANT_PATTERN = /^[A-Za-z0-9_.:~-][A-Za-z0-9_.:~/-]{0,255}$/;

interface LiveOptions {
  store: Pick<Store, 'tenantExists'>;
  /** Base URL other Mimosa processes reach this one at (MIMOSA_PORTAL_URL); undefined: the address listened on. */
  publicUrl: string | undefined;
  now: () => number;
}

interface Held {
  feed: LiveFeed;
  opening: Promise<void>;
  renew?: NodeJS.Timeout;
  linger?: NodeJS.Timeout;
}

/** The feeds of this process, by tenant and by notification token. */
class LiveHub {
  readonly #byTenant = new Map<string, Held>();
  readonly #byToken = new Map<string, LiveFeed>();

  constructor(
    private readonly api: Api,
    private readonly endpoint: () => string,
    private readonly now: () => number,
    private readonly log: FastifyInstance['log'],
  ) {}

  /** The tenant's feed, opened if needed; a failure to subscribe is thrown (and the feed forgotten). */
  async join(tenant: string, client: LiveClient): Promise<LiveFeed> {
    let held = this.#byTenant.get(tenant);
    if (!held) {
      const feed = new LiveFeed(tenant, this.api, this.endpoint(), this.now);
      held = { feed, opening: feed.open() };
      this.#byTenant.set(tenant, held);
      this.#byToken.set(feed.token, feed);
      held.renew = setInterval(() => void feed.renew().catch((err) => this.log.warn({ err, tenant }, 'portal live feed renewal failed')), RENEW_MS);
      held.renew.unref();
    }
    clearTimeout(held.linger);
    held.feed.clients.add(client);
    try {
      await held.opening;
    } catch (e) {
      this.#forget(held);
      throw e;
    }
    return held.feed;
  }

  leave(feed: LiveFeed, client: LiveClient): void {
    feed.clients.delete(client);
    const held = this.#byTenant.get(feed.tenant);
    if (!held || held.feed !== feed || feed.clients.size > 0) return;
    held.linger = setTimeout(() => {
      if (feed.clients.size > 0) return;
      this.#forget(held);
      feed.close().catch((err) => this.log.warn({ err, tenant: feed.tenant }, 'portal live feed could not delete its subscription'));
    }, LINGER_MS);
    held.linger.unref();
  }

  deliver(token: string, notification: unknown): boolean {
    const feed = this.#byToken.get(token);
    feed?.deliver(notification);
    return feed !== undefined;
  }

  /** Deletes every feed's subscription (at shutdown: they would only expire otherwise). */
  async closeAll(): Promise<void> {
    const all = [...this.#byTenant.values()];
    for (const held of all) this.#forget(held);
    await Promise.allSettled(all.map((h) => h.feed.close()));
  }

  #forget(held: Held): void {
    clearInterval(held.renew);
    clearTimeout(held.linger);
    if (this.#byTenant.get(held.feed.tenant) === held) this.#byTenant.delete(held.feed.tenant);
    this.#byToken.delete(held.feed.token);
  }
}

/** The base URL of this process as seen from the others: the address it listens on, loopback for a wildcard. */
function listenedUrl(app: FastifyInstance): string {
  const a = app.server.address();
  if (a === null || typeof a === 'string') raise('ServiceUnavailable', 'The live stream needs Mimosa to listen on a TCP port');
  const host = a.address === '0.0.0.0' ? '127.0.0.1' : a.address === '::' ? '::1' : a.address;
  return `http://${a.family === 'IPv6' ? `[${host}]` : host}:${a.port}`;
}

function liveTenant(req: FastifyRequest): string {
  const q = req.query as Record<string, unknown>;
  const extra = Object.keys(q).find((k) => k !== 'tenant');
  if (extra !== undefined) raise('BadRequestData', `Query parameter ${extra.slice(0, 100)} is not supported by the live stream (only tenant)`);
  if (q.tenant === undefined || q.tenant === '') return DEFAULT_TENANT;
  if (typeof q.tenant !== 'string' || !TENANT_PATTERN.test(q.tenant)) {
    raise('BadRequestData', 'tenant is not a valid tenant name (1–256 characters of letters, digits and _ . : ~ - /)');
  }
  return q.tenant;
}

function openStream(req: FastifyRequest, reply: FastifyReply): LiveClient {
  reply.hijack();
  reply.raw.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  reply.raw.write('retry: 3000\n\n');
  return (event, data) => {
    reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
}

export function installLive(app: FastifyInstance, o: LiveOptions): void {
  const api: Api = async (method, url, tenant, body) => {
    const res = await app.inject({ method, url, headers: { ...tenantHeaders(tenant), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, payload: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.statusCode, body: res.body === '' ? undefined : res.json(), location: res.headers.location as string | undefined };
  };
  const hub = new LiveHub(api, () => `${o.publicUrl ?? listenedUrl(app)}${NOTIFY_PATH}`, o.now, app.log);

  app.get(LIVE_PATH, async (req, reply) => {
    const tenant = liveTenant(req);
    if (tenant !== DEFAULT_TENANT && !(await o.store.tenantExists(tenant))) raise('NonexistentTenant', `Tenant ${tenant} does not exist`);
    const pending: [string, unknown][] = [];
    let send: LiveClient = (event, data) => void pending.push([event, data]);
    const client: LiveClient = (event, data) => send(event, data);
    const feed = await hub.join(tenant, client);
    if (req.socket.destroyed) return hub.leave(feed, client);
    send = openStream(req, reply);
    send('ready', { tenant });
    for (const [event, data] of pending) send(event, data);
    const heartbeat = setInterval(() => reply.raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
    reply.raw.once('close', () => {
      clearInterval(heartbeat);
      hub.leave(feed, client);
    });
  });

  app.post<{ Params: { token: string } }>(`${NOTIFY_PATH}/:token`, async (req, reply) => {
    if (!hub.deliver(req.params.token, req.body)) raise('ResourceNotFound', 'No live feed has this token');
    return reply.code(204).send();
  });

  app.addHook('preClose', () => hub.closeAll());
}
