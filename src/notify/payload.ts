/**
 * Builds the notifications to deliver for a subscription (ETSI GS CIM 009 V1.8.1): the Notification document
 * (clause 5.3.1) with its entities rendered per NotificationParams (clause 5.2.14), and the protocol headers of the
 * Endpoint (clause 5.2.15) that the HTTP and MQTT bindings carry (clauses 7.2 and 7.3 of the binding).
 * Pure and synchronous: the caller resolves the TermMap, the clock and the id generator.
 *
 * Decisions the spec leaves open:
 * - No entity, no notification: an empty `data` (e.g. a period in which nothing matches) yields no Delivery.
 * - The same entity changed several times in one outbox row: its last change wins, at its first position.
 * - `deletedAt` of deleted entities and attributes is the time of the write (`changedAt`), always present: it is
 *   what tells a deletion from an update (clause 5.2.14 sysAttrs only adds createdAt/modifiedAt to it).
 * - receiverInfo cannot replace the headers the broker owns (Content-Type, Link, NGSILD-Tenant, Content-Length,
 *   Host): they describe the body the broker rendered, so a clash is ignored rather than sent contradictory.
 */
import { CORE_CONTEXT_URL } from '../core/context/core-contexts.js';
import type { TermMap } from '../core/context/termmap.js';
import { type Attribute, type AttributeType, type Entity, NGSI_LD_NULL } from '../core/entity/model.js';
import { type GeoJsonOptions, renderEntity, renderFeature } from '../core/entity/render.js';
import type { EndpointMediaType, Subscription } from '../core/subscription/model.js';
import type { EntityChange, NotificationReason } from '../store/port.js';
import type { Delivery } from './senders/delivery.js';

/** rel of the Link header that carries a JSON-LD context (clause 6.3.5). */
const JSONLD_CONTEXT_REL = 'http://www.w3.org/ns/json-ld#context';
const DEFAULT_TENANT = '';
const reservedHeaders = new Set(['content-type', 'link', 'ngsild-tenant', 'content-length', 'host']);

export interface NotificationCommon {
  subscription: Subscription;
  tenant: string;
  /**
   * Compiles the context names are compacted with: the subscription's jsonldContext when it has one (clause
   * 5.2.12: "the @context to be used when sending notifications"), else its own context.
   */
  termMap: TermMap;
  /** notifiedAt of every notification built. */
  now: string;
  /** A fresh UUID per call: notification ids are `urn:ngsi-ld:Notification:<uuid>`. */
  newUuid: () => string;
  /** Used when the endpoint gives no timeout. */
  defaultTimeoutMs: number;
  /** Entities per notification; more are split into several notifications (>= 1). */
  maxEntitiesPerNotification: number;
}

export type NotificationInput = NotificationCommon &
  (
    | {
        reason: Extract<NotificationReason, 'change'>;
        /** The changes in write order (ClaimedNotification.changes). */
        changes: readonly EntityChange[];
        /** When the changes were written (deletedAt of deleted entities and attributes); defaults to `now`. */
        changedAt?: string;
      }
    | {
        reason: Exclude<NotificationReason, 'change'>;
        /** The entities matching the subscription now. */
        entities: readonly Entity[];
      }
  );

/** The Notification document of clause 5.3.1. */
export interface Notification {
  id: string;
  type: 'Notification';
  subscriptionId: string;
  notifiedAt: string;
  data: unknown;
  '@context'?: unknown;
}

