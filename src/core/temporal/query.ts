/**
 * The temporal query (clause 4.11, data type TemporalQuery of clause 5.2.21) and the choice of temporal
 * representation (clause 6.3.12: normalized, temporalValues of clause 4.5.9, aggregatedValues of clause 4.5.19),
 * parsed from URL parameters or from a Query body's `temporalQ` into one model. Pure: every expected failure is a
 * BadRequestData value naming the parameter.
 */
import { isDateTime } from '../entity/uri.js';
import { fail, ok, type Result } from '../problem.js';
import { parseDuration, type Duration } from './duration.js';

export const TIME_RELATIONS = ['before', 'after', 'between'] as const;
export type TimeRel = (typeof TIME_RELATIONS)[number];

/** Clause 4.8: the Temporal Properties a temporal query may apply to; observedAt is the default. */
export const TIME_PROPERTIES = ['observedAt', 'createdAt', 'modifiedAt', 'deletedAt'] as const;
export type TimeProperty = (typeof TIME_PROPERTIES)[number];

/** Clause 4.5.19.1. */
export const AGGREGATION_METHODS = ['totalCount', 'distinctCount', 'sum', 'avg', 'min', 'max', 'stddev', 'sumsq'] as const;
export type AggregationMethod = (typeof AGGREGATION_METHODS)[number];

/** The time interval of clause 4.11: before is exclusive, after inclusive, between [timeAt, endTimeAt). */
export interface TimeInterval {
  timerel: TimeRel;
  /** Milliseconds since the epoch. */
  timeAt: number;
  /** For between only. */
  endTimeAt?: number;
}

export interface TemporalQuery {
  /** Absent: every instance (Retrieve Temporal Evolution without a temporal query). */
  interval?: TimeInterval;
  timeproperty: TimeProperty;
  /** Only the last n instances per attribute within the interval (clause 5.7.3.4). */
  lastN?: number;
}

export interface Aggregation {
  methods: AggregationMethod[];
  /** A zero duration spans the whole time range. */
  period: Duration;
}

export type TemporalFormat = 'normalized' | 'temporalValues' | 'aggregatedValues';

export interface TemporalRepresentation {
  format: TemporalFormat;
  sysAttrs: boolean;
  /** Present exactly when format is aggregatedValues. */
  aggregation?: Aggregation;
}

/** The members of a temporal query as they arrive: strings from a URL, any JSON from a body. */
export interface TemporalQueryInput {
  timerel?: unknown;
  timeAt?: unknown;
  endTimeAt?: unknown;
  timeproperty?: unknown;
  lastN?: unknown;
}

const bad = <T>(detail: string) => fail<T>('BadRequestData', detail);
const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v.slice(0, 50)) : JSON.stringify(v)?.slice(0, 50) ?? String(v));

function dateTime(name: string, v: unknown): Result<number> {
  if (typeof v !== 'string' || !isDateTime(v)) return bad(`${name} ${show(v)} is not a DateTime (clause 4.6.3), such as 2024-05-01T12:00:00Z`);
  return ok(Date.parse(v));
}

/** A positive integer, from a URL string or a JSON number. */
function positive(name: string, v: unknown): Result<number> {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) return bad(`${name} must be a positive integer, not ${show(v)}`);
  return ok(n);
}

function interval(i: TemporalQueryInput, required: boolean): Result<TimeInterval | undefined> {
  if (i.timerel === undefined) {
    if (i.timeAt !== undefined) return bad('timeAt needs timerel (before, after or between)');
    if (i.endTimeAt !== undefined) return bad('endTimeAt needs timerel=between');
    return required ? bad('A temporal query needs timerel (before, after or between) and timeAt') : ok(undefined);
  }
  if (typeof i.timerel !== 'string' || !(TIME_RELATIONS as readonly string[]).includes(i.timerel)) {
    return bad(`timerel must be before, after or between, not ${show(i.timerel)}`);
  }
  const timerel = i.timerel as TimeRel;
  if (i.timeAt === undefined) return bad(`timerel=${timerel} needs timeAt`);
  const at = dateTime('timeAt', i.timeAt);
  if (!at.ok) return at;
  if (timerel !== 'between') {
    if (i.endTimeAt !== undefined) return bad(`endTimeAt applies to timerel=between only, not to timerel=${timerel}`);
    return ok({ timerel, timeAt: at.value });
  }
  if (i.endTimeAt === undefined) return bad('timerel=between needs endTimeAt');
  const end = dateTime('endTimeAt', i.endTimeAt);
  if (!end.ok) return end;
  if (end.value <= at.value) return bad('endTimeAt must be later than timeAt');
  return ok({ timerel, timeAt: at.value, endTimeAt: end.value });
}

