/**
 * The web portal's server side (issue #8): the built front end at / (static.ts), the live stream of changes
 * (live.ts), the tenant list and the OpenAPI document the pages read. Everything else the pages show comes from
 * the public APIs (NGSI-LD, Smart Data Models, IoT agent), called by the browser like any other client.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/port.js';
import { installLive } from './live.js';
import { installOpenApi } from './openapi.js';
import { serveBundle } from './static.js';

/** Where `npm run build:web` puts the bundle; the same path from src/portal (tsx) and dist/portal (tsc output). */
const BUNDLE = new URL('../../dist/web/', import.meta.url).pathname;

interface PortalOptions {
  store: Pick<Store, 'tenantExists' | 'listTenants'>;
  /** Base URL other Mimosa processes reach this one at (MIMOSA_PORTAL_URL); undefined: the address listened on. */
  publicUrl: string | undefined;
  /** Directory of the built front end; tests may give their own. */
  bundleDir?: string;
}

export function installPortal(app: FastifyInstance, o: PortalOptions): void {
  serveBundle(app, o.bundleDir ?? BUNDLE);
  installLive(app, { store: o.store, publicUrl: o.publicUrl, now: Date.now });
  installOpenApi(app);
  // The tenants that exist (the NGSI-LD API has no tenant list); the default tenant is always there.
  app.get('/mimosa/portal/tenants', async () => ['', ...(await o.store.listTenants())]);
}
