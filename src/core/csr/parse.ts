/**
 * Registration request bodies → the stored model (clause 5.2.9; register 5.9.2, update 5.9.3). Pure: the caller has
 * parsed the JSON and compiled the @context into a TermMap (a body `@context` member is skipped here). Every
 * expected failure is a BadRequestData whose detail names the member as the client wrote it.
 *
 * Decisions the spec leaves open (tested in parse.test.ts):
 * - The system-generated members (status, timesSent, timesFailed, lastSuccess, lastFailure, createdAt, modifiedAt,
 *   deletedAt) are refused, as for subscriptions.
 * - A member clause 5.2.9 does not define is one of the registrant's own Properties ("CSourcePropertyName"): its
 *   name is expanded, and its value is either a Property (`{"type": "Property", "value": …}`) or a plain JSON value.
 * - `endpoint` must be an absolute http or https URI: Mimosa reaches sources over the HTTP binding only.
 * - A pattern must compile as a JavaScript RegExp here; the store also has PostgreSQL compile it (it is matched
 *   there by discovery), so that no stored registration can make a later query fail.
 * - The rules tying members together (checkRegistration) run on a create, and on the merged registration of an update.
 */
import type { TermMap } from '../context/termmap.js';
import { validateGeometry } from '../entity/geojson.js';
import { NGSI_LD_NULL } from '../entity/model.js';
import { isDateTime, isScope, isUri, isValidAttributeName } from '../entity/uri.js';
import { fail, ok, type Result } from '../problem.js';
import type { KeyValuePair } from '../subscription/model.js';
import { compiles, show } from '../subscription/parse.js';
import {
  registrationModes,
  type ContextSourceRegistration,
  type EntityInfo,
  type RegistrationDraft,
  type RegistrationInfo,
  type RegistrationManagement,
  type RegistrationMode,
  type RegistrationPatch,
  type TimeInterval,
} from './model.js';
import { DEFAULT_OPERATIONS, expandOperations, isOperation, isOperationGroup, isProvision, type Operation, type OperationGroup } from './operations.js';

type Json = Record<string, unknown>;
type Members = Partial<Omit<ContextSourceRegistration, 'context' | 'createdAt' | 'modifiedAt'>>;
type MemberParser = (v: unknown, tm: TermMap) => Result<Members>;

const MAX_PATTERN_LENGTH = 1024;
const R = 'ContextSourceRegistration';

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const bad = (detail: string) => fail<never>('BadRequestData', detail);
const map = <T, U>(r: Result<T>, f: (t: T) => U): Result<U> => (r.ok ? ok(f(r.value)) : r);

// ---------------------------------------------------------------- entry points

/** Clause 5.9.2 Register Context Source: `id` is optional (the caller generates one when the result has none). */
export function parseRegistration(body: unknown, tm: TermMap, now: string): Result<RegistrationDraft> {
  const r = parseMembers(body, tm);
  if (!r.ok) return r;
  const m = r.value;
  if (m.type === undefined) return bad(`${R} has no type`);
  if (m.information === undefined) return bad(`${R} has no information`);
  if (m.endpoint === undefined) return bad(`${R} has no endpoint`);
  if (m.expiresAt !== undefined && !(Date.parse(m.expiresAt) > Date.parse(now))) return bad(`${R} expiresAt ${show(m.expiresAt)} is not in the future`);
  const reg: RegistrationDraft = {
    ...m,
    type: R,
    information: m.information,
    endpoint: m.endpoint,
    mode: m.mode ?? 'inclusive',
    operations: m.operations ?? [...DEFAULT_OPERATIONS],
    context: [...tm.userContext],
    createdAt: now,
    modifiedAt: now,
  };
  const checked = checkRegistration(reg);
  return checked.ok ? ok(reg) : checked;
}

/** Clause 5.9.3 Update Context Source Registration: only the given members, each validated as on create. */
export function parseRegistrationPatch(body: unknown, tm: TermMap, now: string): Result<RegistrationPatch> {
  const r = parseMembers(body, tm);
  if (!r.ok) return r;
  const { type: _type, ...members } = r.value;
  if (Object.keys(members).length === 0) return bad(`The ${R} fragment has no member to update`);
  return ok({ ...members, modifiedAt: now });
}

/**
 * The rules of clauses 4.3.6 and 5.9.2 that tie members together:
 * - an exclusive registration names, in every information item, the entities by id and the attributes (4.3.6.3:
 *   it takes over specific attributes of specific entities);
 * - an auxiliary registration serves consumption only, never a write (4.3.6.2);
 * - an interval ends after it starts (5.2.11).
 */
