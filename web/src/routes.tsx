/** The portal's pages by path; the server answers index.html for the same paths (src/portal/static.ts). */
import type { ComponentChild } from 'preact';
import { Catalogue } from './pages/catalogue';
import { ApiReference } from './pages/api-reference';
import { Devices } from './pages/devices';
import { EntityPage } from './pages/entity';
import { Explorer } from './pages/explorer';
import { MapPage } from './pages/map';
import { Subscriptions } from './pages/subscriptions';
import { Tenants } from './pages/tenants';
import { queryOf } from './router';

export const NAV: [string, string][] = [
  ['/', 'Map'],
  ['/explore', 'Explorer'],
  ['/catalogue', 'Catalogue'],
  ['/api-reference', 'API reference'],
  ['/operator/subscriptions', 'Subscriptions'],
  ['/operator/devices', 'Devices'],
  ['/operator/tenants', 'Tenants'],
];

export function pageFor(r: string): { title: string; view: ComponentChild } {
  const path = r.split('?')[0];
  const q = queryOf(r);
  if (path === '/') return { title: 'City map', view: <MapPage focus={q.get('focus') ?? undefined} /> };
  if (path === '/explore') return { title: 'Entity explorer', view: <Explorer query={q} /> };
  if (path.startsWith('/entity/')) {
    const id = decodeURIComponent(path.slice('/entity/'.length));
    return { title: id, view: <EntityPage key={id} id={id} /> };
  }
  if (path === '/catalogue') return { title: 'Catalogue', view: <Catalogue /> };
  if (path === '/api-reference') return { title: 'API reference', view: <ApiReference /> };
  if (path === '/operator/subscriptions') return { title: 'Subscriptions', view: <Subscriptions /> };
  if (path === '/operator/devices') return { title: 'Devices', view: <Devices /> };
  if (path === '/operator/tenants') return { title: 'Tenants', view: <Tenants /> };
  return { title: 'Not found', view: <p>No portal page at {path}.</p> };
}
