/**
 * Subscription request bodies → the stored model (clause 5.2.12; create 5.8.1, update 5.8.2). Pure: the caller has
 * parsed the JSON and compiled the @context into a TermMap (a body `@context` member is ignored here). Every
 * expected failure is a BadRequestData whose detail names the member as the client wrote it.
 *
 * Decisions the spec leaves open (tested in parse.test.ts):
 * - Members the Subscription data type does not define are refused, and so are defined ones Mimosa does not
 *   support yet (notification pick/omit/join/joinLevel, temporalQ): never silently ignored (STYLE habit 1).
 * - System-generated members (status, timesSent, lastNotification…, createdAt/modifiedAt) are refused.
 * - `throttling` >= 0 (0 = no throttling); `timeInterval` > 0; endpoint `timeout`/`cooldown` >= 1 ms (OpenAPI).
 * - The consistency rules between members (checkSubscription) run on a create; for an update the caller runs them
 *   on the merged subscription, since a fragment alone cannot tell.
 */
import type { TermMap } from '../context/termmap.js';
import { NGSI_LD_NULL } from '../entity/model.js';
import { parseLanguageRanges } from '../entity/render-lang.js';
import { isDateTime, isLanguageTag, isUri, isValidAttributeName } from '../entity/uri.js';
import { fail, ok, type Result } from '../problem.js';
import { parseCsf } from '../query/csf.js';
import { parseGeoQuery } from '../query/geo.js';
import { parseQ } from '../query/q.js';
import { parseScopeQuery } from '../query/scope-query.js';
import { parseTypeExpression } from '../query/type-expr.js';
import {
  defaultNotificationTrigger,
  endpointMediaTypes,
  notificationTriggers,
  type EndpointMediaType,
  type Endpoint,
  type EntitySelector,
  type KeyValuePair,
  type NotificationParams,
  type NotificationTrigger,
  type Subscription,
  type SubscriptionDraft,
  type SubscriptionPatch,
} from './model.js';

type Json = Record<string, unknown>;
type Members = Partial<Omit<Subscription, 'context' | 'createdAt' | 'modifiedAt'>>;
type MemberParser = (v: unknown, tm: TermMap) => Result<Members>;

/** Longest idPattern accepted: bounds the cost of compiling (and later running) a client's regular expression. */
const MAX_PATTERN_LENGTH = 1024;
const endpointSchemes = /^(?:https?|mqtts?):\/\/[^/?#\s]+/i;

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const bad = (detail: string) => fail<never>('BadRequestData', detail);
export const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
};

// ---------------------------------------------------------------- entry points

/** Clause 5.8.1 Create Subscription: `id` is optional (the caller generates one when the result has none). */
export function parseSubscription(body: unknown, tm: TermMap, now: string): Result<SubscriptionDraft> {
  const r = parseMembers(body, tm);
  if (!r.ok) return r;
  const m = r.value;
  if (m.type === undefined) return bad('Subscription has no type');
  if (m.notification === undefined) return bad('Subscription has no notification');
  if (m.expiresAt !== undefined && !(Date.parse(m.expiresAt) > Date.parse(now))) {
    return bad(`Subscription expiresAt ${show(m.expiresAt)} is not in the future`);
  }
  const sub: SubscriptionDraft = {
    ...m,
    type: m.type,
    notification: m.notification,
    notificationTrigger: m.notificationTrigger ?? [...defaultNotificationTrigger],
    isActive: m.isActive ?? true,
    context: [...tm.userContext],
    createdAt: now,
    modifiedAt: now,
  };
  const checked = checkSubscription(sub);
  return checked.ok ? ok(sub) : checked;
}

/** Clause 5.8.2 Update Subscription: only the given members, each validated as on create. */
export function parseSubscriptionPatch(body: unknown, tm: TermMap, now: string): Result<SubscriptionPatch> {
  const r = parseMembers(body, tm);
  if (!r.ok) return r;
  const { type: _type, ...members } = r.value;
  const patch: SubscriptionPatch = { ...members, modifiedAt: now };
  if (Object.keys(members).length === 0) return bad('The Subscription fragment has no member to update');
  if (patch.timeInterval !== undefined && patch.watchedAttributes !== undefined) return bad(exclusive('watchedAttributes'));
  if (patch.timeInterval !== undefined && patch.throttling !== undefined) return bad(exclusive('throttling'));
  return ok(patch);
}

const exclusive = (other: string) => `Subscription timeInterval and ${other} cannot be given together`;

