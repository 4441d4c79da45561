/**
 * Distributed retrieval (clause 4.3.6.4): which registered context sources a query or a retrieval concerns, asking
 * them in parallel, and reading their answers. A source that fails (unreachable, too slow, an error status, a body
 * that is not JSON) is reported back and counted on its registration (timesSent, timesFailed, lastSuccess,
 * lastFailure, clause 5.2.9); it never fails the request. Registrations are selected in SQL by their entities and
 * attributes (store/registrations/where.ts), then checked in memory for their operations and expiry
 * (core/csr/match.ts); `csf` selects among them by their own members; the source itself evaluates q, geo-queries
 * and scopeQ.
 */
import type { TermMap } from '../core/context/termmap.js';
import { byPrecedence, matchRegistration, type EntityTarget, type RegistrationMatch } from '../core/csr/match.js';
import type { Operation } from '../core/csr/operations.js';
import type { Entity } from '../core/entity/model.js';
import type { QExpr } from '../core/query/q-ast.js';
import type { RegistrationSelection, RegistrationStore } from '../store/port.js';
import type { RegistrationPresence } from './presence.js';
import { remoteEntity } from './remote-entity.js';
import { askSource, type Forwarding, type SourceAnswer, type SourceRequest } from './source-client.js';

export interface Federation {
  /** This broker's identity (a URI): named in Via, and recognised there as a loop. */
  readonly self: string;
  readonly timeoutMs: number;
  readonly registrations: RegistrationStore;
  readonly now: () => string;
  /** Why a source's endpoint must not be reached (the SSRF guard of MIMOSA_NOTIFICATION_DENY), if it must not. */
  readonly deny: (uri: string) => Promise<string | undefined>;
  /** Which tenants have registrations: the others skip discovery. */
  readonly presence: Pick<RegistrationPresence, 'mayHave' | 'registered'>;
}

export interface SourceFailure {
  registration: string;
  detail: string;
}

export interface RemoteResult {
  /** The entities each source answered, one list per source that answered. */
  lists: Entity[][];
  failures: SourceFailure[];
  /** How many sources were asked. */
  asked: number;
}

/** More registrations than this for one request is a configuration problem, not a federation. */
const MAX_SOURCES = 100;

/** The registrations of the tenant that can answer `operation` for `target`, in the order of clause 4.3.6.4. */
export async function matchingSources(
  fed: Federation,
  tenant: string,
  target: EntityTarget,
  operation: Operation,
  csf?: QExpr,
): Promise<RegistrationMatch[]> {
  if (!fed.presence.mayHave(tenant)) return [];
  const sel: RegistrationSelection =
    target.kind === 'entity'
      ? { ids: [target.id], attrs: target.attrs }
      : { type: target.type, ids: target.ids, idPattern: target.idPattern, attrs: target.attrs };
  if (csf !== undefined) sel.csf = csf;
  const found = await fed.registrations.queryRegistrations(tenant, { ...sel, limit: MAX_SOURCES, offset: 0, count: false });
  const now = fed.now();
  const matches = found.items.map((s) => matchRegistration(s.registration, target, { operation, now })).filter((m) => m !== undefined);
  return byPrecedence(matches);
}

function entitiesOf(answer: SourceAnswer & { ok: true }, tm: TermMap, now: string): Entity[] | undefined {
  if (answer.status === 404) return [];
  const items = Array.isArray(answer.body) ? answer.body : [answer.body];
  const out: Entity[] = [];
  for (const raw of items) {
    const e = remoteEntity(raw, tm, now);
    if (!e) return undefined;
    out.push(e);
  }
  return out;
}

/** How requests of this broker reach sources: the request's tenant, @context and Via, and this broker's limits. */
export function forwardingOf(fed: Federation, f: Omit<Forwarding, 'self' | 'timeoutMs' | 'deny'>): Forwarding {
  return { ...f, self: fed.self, timeoutMs: fed.timeoutMs, deny: fed.deny };
}

export async function record(fed: Federation, tenant: string, id: string, ok: boolean): Promise<void> {
  try {
    await fed.registrations.recordDistributed(tenant, id, { ok, at: fed.now() });
  } catch {
    // bookkeeping must not fail the request it describes (the registration may be gone meanwhile)
  }
}

/** Asks every matching source in parallel and reads the entities they answer. */
export async function askSources(
  fed: Federation,
  f: Omit<Forwarding, 'self' | 'timeoutMs'>,
  tm: TermMap,
  matches: readonly RegistrationMatch[],
  build: (m: RegistrationMatch) => SourceRequest,
): Promise<RemoteResult> {
  const forwarding = forwardingOf(fed, f);
  const answers = await Promise.all(
    matches.map(async (m) => {
      const answer = await askSource(m.registration, forwarding, build(m));
      const entities = answer.ok ? entitiesOf(answer, tm, fed.now()) : undefined;
      const detail = answer.ok ? `Context source ${m.registration.endpoint} answers something that is not NGSI-LD entities` : answer.detail;
      await record(fed, f.tenant, m.registration.id, entities !== undefined);
      return entities !== undefined ? { entities, failure: undefined } : { entities: undefined, failure: { registration: m.registration.id, detail } };
    }),
  );
  const result: RemoteResult = { lists: [], failures: [], asked: matches.length };
  for (const a of answers) {
    if (a.entities !== undefined) result.lists.push(a.entities);
    else if (a.failure !== undefined) result.failures.push(a.failure);
  }
  return result;
}

/** The NGSILD-Warning header reporting the sources that failed, or undefined when none did. */
export function warningOf(failures: readonly SourceFailure[]): string | undefined {
  if (failures.length === 0) return undefined;
  return failures.map((x) => `199 ${x.registration} ${JSON.stringify(x.detail)}`).join(', ');
}