/** Implements 5.3.1 Notification: the deliveries for one due notification, split by maxEntitiesPerNotification. */
export function buildNotifications(input: NotificationInput): Delivery[] {
  const { subscription: sub, termMap: tm } = input;
  const endpoint = sub.notification.endpoint;
  const accept: EndpointMediaType = endpoint.accept ?? 'application/json';
  const headers = protocolHeaders(sub, input.tenant, accept);
  const inlineContext = accept === 'application/ld+json' || (accept === 'application/geo+json' && !('Link' in headers));
  const o = renderOptions(sub);
  const items =
    input.reason === 'change'
      ? latestPerEntity(input.changes).map((c) =>
          renderChange(c, { tm, o, accept, deletedAt: input.changedAt ?? input.now, showChanges: sub.notification.showChanges }),
        )
      : input.entities.map((e) => renderOne(e, tm, o, accept));
  const base = {
    uri: endpoint.uri,
    headers,
    notifierInfo: pairsToRecord(endpoint.notifierInfo),
    timeoutMs: endpoint.timeout ?? input.defaultTimeoutMs,
  };
  return chunk(items, input.maxEntitiesPerNotification).map((part) => {
    const body: Notification = {
      id: `urn:ngsi-ld:Notification:${input.newUuid()}`,
      type: 'Notification',
      subscriptionId: sub.id,
      notifiedAt: input.now,
      data: accept === 'application/geo+json' ? featureCollection(part, inlineContext ? bodyContext(sub) : undefined) : part,
    };
    if (accept === 'application/ld+json') body['@context'] = bodyContext(sub);
    return { ...base, body, headers: { ...headers } };
  });
}

function renderOptions(sub: Subscription): GeoJsonOptions {
  const n = sub.notification;
  const o: GeoJsonOptions = { format: n.format, sysAttrs: n.sysAttrs, geometryProperty: '' };
  if (n.attributes !== undefined) o.attrs = new Set(n.attributes);
  if (sub.lang !== undefined) o.lang = sub.lang;
  // clause 5.2.12 datasetId: the instances notified ('@none' is the default instance)
  if (sub.datasetId !== undefined) o.datasetIds = new Set(sub.datasetId);
  return o;
}

/**
 * Headers of clause 5.2.15 / binding 7.2: Content-Type from endpoint.accept, the context Link header when the body
 * carries no `@context` (clause 6.3.6), NGSILD-Tenant outside the default tenant (clause 6.3.14), then receiverInfo.
 * Clause 5.3.1 (OpenAPI Notification.data): with geo+json, receiverInfo `Prefer: body=json` drops the
 * FeatureCollection's `@context`, so the context goes to the Link header instead.
 */
export function protocolHeaders(sub: Subscription, tenant: string, accept: EndpointMediaType): Record<string, string> {
  const receiverInfo = sub.notification.endpoint.receiverInfo ?? [];
  const preferJson = receiverInfo.some((kv) => kv.key.toLowerCase() === 'prefer' && /\bbody=json\b/.test(kv.value));
  const headers: Record<string, string> = { 'Content-Type': accept };
  if (accept === 'application/json' || (accept === 'application/geo+json' && preferJson)) {
    headers.Link = `<${linkContextUrl(sub)}>; rel="${JSONLD_CONTEXT_REL}"; type="application/ld+json"`;
  }
  if (tenant !== DEFAULT_TENANT) headers['NGSILD-Tenant'] = tenant;
  for (const { key, value } of receiverInfo) if (!reservedHeaders.has(key.toLowerCase())) headers[key] = value;
  return headers;
}

/** A Link header names one URL: jsonldContext, else the subscription's context if it is one URL, else the core. */
function linkContextUrl(sub: Subscription): string {
  if (sub.jsonldContext !== undefined) return sub.jsonldContext;
  const [only, ...rest] = sub.context;
  return typeof only === 'string' && rest.length === 0 ? only : CORE_CONTEXT_URL;
}

/** The body `@context`: jsonldContext, else the context the subscription was made with (the core when none). */
export function bodyContext(sub: Subscription): unknown {
  if (sub.jsonldContext !== undefined) return sub.jsonldContext;
  if (sub.context.length === 0) return CORE_CONTEXT_URL;
  return sub.context.length === 1 ? sub.context[0] : [...sub.context];
}

function featureCollection(features: readonly unknown[], context: unknown): Record<string, unknown> {
  const fc: Record<string, unknown> = { type: 'FeatureCollection', features: [...features] };
  if (context !== undefined) fc['@context'] = context;
  return fc;
}