/** The rules of clause 5.2.12 that tie members together; run on a created or merged subscription. */
export function checkSubscription(s: Pick<Subscription, 'entities' | 'watchedAttributes' | 'timeInterval' | 'throttling'>): Result<true> {
  if (s.entities === undefined && s.watchedAttributes === undefined) return bad('Subscription needs entities or watchedAttributes');
  if (s.timeInterval !== undefined) {
    if (s.watchedAttributes !== undefined) return bad(exclusive('watchedAttributes'));
    if (s.throttling !== undefined) return bad(exclusive('throttling'));
    if (s.entities === undefined) return bad('Subscription with a timeInterval needs entities');
  }
  return ok(true);
}

// ---------------------------------------------------------------- members

const readOnlyMembers = new Set(['createdAt', 'modifiedAt', 'deletedAt', 'status']);
const unsupportedMembers = new Set(['temporalQ']);

function parseMembers(body: unknown, tm: TermMap): Result<Members> {
  if (!isObject(body)) return bad(`The request body must be a JSON object, not ${show(body)}`);
  let out: Members = {};
  for (const key of Object.keys(body)) {
    if (key === '@context') continue;
    if (readOnlyMembers.has(key)) return bad(`Subscription ${key} is set by the system and cannot be given`);
    if (unsupportedMembers.has(key)) return bad(`Subscription ${key} is not supported`);
    if (!Object.hasOwn(memberParsers, key)) return bad(`Subscription member ${show(key)} is not defined by clause 5.2.12`);
    const r = memberParsers[key](body[key], tm);
    if (!r.ok) return r;
    out = { ...out, ...r.value };
  }
  return ok(out);
}

const memberParsers: Record<string, MemberParser> = {
  id: (v) => (typeof v === 'string' && isUri(v) && v !== NGSI_LD_NULL ? ok({ id: v }) : bad(`Subscription id ${show(v)} is not a URI`)),
  type: (v) => (v === 'Subscription' ? ok({ type: 'Subscription' }) : bad(`Subscription type must be "Subscription", not ${show(v)}`)),
  subscriptionName: (v) => map(text('subscriptionName', v), (subscriptionName) => ({ subscriptionName })),
  description: (v) => map(text('description', v), (description) => ({ description })),
  entities: (v, tm) => map(parseEntities(v, tm), (entities) => ({ entities })),
  watchedAttributes: (v, tm) => map(names('watchedAttributes', v, tm), (watchedAttributes) => ({ watchedAttributes })),
  notificationTrigger: (v) => map(parseTriggers(v), (notificationTrigger) => ({ notificationTrigger })),
  timeInterval: (v) => (isNumber(v) && v > 0 ? ok({ timeInterval: v }) : bad(`Subscription timeInterval must be a number of seconds greater than 0, not ${show(v)}`)),
  throttling: (v) => (isNumber(v) && v >= 0 ? ok({ throttling: v }) : bad(`Subscription throttling must be a number of seconds, 0 or more, not ${show(v)}`)),
  q: (v, tm) => map(parseQ(v as string, tm), (q) => ({ q })),
  csf: (v, tm) => map(parseCsf(v as string, tm), (csf) => ({ csf })),
  scopeQ: (v) => map(parseScopeQuery(v as string), (scopeQ) => ({ scopeQ })),
  geoQ: parseGeoQ,
  isActive: (v) => (typeof v === 'boolean' ? ok({ isActive: v }) : bad(`Subscription isActive must be a boolean, not ${show(v)}`)),
  localOnly: (v) => (typeof v === 'boolean' ? ok({ localOnly: v }) : bad(`Subscription localOnly must be a boolean, not ${show(v)}`)),
  expiresAt: (v) => (typeof v === 'string' && isDateTime(v) ? ok({ expiresAt: v }) : bad(`Subscription expiresAt ${show(v)} is not a DateTime`)),
  lang: parseLang,
  jsonldContext: (v) => (typeof v === 'string' && isUri(v) ? ok({ jsonldContext: v }) : bad(`Subscription jsonldContext ${show(v)} is not a URI`)),
  datasetId: parseDatasetIds,
  notification: (v, tm) => map(parseNotification(v, tm), (notification) => ({ notification })),
};

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function map<T, U>(r: Result<T>, f: (t: T) => U): Result<U> {
  return r.ok ? ok(f(r.value)) : r;
}

function text(member: string, v: unknown): Result<string> {
  return typeof v === 'string' ? ok(v) : bad(`Subscription ${member} must be a string, not ${show(v)}`);
}

