/**
 * Distributed batch operations (clause 4.3.6.3 applied to 5.6.7–5.6.10 and 5.6.20): each entity of a batch is
 * matched against the tenant's registrations as its single-entity write would be (write.ts: exclusive and redirect
 * sources take their attributes alone, inclusive ones share them, auxiliary ones never receive writes), then every
 * source receives one sub-batch with its part of each entity it concerns, in parallel. A source's answer (201 or 204:
 * all done; 207 BatchOperationResult: some entities failed; anything else: every entity sent failed) is read back
 * per entity.
 */
import { byPrecedence, matchRegistration, type RegistrationMatch } from '../core/csr/match.js';
import type { ContextSourceRegistration } from '../core/csr/model.js';
import type { Operation } from '../core/csr/operations.js';
import { forwardingOf, record, type Federation } from './distribute.js';
import { askSource, type Forwarding } from './source-client.js';
import { planWrite } from './write.js';

/** More registrations than this in one tenant is a configuration problem, not a federation. */
const MAX_REGISTRATIONS = 1000;

/** One entity of a batch as matching sees it. */
export interface BatchItem {
  index: number;
  id: string;
  /** The types the item gives the entity; undefined: unknown (any type may match). */
  types?: readonly string[];
  /** Expanded attribute names the item writes (empty for a delete). */
  attrs: readonly string[];
}

export interface SourceBatch {
  registration: ContextSourceRegistration;
  /** The items this source receives, each with the attributes it takes (all of the item's for a delete). */
  items: Array<{ index: number; id: string; attrs: readonly string[] }>;
}

export interface BatchPlan {
  /** Per item index, the attributes that stay here; an item absent from the map is written at sources only. */
  local: Map<number, Set<string>>;
  sources: SourceBatch[];
}

/** Where each entity of a batch goes; undefined when the whole batch stays local. */
export async function planBatch(fed: Federation, tenant: string, operation: Operation, items: readonly BatchItem[]): Promise<BatchPlan | undefined> {
  if (!fed.presence.mayHave(tenant) || items.length === 0) return undefined;
  const found = await fed.registrations.queryRegistrations(tenant, { limit: MAX_REGISTRATIONS, offset: 0, count: false });
  const now = fed.now();
  const regs = found.items.map((s) => s.registration);
  const bySource = new Map<string, SourceBatch>();
  const local = new Map<number, Set<string>>();
  for (const item of items) {
    const target = { kind: 'entity' as const, id: item.id, types: item.types, attrs: item.attrs.length > 0 ? [...item.attrs] : undefined };
    const matches = byPrecedence(regs.map((r) => matchRegistration(r, target, { operation, now })).filter((m): m is RegistrationMatch => m !== undefined));
    const parts = operation === 'deleteBatch' ? deleteParts(matches) : planWrite(matches, item.attrs);
    for (const { match, attrs } of parts.sources) {
      const r = match.registration;
      const batch = bySource.get(r.id) ?? { registration: r, items: [] };
      batch.items.push({ index: item.index, id: item.id, attrs });
      bySource.set(r.id, batch);
    }
    const keep = new Set(item.attrs.filter((a) => !parts.proxied.has(a)));
    // an item every attribute of which went to exclusive or redirect sources is not written here at all
    if (keep.size > 0 || parts.sources.length === 0 || operation === 'deleteBatch') local.set(item.index, keep);
  }
  return bySource.size > 0 ? { local, sources: [...bySource.values()] } : undefined;
}

/** A delete concerns every non-auxiliary source registered for the entity; the entity is deleted here as well. */
function deleteParts(matches: readonly RegistrationMatch[]): ReturnType<typeof planWrite> {
  return { proxied: new Set(), sources: matches.filter((m) => m.registration.mode !== 'auxiliary').map((match) => ({ match, attrs: [] })) };
}

/** Why a source did not write an entity: its reason, and the HTTP status of its error when it gave one. */
export interface SourceFailure {
  detail: string;
  status?: number;
}

/** What one source made of the entities it received: the ids it failed, with its reason. */
export interface SourceOutcome {
  registration: string;
  sent: string[];
  failed: Map<string, SourceFailure>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function failuresOf(body: unknown, endpoint: string): Map<string, SourceFailure> {
  const failed = new Map<string, SourceFailure>();
  const errors = isObject(body) && Array.isArray(body.errors) ? body.errors : [];
  for (const e of errors) {
    if (!isObject(e) || typeof e.entityId !== 'string') continue;
    const detail = isObject(e.error) && typeof e.error.detail === 'string' ? e.error.detail : 'no reason given';
    const status = isObject(e.error) && typeof e.error.status === 'number' ? e.error.status : undefined;
    failed.set(e.entityId, { detail: `Context source ${endpoint}: ${detail}`, status });
  }
  return failed;
}

/**
 * Sends every source its sub-batch (`body` builds the element for one item and the attributes the source takes)
 * to `path` (e.g. /entityOperations/upsert), in parallel.
 */
export function sendBatches(
  fed: Federation,
  f: Omit<Forwarding, 'self' | 'timeoutMs' | 'deny'>,
  plan: BatchPlan,
  path: string,
  params: URLSearchParams | undefined,
  body: (index: number, attrs: readonly string[]) => unknown,
): Promise<SourceOutcome[]> {
  const forwarding = forwardingOf(fed, f);
  return Promise.all(
    plan.sources.map(async ({ registration: r, items }) => {
      const sent = items.map((i) => i.id);
      const answer = await askSource(r, forwarding, { method: 'POST', path, params, body: items.map((i) => body(i.index, i.attrs)), accept: [200, 201, 204, 207] });
      await record(fed, f.tenant, r.id, answer.ok);
      if (!answer.ok) return { registration: r.id, sent, failed: new Map(sent.map((id) => [id, { detail: answer.detail }])) };
      return { registration: r.id, sent, failed: answer.status === 207 ? failuresOf(answer.body, r.endpoint) : new Map<string, SourceFailure>() };
    }),
  );
}