/**
 * Clause 4.11 and 5.2.21: timerel with timeAt (and endTimeAt for between), timeproperty, lastN. `required`: Query
 * Temporal Evolution (5.7.4) demands a temporal query; Retrieve (5.7.3) does not.
 */
export function parseTemporalQuery(i: TemporalQueryInput, o: { required: boolean }): Result<TemporalQuery> {
  const iv = interval(i, o.required);
  if (!iv.ok) return iv;
  let timeproperty: TimeProperty = 'observedAt';
  if (i.timeproperty !== undefined) {
    if (typeof i.timeproperty !== 'string' || !(TIME_PROPERTIES as readonly string[]).includes(i.timeproperty)) {
      return bad(`timeproperty must be one of ${TIME_PROPERTIES.join(', ')}, not ${show(i.timeproperty)}`);
    }
    timeproperty = i.timeproperty as TimeProperty;
  }
  const q: TemporalQuery = { timeproperty };
  if (iv.value) q.interval = iv.value;
  if (i.lastN !== undefined) {
    const n = positive('lastN', i.lastN);
    if (!n.ok) return n;
    q.lastN = n.value;
  }
  return ok(q);
}

/** `aggrMethods`: a comma-separated string (URL) or an array of strings (body). */
function methods(raw: unknown): Result<AggregationMethod[]> {
  const items = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()) : Array.isArray(raw) ? raw : undefined;
  if (!items || items.length === 0) return bad('aggrMethods must be a comma-separated list of aggregation methods');
  const out: AggregationMethod[] = [];
  for (const m of items) {
    if (typeof m !== 'string' || !(AGGREGATION_METHODS as readonly string[]).includes(m)) {
      return bad(`aggrMethods has ${show(m)}, which is not one of ${AGGREGATION_METHODS.join(', ')}`);
    }
    if (!out.includes(m as AggregationMethod)) out.push(m as AggregationMethod);
  }
  return ok(out);
}

export interface RepresentationInput {
  /** The `options` list, split. */
  options?: readonly string[];
  format?: unknown;
  aggrMethods?: unknown;
  aggrPeriodDuration?: unknown;
}

const FORMATS: readonly string[] = ['normalized', 'temporalValues', 'aggregatedValues'];

/**
 * Clause 6.3.12: `format` (which takes precedence) or the deprecated `options` choose the representation; options
 * also carry sysAttrs (clause 6.3.11). aggrMethods is required with aggregatedValues and applies to nothing else.
 */
export function parseTemporalRepresentation(i: RepresentationInput): Result<TemporalRepresentation> {
  const options = i.options ?? [];
  for (const o of options) {
    if (!FORMATS.includes(o) && o !== 'sysAttrs') return bad(`Option ${show(o)} is not known for a temporal operation; known: temporalValues, aggregatedValues, sysAttrs`);
  }
  const fromOptions = options.filter((o) => o === 'temporalValues' || o === 'aggregatedValues' || o === 'normalized');
  if (new Set(fromOptions).size > 1) return bad(`Conflicting representations requested: ${[...new Set(fromOptions)].join(', ')}`);
  if (i.format !== undefined && (typeof i.format !== 'string' || !FORMATS.includes(i.format))) {
    return bad(`format must be one of ${FORMATS.join(', ')} for a temporal operation, not ${show(i.format)}`);
  }
  const format = ((i.format as string | undefined) ?? fromOptions[0] ?? 'normalized') as TemporalFormat;
  const r: TemporalRepresentation = { format, sysAttrs: options.includes('sysAttrs') };
  if (format !== 'aggregatedValues') {
    if (i.aggrMethods !== undefined) return bad('aggrMethods applies only to the aggregated representation (format=aggregatedValues)');
    if (i.aggrPeriodDuration !== undefined) return bad('aggrPeriodDuration applies only to the aggregated representation (format=aggregatedValues)');
    return ok(r);
  }
  if (i.aggrMethods === undefined) return bad('The aggregated representation (aggregatedValues) needs aggrMethods');
  const m = methods(i.aggrMethods);
  if (!m.ok) return m;
  let period: Duration = { months: 0, millis: 0 };
  if (i.aggrPeriodDuration !== undefined) {
    if (typeof i.aggrPeriodDuration !== 'string') return bad('aggrPeriodDuration must be a string');
    const d = parseDuration(i.aggrPeriodDuration);
    if (!d.ok) return d;
    period = d.value;
  }
  return ok({ ...r, aggregation: { methods: m.value, period } });
}