export function checkRegistration(r: Pick<ContextSourceRegistration, 'mode' | 'information' | 'operations' | 'observationInterval' | 'managementInterval'>): Result<true> {
  if (r.mode === 'exclusive') {
    for (const [i, info] of r.information.entries()) {
      if (info.entities === undefined || info.entities.some((e) => e.id === undefined)) {
        return bad(`${R} information[${i}] of an exclusive registration must name its entities by id`);
      }
      if (info.propertyNames === undefined && info.relationshipNames === undefined) {
        return bad(`${R} information[${i}] of an exclusive registration must name its propertyNames or relationshipNames`);
      }
    }
  }
  if (r.mode === 'auxiliary') {
    const write = expandOperations(r.operations).find(isProvision);
    if (write !== undefined) return bad(`${R} operations of an auxiliary registration cannot include ${write}: auxiliary sources are never written to`);
  }
  for (const member of ['observationInterval', 'managementInterval'] as const) {
    const t = r[member];
    if (t?.endAt !== undefined && !(Date.parse(t.endAt) > Date.parse(t.startAt))) return bad(`${R} ${member}.endAt must be later than its startAt`);
  }
  return ok(true);
}

// ---------------------------------------------------------------- members

const readOnlyMembers = new Set(['createdAt', 'modifiedAt', 'deletedAt', 'status', 'timesSent', 'timesFailed', 'lastSuccess', 'lastFailure']);

function parseMembers(body: unknown, tm: TermMap): Result<Members> {
  if (!isObject(body)) return bad(`The request body must be a JSON object, not ${show(body)}`);
  let out: Members = {};
  for (const key of Object.keys(body)) {
    if (key === '@context') continue;
    if (readOnlyMembers.has(key)) return bad(`${R} ${key} is set by the system and cannot be given`);
    const r = Object.hasOwn(memberParsers, key) ? memberParsers[key](body[key], tm) : parseProperty(key, body[key], tm, out.properties);
    if (!r.ok) return r;
    out = { ...out, ...r.value };
  }
  return ok(out);
}

const text = (member: string) => (v: unknown) =>
  typeof v === 'string' && v.length > 0 ? ok({ [member]: v }) : bad(`${R} ${member} must be a non-empty string, not ${show(v)}`);

const geometry = (member: 'location' | 'observationSpace' | 'operationSpace') => (v: unknown) => {
  const g = validateGeometry(v);
  return g.ok ? ok({ [member]: g.value }) : bad(`${R} ${member} is not a GeoJSON geometry: ${g.problem.detail}`);
};

