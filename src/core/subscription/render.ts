/**
 * The stored Subscription (model.ts) → its JSON representation (ETSI GS CIM 009 V1.8.1 clause 5.2.12, with
 * NotificationParams 5.2.14, Endpoint 5.2.15, EntitySelector 5.2.33 and GeoQuery 5.2.13), names compacted with the
 * caller's @context and queries printed back from their ASTs. Pure: the caller gives the time and the notifier's
 * bookkeeping (as a DeliveryStatus, so that core never depends on the store).
 *
 * Members come out in the order of the table of clause 5.2.12; members the subscription does not have are left
 * out, except the system-generated counters timesSent and timesFailed (0 until the first notification).
 */
import type { TermMap } from '../context/termmap.js';
import type { GeoQuery } from '../query/geo.js';
import { printQ } from '../query/q-print.js';
import { printScopeQuery } from '../query/scope-query.js';
import { printTypeExpression } from '../query/type-expr.js';
import { stateOf } from './lifecycle.js';
import type { EntitySelector, NotificationParams, Subscription } from './model.js';

/** The system-generated members of NotificationParams (clause 5.2.14), as the notifier has recorded them. */
export interface DeliveryStatus {
  timesSent: number;
  timesFailed: number;
  lastNotification?: string;
  lastSuccess?: string;
  lastFailure?: string;
  /** 'ok' after a success, 'failed' after a notification was given up on; absent before any attempt. */
  status?: 'ok' | 'failed';
}

export interface SubscriptionRenderOptions {
  /** createdAt and modifiedAt (clause 6.3.11 options=sysAttrs). */
  sysAttrs?: boolean;
}

type Json = Record<string, unknown>;

/** Clause 5.2.12: the subscription as a client reads it; `now` decides whether it has expired. */
export function renderSubscription(s: Subscription, status: DeliveryStatus, tm: TermMap, now: string, o: SubscriptionRenderOptions = {}): Json {
  const out: Json = { id: s.id, type: 'Subscription' };
  set(out, 'subscriptionName', s.subscriptionName);
  set(out, 'description', s.description);
  set(out, 'entities', s.entities?.map((e) => renderSelector(e, tm)));
  set(out, 'watchedAttributes', s.watchedAttributes?.map((a) => tm.compact(a)));
  out.notificationTrigger = [...s.notificationTrigger];
  set(out, 'timeInterval', s.timeInterval);
  set(out, 'q', s.q && printQ(s.q, tm));
  set(out, 'geoQ', s.geoQ && renderGeoQ(s.geoQ, tm));
  set(out, 'csf', s.csf && printQ(s.csf, tm));
  out.isActive = s.isActive;
  out.notification = renderNotification(s.notification, status, tm);
  set(out, 'expiresAt', s.expiresAt);
  set(out, 'throttling', s.throttling);
  set(out, 'scopeQ', s.scopeQ && printScopeQuery(s.scopeQ));
  set(out, 'lang', s.lang);
  out.status = stateOf(s, now);
  set(out, 'jsonldContext', s.jsonldContext);
  set(out, 'localOnly', s.localOnly);
  set(out, 'datasetId', s.datasetId && [...s.datasetId]);
  if (o.sysAttrs) {
    out.createdAt = s.createdAt;
    out.modifiedAt = s.modifiedAt;
  }
  return out;
}

function set(out: Json, key: string, value: unknown): void {
  if (value !== undefined) out[key] = value;
}

/** Clause 5.2.33: id, idPattern, type (a type selection printed back, clause 4.17). */
function renderSelector(e: EntitySelector, tm: TermMap): Json {
  const out: Json = {};
  set(out, 'id', e.id);
  set(out, 'idPattern', e.idPattern);
  out.type = printTypeExpression(e.type, tm);
  return out;
}

/** Clause 5.2.13: the body form, georel printed as in clause 4.10 (near;maxDistance==N). */
function renderGeoQ(g: GeoQuery, tm: TermMap): Json {
  const georel = g.georel.relation === 'near' ? `near;${g.georel.limit}==${g.georel.metres}` : g.georel.relation;
  return { geometry: g.geometry.type, coordinates: g.geometry.coordinates, georel, geoproperty: tm.compact(g.geoproperty) };
}

/** Clause 5.2.14: the client's members, then the notifier's. */
function renderNotification(n: NotificationParams, d: DeliveryStatus, tm: TermMap): Json {
  const out: Json = {};
  set(out, 'attributes', n.attributes?.map((a) => tm.compact(a)));
  out.format = n.format;
  out.sysAttrs = n.sysAttrs;
  out.showChanges = n.showChanges;
  out.endpoint = renderEndpoint(n.endpoint);
  set(out, 'status', d.status);
  out.timesSent = d.timesSent;
  out.timesFailed = d.timesFailed;
  set(out, 'lastNotification', d.lastNotification);
  set(out, 'lastSuccess', d.lastSuccess);
  set(out, 'lastFailure', d.lastFailure);
  return out;
}

/** Clause 5.2.15: as given (accept is left out when the client left it to its default, application/json). */
function renderEndpoint(e: NotificationParams['endpoint']): Json {
  const out: Json = { uri: e.uri };
  set(out, 'accept', e.accept);
  set(out, 'receiverInfo', e.receiverInfo?.map((p) => ({ key: p.key, value: p.value })));
  set(out, 'notifierInfo', e.notifierInfo?.map((p) => ({ key: p.key, value: p.value })));
  set(out, 'timeout', e.timeout);
  set(out, 'cooldown', e.cooldown);
  return out;
}