export const pairsToRecord = (pairs: ReadonlyArray<{ key: string; value: string }> | undefined): Record<string, string> =>
  Object.fromEntries((pairs ?? []).map((kv) => [kv.key, kv.value]));

function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new Error(`maxEntitiesPerNotification must be at least 1, not ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function renderOne(e: Entity, tm: TermMap, o: GeoJsonOptions, accept: EndpointMediaType): Record<string, unknown> {
  return accept === 'application/geo+json' ? renderFeature(e, tm, o) : renderEntity(e, tm, o);
}

const entityIdOf = (c: EntityChange): string => {
  const e = c.after ?? c.before;
  if (e === undefined) throw new Error('An EntityChange has neither `before` nor `after`');
  return e.id;
};

/** One change per entity: the last one, kept at the position where the entity first appeared. */
function latestPerEntity(changes: readonly EntityChange[]): EntityChange[] {
  const byId = new Map<string, EntityChange>();
  for (const c of changes) byId.set(entityIdOf(c), c);
  return [...byId.values()];
}

/** What rendering every change of one notification shares. */
interface ChangeRendering {
  tm: TermMap;
  o: GeoJsonOptions;
  accept: EndpointMediaType;
  /** When the changes were written. */
  deletedAt: string;
  /** NotificationParams.showChanges. */
  showChanges: boolean;
}

function renderChange(c: EntityChange, r: ChangeRendering): Record<string, unknown> {
  const { tm, o, accept, deletedAt } = r;
  if (c.after === undefined) return renderDeletedEntity(c.before!, tm, o, accept, deletedAt);
  const deleted = c.triggers.includes('attributeDeleted') ? deletedInstances(c) : [];
  // The simplified format has no place for previous values (OpenAPI NotificationParams.showChanges).
  const showChanges = r.showChanges && o.format !== 'keyValues' && c.before !== undefined && shows(c);
  const entity = withChanges(c.after, c.before, c.attributes, deleted, showChanges);
  const out = renderOne(entity, tm, o, accept);
  if (deleted.length > 0 && o.format !== 'keyValues') {
    const target = accept === 'application/geo+json' ? (out.properties as Record<string, unknown>) : out;
    markDeleted(target, deleted, tm, deletedAt);
  }
  return out;
}

/** showChanges (clause 5.2.14) is asked, and there is a previous state (modifications and deletions only). */
const shows = (c: EntityChange): boolean => c.triggers.some((t) => t === 'attributeUpdated' || t === 'attributeDeleted');

/**
 * Clause 5.2.12 entityDeleted: the entity is reported by its id and type with the deletion time `deletedAt`
 * (OpenAPI NotificationParams.sysAttrs: "in the case of a deletion also deletedAt"; clause 4.8 DeletedAt).
 * Its attributes are gone, so projection, showChanges and lang have nothing to act on.
 */
function renderDeletedEntity(
  before: Entity,
  tm: TermMap,
  o: GeoJsonOptions,
  accept: EndpointMediaType,
  deletedAt: string,
): Record<string, unknown> {
  const members: Record<string, unknown> = { type: before.types.length === 1 ? tm.compact(before.types[0]) : before.types.map((t) => tm.compact(t)) };
  if (o.sysAttrs) Object.assign(members, { createdAt: before.createdAt, modifiedAt: before.modifiedAt });
  members.deletedAt = deletedAt;
  if (accept === 'application/geo+json') return { id: before.id, type: 'Feature', geometry: null, properties: members };
  return { id: before.id, ...members };
}

interface DeletedInstance {
  iri: string;
  datasetId: string | undefined;
}

/** Instances the `before` entity had, among the concerned attributes, that the `after` entity no longer has. */
function deletedInstances(c: EntityChange): DeletedInstance[] {
  const out: DeletedInstance[] = [];
  for (const iri of c.attributes) {
    const now = new Set((c.after?.attrs[iri] ?? []).map((a) => a.datasetId));
    for (const a of c.before?.attrs[iri] ?? []) if (!now.has(a.datasetId)) out.push({ iri, datasetId: a.datasetId });
  }
  return out;
}

/**
 * The `after` entity with showChanges' previous members on the concerned attributes whose instance existed before,
 * and NGSI-LD Null instances standing for the deleted ones (clause 5.2.1: "for representing deleted elements in
 * notifications … urn:ngsi-ld:null is used as a Property value or Relationship object and {"@none":
 * "urn:ngsi-ld:null"} for the languageMap of a LanguageProperty"; the other types use the null forms of clause
 * 4.5.0 that merge-patch accepts). The stored entity is not modified.
 */
function withChanges(
  after: Entity,
  before: Entity | undefined,
  names: readonly string[],
  deleted: readonly DeletedInstance[],
  showChanges: boolean,
): Entity {
  const attrs: Record<string, Attribute[]> = { ...after.attrs };
  if (showChanges) {
    for (const iri of names) {
      const previous = before?.attrs[iri] ?? [];
      const current = attrs[iri];
      if (current === undefined) continue;
      attrs[iri] = current.map((a) => {
        const old = previous.find((p) => p.datasetId === a.datasetId);
        return old === undefined ? a : { ...a, ...previousMember(old) };
      });
    }
  }
  for (const d of deleted) {
    const old = before!.attrs[d.iri].find((p) => p.datasetId === d.datasetId)!;
    const instance: Attribute = { type: old.type, ...nullMember(old.type) };
    if (d.datasetId !== undefined) instance.datasetId = d.datasetId;
    if (showChanges) Object.assign(instance, previousMember(old));
    attrs[d.iri] = [...(attrs[d.iri] ?? []), instance];
  }
  return { ...after, attrs };
}

/** Clause 5.2.14 showChanges with the previous* members of clauses 4.5.2–4.5.24, one per attribute type. */
function previousMember(a: Attribute): Partial<Attribute> {
  switch (a.type) {
    case 'Relationship':
      return { previousObject: a.object };
    case 'LanguageProperty':
      return { previousLanguageMap: a.languageMap };
    case 'VocabProperty':
      return { previousVocab: a.vocab };
    case 'JsonProperty':
      return { previousJson: a.json };
    case 'ListProperty':
      return { previousValueList: a.valueList };
    case 'ListRelationship':
      return { previousObjectList: a.objectList };
    default:
      return { previousValue: a.value };
  }
}

function nullMember(type: AttributeType): Partial<Attribute> {
  switch (type) {
    case 'Relationship':
      return { object: NGSI_LD_NULL };
    case 'LanguageProperty':
      return { languageMap: { '@none': NGSI_LD_NULL } };
    case 'VocabProperty':
      return { vocab: NGSI_LD_NULL };
    case 'JsonProperty':
      return { json: NGSI_LD_NULL };
    case 'ListProperty':
      return { valueList: [NGSI_LD_NULL] };
    case 'ListRelationship':
      return { objectList: [{ object: NGSI_LD_NULL }] };
    default:
      return { value: NGSI_LD_NULL };
  }
}

/**
 * Adds `deletedAt` (clause 4.8) to the rendered null instances. The renderer does not write it (it is output-only),
 * and a concise null Property renders bare, so it is wrapped back into `{ value }` to carry it.
 */
function markDeleted(out: Record<string, unknown>, deleted: readonly DeletedInstance[], tm: TermMap, deletedAt: string) {
  for (const d of deleted) {
    const name = tm.compact(d.iri);
    const rendered = out[name];
    if (rendered === undefined) continue; // projected out by notification.attributes
    if (Array.isArray(rendered)) {
      const i = rendered.findIndex((r) => (r as { datasetId?: string }).datasetId === d.datasetId);
      if (i >= 0) rendered[i] = { ...(rendered[i] as object), deletedAt };
    } else if (typeof rendered === 'object' && rendered !== null) {
      out[name] = { ...rendered, deletedAt };
    } else {
      out[name] = { value: rendered, deletedAt };
    }
  }
}