const memberParsers: Record<string, MemberParser> = {
  id: (v) => (typeof v === 'string' && isUri(v) && v !== NGSI_LD_NULL ? ok({ id: v }) : bad(`${R} id ${show(v)} is not a URI`)),
  type: (v) => (v === R ? ok({ type: R }) : bad(`${R} type must be "${R}", not ${show(v)}`)),
  registrationName: text('registrationName'),
  description: text('description'),
  tenant: text('tenant'),
  refreshRate: text('refreshRate'),
  contextSourceAlias: text('contextSourceAlias'),
  information: (v, tm) => map(parseInformation(v, tm), (information) => ({ information })),
  datasetId: parseDatasetIds,
  observationInterval: (v) => map(parseInterval('observationInterval', v), (observationInterval) => ({ observationInterval })),
  managementInterval: (v) => map(parseInterval('managementInterval', v), (managementInterval) => ({ managementInterval })),
  location: geometry('location'),
  observationSpace: geometry('observationSpace'),
  operationSpace: geometry('operationSpace'),
  expiresAt: (v) => (typeof v === 'string' && isDateTime(v) ? ok({ expiresAt: v }) : bad(`${R} expiresAt ${show(v)} is not a DateTime`)),
  endpoint: (v) =>
    typeof v === 'string' && isUri(v) && /^https?:\/\/[^/?#\s]+/i.test(v) ? ok({ endpoint: v }) : bad(`${R} endpoint ${show(v)} is not an absolute http or https URI`),
  contextSourceInfo: (v) => map(keyValues('contextSourceInfo', v), (contextSourceInfo) => ({ contextSourceInfo })),
  scope: parseScope,
  mode: (v) =>
    (registrationModes as readonly unknown[]).includes(v) ? ok({ mode: v as RegistrationMode }) : bad(`${R} mode ${show(v)} is not one of ${registrationModes.join(', ')}`),
  operations: (v) => map(parseOperations(v), (operations) => ({ operations })),
  management: (v) => map(parseManagement(v), (management) => ({ management })),
};

function parseInformation(v: unknown, tm: TermMap): Result<RegistrationInfo[]> {
  if (!Array.isArray(v) || v.length === 0) return bad(`${R} information must be a non-empty array of RegistrationInfo`);
  const out: RegistrationInfo[] = [];
  for (const [i, item] of v.entries()) {
    const where = `${R} information[${i}]`;
    if (!isObject(item)) return bad(`${where} must be an object, not ${show(item)}`);
    const unknown = Object.keys(item).find((k) => !['entities', 'propertyNames', 'relationshipNames'].includes(k));
    if (unknown !== undefined) return bad(`${where} member ${show(unknown)} is not one of entities, propertyNames, relationshipNames`);
    if (Object.keys(item).length === 0) return bad(`${where} needs entities, propertyNames or relationshipNames`);
    const info: RegistrationInfo = {};
    if (item.entities !== undefined) {
      const e = parseEntityInfos(item.entities, tm, `${where}.entities`);
      if (!e.ok) return e;
      info.entities = e.value;
    }
    for (const member of ['propertyNames', 'relationshipNames'] as const) {
      if (item[member] === undefined) continue;
      const n = names(`${where}.${member}`, item[member], tm);
      if (!n.ok) return n;
      info[member] = n.value;
    }
    out.push(info);
  }
  return ok(out);
}

function parseEntityInfos(v: unknown, tm: TermMap, where: string): Result<EntityInfo[]> {
  if (!Array.isArray(v) || v.length === 0) return bad(`${where} must be a non-empty array of EntityInfo`);
  const out: EntityInfo[] = [];
  for (const [i, e] of v.entries()) {
    const at = `${where}[${i}]`;
    if (!isObject(e)) return bad(`${at} must be an object, not ${show(e)}`);
    const unknown = Object.keys(e).find((k) => k !== 'type' && k !== 'id' && k !== 'idPattern');
    if (unknown !== undefined) return bad(`${at} member ${show(unknown)} is not one of type, id, idPattern`);
    if (e.type === undefined) return bad(`${at} has no type`);
    const types = typeList(e.type, tm, `${at}.type`);
    if (!types.ok) return types;
    const info: EntityInfo = { types: types.value };
    if (e.id !== undefined) {
      if (typeof e.id !== 'string' || !isUri(e.id)) return bad(`${at}.id ${show(e.id)} is not a URI`);
      info.id = e.id;
    }
    if (e.idPattern !== undefined) {
      const p = e.idPattern;
      if (typeof p !== 'string' || p.length === 0 || p.length > MAX_PATTERN_LENGTH || !compiles(p)) {
        return bad(`${at}.idPattern ${show(p)} is not a regular expression of 1 to ${MAX_PATTERN_LENGTH} characters`);
      }
      info.idPattern = p;
    }
    out.push(info);
  }
  return ok(out);
}

/** Clause 5.2.8: an entity type, or an array of them (an entity with several types). */
function typeList(v: unknown, tm: TermMap, where: string): Result<string[]> {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0) return bad(`${where} must be an entity type name or a non-empty array of them`);
  const out: string[] = [];
  for (const t of list) {
    if (typeof t !== 'string' || (!isValidAttributeName(t) && !isUri(t))) return bad(`${where} ${show(t)} is not a valid entity type name`);
    const iri = tm.expand(t);
    if (!isUri(iri)) return bad(`${where} ${show(t)} does not expand to an IRI with the given @context`);
    if (!out.includes(iri)) out.push(iri);
  }
  return ok(out);
}

/** A non-empty array of attribute names, expanded (propertyNames, relationshipNames). */
function names(where: string, v: unknown, tm: TermMap): Result<string[]> {
  if (!Array.isArray(v) || v.length === 0) return bad(`${where} must be a non-empty array of attribute names`);
  const out: string[] = [];
  for (const n of v) {
    if (typeof n !== 'string' || !isValidAttributeName(n)) return bad(`${where} item ${show(n)} is not a valid attribute name`);
    const iri = tm.expand(n);
    if (!isUri(iri)) return bad(`${where} item ${show(n)} does not expand to an IRI with the given @context`);
    if (!out.includes(iri)) out.push(iri);
  }
  return ok(out);
}

function parseInterval(member: string, v: unknown): Result<TimeInterval> {
  const where = `${R} ${member}`;
  if (!isObject(v)) return bad(`${where} must be a TimeInterval object, not ${show(v)}`);
  const unknown = Object.keys(v).find((k) => k !== 'startAt' && k !== 'endAt');
  if (unknown !== undefined) return bad(`${where} member ${show(unknown)} is not one of startAt, endAt`);
  if (typeof v.startAt !== 'string' || !isDateTime(v.startAt)) return bad(`${where}.startAt ${show(v.startAt)} is not a DateTime`);
  if (v.endAt === undefined) return ok({ startAt: v.startAt });
  if (typeof v.endAt !== 'string' || !isDateTime(v.endAt)) return bad(`${where}.endAt ${show(v.endAt)} is not a DateTime`);
  return ok({ startAt: v.startAt, endAt: v.endAt });
}

