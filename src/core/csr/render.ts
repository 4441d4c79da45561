/**
 * The stored registration (model.ts) → its JSON representation (clause 5.2.9, with RegistrationInfo 5.2.10 and
 * EntityInfo 5.2.8), names compacted with the reader's @context. Pure: the caller gives the bookkeeping.
 *
 * Members come out in the order of table 5.2.9-1; members the registration does not have are left out, except the
 * counters timesSent and timesFailed (0 until the first distributed operation). The registrant's own Properties
 * come back as Properties (`{"type": "Property", "value": …}`), whichever form they were given in.
 */
import type { TermMap } from '../context/termmap.js';
import { statusOf, type ContextSourceRegistration, type EntityInfo, type RegistrationInfo, type RegistrationStatus } from './model.js';

type Json = Record<string, unknown>;

export interface RegistrationRenderOptions {
  /** createdAt and modifiedAt (clause 6.3.11 options=sysAttrs). */
  sysAttrs?: boolean;
}

const set = (out: Json, key: string, value: unknown) => {
  if (value !== undefined) out[key] = value;
};

/** Clause 5.2.9: the registration as a client reads it; without `s` (a notification) the bookkeeping is left out. */
export function renderRegistration(r: ContextSourceRegistration, s: RegistrationStatus | undefined, tm: TermMap, o: RegistrationRenderOptions = {}): Json {
  const out: Json = { id: r.id, type: 'ContextSourceRegistration' };
  set(out, 'registrationName', r.registrationName);
  set(out, 'description', r.description);
  out.information = r.information.map((i) => renderInfo(i, tm));
  set(out, 'datasetId', r.datasetId && [...r.datasetId]);
  set(out, 'tenant', r.tenant);
  set(out, 'observationInterval', r.observationInterval && { ...r.observationInterval });
  set(out, 'managementInterval', r.managementInterval && { ...r.managementInterval });
  set(out, 'location', r.location);
  set(out, 'observationSpace', r.observationSpace);
  set(out, 'operationSpace', r.operationSpace);
  set(out, 'expiresAt', r.expiresAt);
  out.endpoint = r.endpoint;
  set(out, 'contextSourceInfo', r.contextSourceInfo?.map((p) => ({ key: p.key, value: p.value })));
  set(out, 'scope', r.scope && (r.scope.length === 1 ? r.scope[0] : [...r.scope]));
  out.mode = r.mode;
  out.operations = [...r.operations];
  set(out, 'refreshRate', r.refreshRate);
  set(out, 'management', r.management && { ...r.management });
  set(out, 'contextSourceAlias', r.contextSourceAlias);
  for (const [iri, value] of Object.entries(r.properties ?? {})) out[tm.compact(iri)] = { type: 'Property', value };
  if (s !== undefined) {
    set(out, 'status', statusOf(s));
    out.timesSent = s.timesSent;
    out.timesFailed = s.timesFailed;
    set(out, 'lastSuccess', s.lastSuccess);
    set(out, 'lastFailure', s.lastFailure);
  }
  if (o.sysAttrs) {
    out.createdAt = r.createdAt;
    out.modifiedAt = r.modifiedAt;
  }
  return out;
}

function renderInfo(i: RegistrationInfo, tm: TermMap): Json {
  const out: Json = {};
  set(out, 'entities', i.entities?.map((e) => renderEntityInfo(e, tm)));
  set(out, 'propertyNames', i.propertyNames?.map((n) => tm.compact(n)));
  set(out, 'relationshipNames', i.relationshipNames?.map((n) => tm.compact(n)));
  return out;
}

/** Clause 5.2.8: one type as a string, several as an array. */
function renderEntityInfo(e: EntityInfo, tm: TermMap): Json {
  const out: Json = {};
  set(out, 'id', e.id);
  set(out, 'idPattern', e.idPattern);
  out.type = e.types.length === 1 ? tm.compact(e.types[0]) : e.types.map((t) => tm.compact(t));
  return out;
}
