/**
 * Temporal matching of registrations (clause 5.10.2, clause 5.2.9 observationInterval/managementInterval): a
 * temporal query (timerel, timeAt, endTimeAt, timeproperty, clause 4.11) selects the registrations of sources that
 * provide history within its range; without one, only sources of latest information (no interval) are selected.
 * observedAt queries are matched against observationInterval, the other time properties against
 * managementInterval, "for overlap" (OpenAPI CsourceRegistration).
 */
import { isDateTime } from '../entity/uri.js';
import { fail, ok, type Result } from '../problem.js';
import type { TimeInterval } from './model.js';

export const timeRelations = ['before', 'after', 'between'] as const;
export const timeProperties = ['observedAt', 'createdAt', 'modifiedAt', 'deletedAt'] as const;

export interface RegistrationTimeQuery {
  timerel: (typeof timeRelations)[number];
  timeAt: string;
  /** For between only. */
  endTimeAt?: string;
  timeproperty: (typeof timeProperties)[number];
}

export interface TimeQueryInput {
  timerel?: unknown;
  timeAt?: unknown;
  endTimeAt?: unknown;
  timeproperty?: unknown;
}

const bad = (detail: string) => fail<never>('BadRequestData', detail);
const show = (v: unknown) => JSON.stringify(v)?.slice(0, 60) ?? String(v);

/** Undefined when no temporal query is given (no timerel, timeAt, endTimeAt nor timeproperty). */
export function parseTimeQuery(i: TimeQueryInput, where = ''): Result<RegistrationTimeQuery | undefined> {
  if (i.timerel === undefined && i.timeAt === undefined && i.endTimeAt === undefined && i.timeproperty === undefined) return ok(undefined);
  if (!(timeRelations as readonly unknown[]).includes(i.timerel)) return bad(`${where}timerel ${show(i.timerel)} is not one of before, after, between`);
  if (typeof i.timeAt !== 'string' || !isDateTime(i.timeAt)) return bad(`${where}timeAt ${show(i.timeAt)} is not a DateTime`);
  const q: RegistrationTimeQuery = { timerel: i.timerel as RegistrationTimeQuery['timerel'], timeAt: i.timeAt, timeproperty: 'observedAt' };
  if (i.timeproperty !== undefined) {
    if (!(timeProperties as readonly unknown[]).includes(i.timeproperty)) return bad(`${where}timeproperty ${show(i.timeproperty)} is not one of ${timeProperties.join(', ')}`);
    q.timeproperty = i.timeproperty as RegistrationTimeQuery['timeproperty'];
  }
  if (q.timerel !== 'between') return i.endTimeAt === undefined ? ok(q) : bad(`${where}endTimeAt only goes with timerel between`);
  if (typeof i.endTimeAt !== 'string' || !isDateTime(i.endTimeAt)) return bad(`${where}endTimeAt ${show(i.endTimeAt)} is not a DateTime (timerel between needs one)`);
  if (!(Date.parse(i.endTimeAt) > Date.parse(i.timeAt))) return bad(`${where}endTimeAt must be later than timeAt`);
  return ok({ ...q, endTimeAt: i.endTimeAt });
}

/** The query's range [from, to) in milliseconds (an open end is infinite): before is exclusive, after inclusive. */
export function rangeOf(q: RegistrationTimeQuery): { from: number; to: number } {
  const at = Date.parse(q.timeAt);
  if (q.timerel === 'before') return { from: -Infinity, to: at };
  if (q.timerel === 'after') return { from: at, to: Infinity };
  return { from: at, to: Date.parse(q.endTimeAt as string) };
}

/** Which interval of a registration a query's time property is matched against. */
export const intervalMember = (q: RegistrationTimeQuery): 'observationInterval' | 'managementInterval' =>
  q.timeproperty === 'observedAt' ? 'observationInterval' : 'managementInterval';

/** Whether [startAt, endAt) and the query's range share an instant. */
export function overlaps(interval: TimeInterval, q: RegistrationTimeQuery): boolean {
  const { from, to } = rangeOf(q);
  const start = Date.parse(interval.startAt);
  const end = interval.endAt === undefined ? Infinity : Date.parse(interval.endAt);
  return start < to && end > from;
}