function parseDatasetIds(v: unknown): Result<Members> {
  if (!Array.isArray(v) || v.length === 0) return bad(`${R} datasetId must be a non-empty array of URIs or "@none"`);
  const wrong = v.find((d) => typeof d !== 'string' || (d !== '@none' && !isUri(d)));
  return wrong === undefined ? ok({ datasetId: [...new Set(v as string[])] }) : bad(`${R} datasetId ${show(wrong)} is not a URI or "@none"`);
}

/** Clause 4.18: a scope, or an array of scopes. */
function parseScope(v: unknown): Result<Members> {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0) return bad(`${R} scope must be a scope or a non-empty array of scopes`);
  const wrong = list.find((s) => !isScope(s as string));
  return wrong === undefined ? ok({ scope: [...new Set(list as string[])] }) : bad(`${R} scope ${show(wrong)} is not a scope such as /Madrid/Gardens`);
}

/** Table 4.20-1 operations and table 4.20-2 groups; anything else is a 400. */
function parseOperations(v: unknown): Result<Array<Operation | OperationGroup>> {
  if (!Array.isArray(v) || v.length === 0) return bad(`${R} operations must be a non-empty array of operations or operation groups`);
  const out: Array<Operation | OperationGroup> = [];
  for (const o of v) {
    if (!isOperation(o) && !isOperationGroup(o)) return bad(`${R} operations item ${show(o)} is not an operation or an operation group (clause 4.20)`);
    if (!out.includes(o)) out.push(o);
  }
  return ok(out);
}

/** Clause 5.2.22 KeyValuePair: both members strings, the key non-empty. */
function keyValues(member: string, v: unknown): Result<KeyValuePair[]> {
  const where = `${R} ${member}`;
  if (!Array.isArray(v) || v.length === 0) return bad(`${where} must be a non-empty array of {key, value} objects`);
  const out: KeyValuePair[] = [];
  for (const p of v) {
    if (!isObject(p) || typeof p.key !== 'string' || p.key === '' || typeof p.value !== 'string' || Object.keys(p).length !== 2) {
      return bad(`${where} item ${show(p)} is not a {key, value} object with string members`);
    }
    out.push({ key: p.key, value: p.value });
  }
  return ok(out);
}

/** Clause 5.2.34 RegistrationManagementInfo. */
function parseManagement(v: unknown): Result<RegistrationManagement> {
  const where = `${R} management`;
  if (!isObject(v)) return bad(`${where} must be an object, not ${show(v)}`);
  const out: RegistrationManagement = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'localOnly') {
      if (typeof x !== 'boolean') return bad(`${where}.localOnly must be a boolean, not ${show(x)}`);
      out.localOnly = x;
    } else if (k === 'cacheDuration') {
      if (typeof x !== 'string' || x === '') return bad(`${where}.cacheDuration must be a duration string, not ${show(x)}`);
      out.cacheDuration = x;
    } else if (k === 'timeout' || k === 'cooldown') {
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 1) return bad(`${where}.${k} must be a number of milliseconds, 1 or more, not ${show(x)}`);
      out[k] = x;
    } else return bad(`${where} member ${show(k)} is not one of localOnly, cacheDuration, timeout, cooldown`);
  }
  return ok(out);
}

/** A registrant's Property (clause 5.2.9 CSourcePropertyName): a Property object or a plain value. */
function parseProperty(key: string, v: unknown, tm: TermMap, seen: Record<string, unknown> | undefined): Result<Members> {
  if (!isValidAttributeName(key)) return bad(`${R} member ${show(key)} is not defined by clause 5.2.9 and is not a valid Property name`);
  const iri = tm.expand(key);
  if (!isUri(iri)) return bad(`${R} member ${show(key)} does not expand to an IRI with the given @context`);
  if (seen !== undefined && Object.hasOwn(seen, iri)) return bad(`${R} Property ${show(key)} is given twice`);
  let value = v;
  if (isObject(v) && v.type !== undefined) {
    const extra = Object.keys(v).find((k) => k !== 'type' && k !== 'value');
    if (v.type !== 'Property' || v.value === undefined || extra !== undefined) {
      return bad(`${R} Property ${show(key)} must be a plain value or {"type": "Property", "value": …}`);
    }
    value = v.value;
  }
  if (value === null || value === NGSI_LD_NULL) return bad(`${R} Property ${show(key)} has no value`);
  return ok({ properties: { ...seen, [iri]: value } });
}