/** A non-empty array of attribute names, expanded (watchedAttributes, notification.attributes). */
function names(member: string, v: unknown, tm: TermMap): Result<string[]> {
  if (!Array.isArray(v) || v.length === 0) return bad(`Subscription ${member} must be a non-empty array of attribute names`);
  const out: string[] = [];
  for (const n of v) {
    if (typeof n !== 'string' || !isValidAttributeName(n)) return bad(`Subscription ${member} item ${show(n)} is not a valid attribute name`);
    const iri = tm.expand(n);
    if (!isUri(iri)) return bad(`Subscription ${member} item ${show(n)} does not expand to an IRI with the given @context`);
    if (!out.includes(iri)) out.push(iri);
  }
  return ok(out);
}

function parseEntities(v: unknown, tm: TermMap): Result<EntitySelector[]> {
  if (!Array.isArray(v) || v.length === 0) return bad('Subscription entities must be a non-empty array of EntitySelector');
  const out: EntitySelector[] = [];
  for (const [i, e] of v.entries()) {
    const r = parseSelector(e, tm, `Subscription entities[${i}]`);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return ok(out);
}

/** Clause 5.2.33 EntitySelector: type mandatory (a type selection, clause 4.17), id and idPattern optional. */
function parseSelector(e: unknown, tm: TermMap, where: string): Result<EntitySelector> {
  if (!isObject(e)) return bad(`${where} must be an object, not ${show(e)}`);
  const unknown = Object.keys(e).find((k) => k !== 'type' && k !== 'id' && k !== 'idPattern');
  if (unknown !== undefined) return bad(`${where} member ${show(unknown)} is not one of type, id, idPattern`);
  if (e.type === undefined) return bad(`${where} has no type`);
  const type = parseTypeExpression(e.type as string, tm);
  if (!type.ok) return bad(`${where}: ${type.problem.detail}`);
  const out: EntitySelector = { type: type.value };
  if (e.id !== undefined) {
    if (typeof e.id !== 'string' || !isUri(e.id)) return bad(`${where} id ${show(e.id)} is not a URI`);
    out.id = e.id;
  }
  if (e.idPattern !== undefined) {
    const p = e.idPattern;
    if (typeof p !== 'string' || p.length > MAX_PATTERN_LENGTH || !compiles(p)) {
      return bad(`${where} idPattern ${show(p)} is not a regular expression of at most ${MAX_PATTERN_LENGTH} characters`);
    }
    out.idPattern = p;
  }
  return ok(out);
}

export function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function parseTriggers(v: unknown): Result<NotificationTrigger[]> {
  if (!Array.isArray(v) || v.length === 0) return bad('Subscription notificationTrigger must be a non-empty array');
  const out: NotificationTrigger[] = [];
  for (const t of v) {
    if (!(notificationTriggers as readonly unknown[]).includes(t)) {
      return bad(`Subscription notificationTrigger ${show(t)} is not one of ${notificationTriggers.join(', ')}`);
    }
    if (!out.includes(t as NotificationTrigger)) out.push(t as NotificationTrigger);
  }
  return ok(out);
}

/** Clause 5.2.13 GeoQuery: the body form of georel/geometry/coordinates/geoproperty. */
function parseGeoQ(v: unknown, tm: TermMap): Result<Members> {
  if (!isObject(v)) return bad(`Subscription geoQ must be an object, not ${show(v)}`);
  const unknown = Object.keys(v).find((k) => !['georel', 'geometry', 'coordinates', 'geoproperty'].includes(k));
  if (unknown !== undefined) return bad(`Subscription geoQ member ${show(unknown)} is not one of georel, geometry, coordinates, geoproperty`);
  const g = parseGeoQuery({ georel: v.georel, geometry: v.geometry, coordinates: v.coordinates, geoproperty: v.geoproperty }, tm);
  if (!g.ok) return bad(`Subscription geoQ: ${g.problem.detail}`);
  return g.value === undefined ? bad('Subscription geoQ needs georel, geometry and coordinates') : ok({ geoQ: g.value });
}

function parseLang(v: unknown): Result<Members> {
  const ranges = typeof v === 'string' ? parseLanguageRanges(v) : [];
  const valid = ranges.length > 0 && ranges.every((r) => r.range === '*' || isLanguageTag(r.range));
  return valid ? ok({ lang: v as string }) : bad(`Subscription lang ${show(v)} is not a list of language tags`);
}

function parseDatasetIds(v: unknown): Result<Members> {
  if (!Array.isArray(v) || v.length === 0) return bad('Subscription datasetId must be a non-empty array of URIs or "@none"');
  const bads = v.find((d) => typeof d !== 'string' || (d !== '@none' && !isUri(d)));
  return bads === undefined ? ok({ datasetId: [...new Set(v as string[])] }) : bad(`Subscription datasetId ${show(bads)} is not a URI or "@none"`);
}

// ---------------------------------------------------------------- notification (5.2.14) and endpoint (5.2.15)

const notificationReadOnly = new Set(['status', 'timesSent', 'timesFailed', 'lastNotification', 'lastFailure', 'lastSuccess']);
const notificationUnsupported = new Set(['pick', 'omit', 'join', 'joinLevel']);
const formats: Record<string, NotificationParams['format']> = { normalized: 'normalized', concise: 'concise', keyValues: 'keyValues', simplified: 'keyValues' };

function parseNotification(v: unknown, tm: TermMap): Result<NotificationParams> {
  if (!isObject(v)) return bad(`Subscription notification must be an object, not ${show(v)}`);
  for (const k of Object.keys(v)) {
    if (notificationReadOnly.has(k)) return bad(`Subscription notification.${k} is set by the system and cannot be given`);
    if (notificationUnsupported.has(k)) return bad(`Subscription notification.${k} is not supported`);
    if (!['attributes', 'format', 'sysAttrs', 'showChanges', 'endpoint'].includes(k)) {
      return bad(`Subscription notification member ${show(k)} is not defined by clause 5.2.14`);
    }
  }
  const out: NotificationParams = { format: 'normalized', sysAttrs: false, showChanges: false, endpoint: { uri: '' } };
  if (v.attributes !== undefined) {
    const attrs = names('notification.attributes', v.attributes, tm);
    if (!attrs.ok) return attrs;
    out.attributes = attrs.value;
  }
  if (v.format !== undefined) {
    if (typeof v.format !== 'string' || !Object.hasOwn(formats, v.format)) {
      return bad(`Subscription notification.format ${show(v.format)} is not one of ${Object.keys(formats).join(', ')}`);
    }
    out.format = formats[v.format];
  }
  for (const flag of ['sysAttrs', 'showChanges'] as const) {
    if (v[flag] === undefined) continue;
    if (typeof v[flag] !== 'boolean') return bad(`Subscription notification.${flag} must be a boolean, not ${show(v[flag])}`);
    out[flag] = v[flag];
  }
  // OpenAPI NotificationParams.showChanges: "showChanges cannot be true in case format is keyValues".
  if (out.showChanges && out.format === 'keyValues') return bad('Subscription notification.showChanges cannot be true with format keyValues');
  if (v.endpoint === undefined) return bad('Subscription notification has no endpoint');
  const endpoint = parseEndpoint(v.endpoint);
  if (!endpoint.ok) return endpoint;
  out.endpoint = endpoint.value;
  return ok(out);
}

const endpointMembers = ['uri', 'accept', 'receiverInfo', 'notifierInfo', 'timeout', 'cooldown'];

function parseEndpoint(v: unknown): Result<Endpoint> {
  const where = 'Subscription notification.endpoint';
  if (!isObject(v)) return bad(`${where} must be an object, not ${show(v)}`);
  const unknown = Object.keys(v).find((k) => !endpointMembers.includes(k));
  if (unknown !== undefined) return bad(`${where} member ${show(unknown)} is not defined by clause 5.2.15`);
  if (typeof v.uri !== 'string' || !isUri(v.uri) || !endpointSchemes.test(v.uri)) {
    return bad(`${where}.uri ${show(v.uri)} is not an absolute http, https, mqtt or mqtts URI`);
  }
  const out: Endpoint = { uri: v.uri };
  if (v.accept !== undefined) {
    if (!(endpointMediaTypes as readonly unknown[]).includes(v.accept)) {
      return bad(`${where}.accept ${show(v.accept)} is not one of ${endpointMediaTypes.join(', ')}`);
    }
    out.accept = v.accept as EndpointMediaType;
  }
  for (const member of ['receiverInfo', 'notifierInfo'] as const) {
    if (v[member] === undefined) continue;
    const pairs = keyValues(`${where}.${member}`, v[member]);
    if (!pairs.ok) return pairs;
    out[member] = pairs.value;
  }
  for (const member of ['timeout', 'cooldown'] as const) {
    if (v[member] === undefined) continue;
    const n = v[member];
    if (!isNumber(n) || n < 1) return bad(`${where}.${member} must be a number of milliseconds, 1 or more, not ${show(n)}`);
    out[member] = n;
  }
  return ok(out);
}

/** Clause 5.2.22 KeyValuePair: both members strings. */
function keyValues(where: string, v: unknown): Result<KeyValuePair[]> {
  if (!Array.isArray(v)) return bad(`${where} must be an array of {key, value} objects`);
  const out: KeyValuePair[] = [];
  for (const p of v) {
    if (!isObject(p) || typeof p.key !== 'string' || typeof p.value !== 'string' || Object.keys(p).length !== 2) {
      return bad(`${where} item ${show(p)} is not a {key, value} object with string members`);
    }
    out.push({ key: p.key, value: p.value });
  }
  return ok(out);
}
