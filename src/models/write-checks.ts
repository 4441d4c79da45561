/**
 * The validation hook of entity writes (every create, update, append, merge, replace and batch operation of the
 * API): a request takes one WriteChecks for its tenant, asks it about each entity as it will be stored, and after
 * its transaction commits lets it record what warn mode found.
 *
 * It is on the hot path of every write: a tenant without a model in warn or enforce mode gets NO_CHECKS, whose
 * `refusal` returns at once (one Map look-up per request is all validation costs when it is off).
 */
import type { TermMap } from '../core/context/termmap.js';
import type { Entity } from '../core/entity/model.js';
import { problem, ProblemError, type Problem } from '../core/problem.js';
import type { ViolationRecord } from '../store/port.js';
import { judge } from './conformance.js';
import type { ReadyModel } from './registry.js';

/** A model validating one tenant's writes, reached by the entity type IRI it governs (or its alias). */
export interface ActiveModel {
  readonly mode: 'warn' | 'enforce';
  readonly model: ReadyModel;
  /** The context the entity's names are compacted with: the model's, or the core one for its alias. */
  readonly tm: TermMap;
}

export type RecordViolations = (tenant: string, records: readonly ViolationRecord[]) => Promise<void>;

export class WriteChecks {
  readonly #records = new Map<string, ViolationRecord>();

  constructor(
    private readonly tenant: string,
    private readonly active: ReadonlyMap<string, ActiveModel> | undefined,
    private readonly store: RecordViolations,
    private readonly now: () => string,
  ) {}

  /**
   * The 400 that refuses `e`, as it would be stored, when a model of one of its types in enforce mode finds
   * violations; undefined otherwise. What models in warn mode find is kept for record().
   */
  refusal(e: Entity): Problem | undefined {
    const active = this.active;
    if (active === undefined) return undefined;
    const seen = new Set<string>();
    const warned: ViolationRecord[] = [];
    for (const t of e.types) {
      const a = active.get(t);
      if (a === undefined || seen.has(a.model.entry.typeIri)) continue;
      seen.add(a.model.entry.typeIri);
      const violations = judge(e, a.model, a.tm);
      if (a.mode === 'enforce' && violations.length > 0) {
        const [first] = violations;
        const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
        return problem('BadRequestData', `Entity ${e.id} does not conform to model ${a.model.name}: ${first.pointer || '/'} ${first.message}${more}`, {
          model: a.model.name,
          violations,
        });
      }
      if (a.mode === 'warn') warned.push({ entityId: e.id, typeIri: a.model.entry.typeIri, violations, recordedAt: this.now() });
    }
    for (const r of warned) this.#records.set(`${r.entityId}\n${r.typeIri}`, r);
    return undefined;
  }

  /** Throws the refusal (single-entity operations answer it as their 400). */
  enforce(e: Entity): void {
    const p = this.refusal(e);
    if (p !== undefined) throw new ProblemError(p);
  }

  /** Records what warn mode found, after the write committed: for the entities in `written`, or all. */
  async record(written?: ReadonlySet<string>): Promise<void> {
    if (this.#records.size === 0) return;
    const records = [...this.#records.values()].filter((r) => written === undefined || written.has(r.entityId));
    this.#records.clear();
    if (records.length > 0) await this.store(this.tenant, records);
  }
}

const nothing = async () => undefined;

/** The checks of a tenant without active models: nothing to judge, nothing to record. */
export const NO_CHECKS = new WriteChecks('', undefined, nothing, () => '');
