/**
 * Distributed writes of one entity (clause 4.3.6.3: Create, Update, Append, Merge, Replace, Delete). The
 * registrations that can take the write are split by mode: an exclusive or redirect source holds the attributes it
 * registers, so they are written there and not here; an inclusive source receives its attributes as well as the
 * local entity; an auxiliary one never receives writes (clause 4.3.6.2). Each source's answer (201 or 204, 207 with
 * updated/notUpdated, or a failure) is read into the attributes it updated and those it did not.
 */
import type { TermMap } from '../core/context/termmap.js';
import type { RegistrationMatch } from '../core/csr/match.js';
import type { AttrOutcome } from '../core/entity/ops.js';
import { forwardingOf, record, type Federation } from './distribute.js';
import { askSource, type Forwarding, type SourceRequest } from './source-client.js';

/** Which attributes go where: `proxied` are written only at sources; `sources` lists what each source receives. */
export interface WritePlan {
  proxied: Set<string>;
  sources: Array<{ match: RegistrationMatch; attrs: string[] }>;
}

export function planWrite(matches: readonly RegistrationMatch[], attrs: readonly string[]): WritePlan {
  const plan: WritePlan = { proxied: new Set(), sources: [] };
  for (const m of matches) {
    if (m.registration.mode === 'auxiliary') continue;
    const mine = attrs.filter((a) => m.attrs === undefined || m.attrs.includes(a));
    if (mine.length === 0) continue;
    plan.sources.push({ match: m, attrs: mine });
    if (m.registration.mode === 'exclusive' || m.registration.mode === 'redirect') mine.forEach((a) => plan.proxied.add(a));
  }
  return plan;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Members of an entity body that are not attributes: every part of a write carries them. */
const ENTITY_MEMBERS = new Set(['@context', 'id', '@id', 'type', '@type', 'scope']);

/** The request body restricted to some attributes (names as the client wrote them; its @context, id and type kept). */
export function bodyFor(body: unknown, attrs: readonly string[], tm: TermMap): Record<string, unknown> {
  const keep = new Set(attrs);
  return Object.fromEntries(Object.entries(body as Record<string, unknown>).filter(([k]) => ENTITY_MEMBERS.has(k) || keep.has(tm.expand(k))));
}

function outcomeOf(status: number, body: unknown, sent: readonly string[], tm: TermMap, endpoint: string): AttrOutcome {
  if (status !== 207 || !isObject(body)) return { updated: [...sent], notUpdated: [] };
  const updated = Array.isArray(body.updated) ? body.updated.filter((x): x is string => typeof x === 'string').map((x) => tm.expand(x)) : [];
  const notUpdated = sent
    .filter((a) => !updated.includes(a))
    .map((a) => ({ attributeName: a, reason: `Context source ${endpoint} does not update it` }));
  return { updated, notUpdated };
}

/** Sends each source its part of a write (`request` builds it from the attributes the source takes), in parallel. */
export async function writeAtSources(
  fed: Federation,
  f: Omit<Forwarding, 'self' | 'timeoutMs'>,
  tm: TermMap,
  plan: WritePlan,
  request: (attrs: readonly string[]) => SourceRequest,
): Promise<AttrOutcome[]> {
  const forwarding = forwardingOf(fed, f);
  return Promise.all(
    plan.sources.map(async ({ match, attrs }) => {
      const r = match.registration;
      const answer = await askSource(r, forwarding, request(attrs));
      await record(fed, f.tenant, r.id, answer.ok);
      if (answer.ok) return outcomeOf(answer.status, answer.body, attrs, tm, r.endpoint);
      return { updated: [], notUpdated: attrs.map((a) => ({ attributeName: a, reason: answer.detail })) };
    }),
  );
}

/**
 * Combines the outcomes of every party: an attribute is updated when every party it was sent to updated it; a
 * failure at one of them (an inclusive source that is down, say) is reported with that party's reason.
 */
export function combineOutcomes(outcomes: readonly AttrOutcome[]): AttrOutcome {
  const failed = new Map<string, string>();
  for (const n of outcomes.flatMap((o) => o.notUpdated)) if (!failed.has(n.attributeName)) failed.set(n.attributeName, n.reason);
  const updated = [...new Set(outcomes.flatMap((o) => o.updated))].filter((a) => !failed.has(a));
  return { updated, notUpdated: [...failed].map(([attributeName, reason]) => ({ attributeName, reason })) };
}
