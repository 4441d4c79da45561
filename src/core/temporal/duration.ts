/**
 * ISO 8601 durations as clause 4.5.19.1 restricts them for aggrPeriodDuration: `P[n]Y[n]M[n]DT[n]H[n]M[n]S` or
 * `P[n]W`; elements whose value is zero may be omitted, lower-order ones too; "alternative representations based on
 * combined date and time representations are not allowed". A zero duration (`PT0S`, `P0D`) is valid and spans the
 * whole time range of the temporal query.
 *
 * Years and months are calendar units (a month is not a fixed number of seconds); weeks, days, hours, minutes and
 * seconds are fixed (a day is 86,400 s: every time is UTC, which has no daylight saving).
 */
import { fail, ok, type Result } from '../problem.js';

export interface Duration {
  /** Calendar part: years × 12 + months. */
  readonly months: number;
  /** Fixed part, in milliseconds (weeks, days, hours, minutes, seconds). */
  readonly millis: number;
}

/** Integers up to nine digits: a billion seconds is 31 years, and no element needs more. */
const N = '(\\d{1,9})';
const SECONDS = '(\\d{1,9}(?:[.,]\\d{1,3})?)';
const DATE_TIME = new RegExp(`^P(?:${N}Y)?(?:${N}M)?(?:${N}D)?(?:T(?:${N}H)?(?:${N}M)?(?:${SECONDS}S)?)?$`);
const WEEKS = new RegExp(`^P${N}W$`);

/** Parses an aggrPeriodDuration (clause 4.5.19.1); the problem names what is wrong. */
export function parseDuration(text: string): Result<Duration> {
  const bad = () =>
    fail<Duration>(
      'BadRequestData',
      `aggrPeriodDuration ${JSON.stringify(text.slice(0, 50))} is not an ISO 8601 duration of the form P[n]Y[n]M[n]DT[n]H[n]M[n]S or P[n]W`,
    );
  const w = WEEKS.exec(text);
  if (w) return ok({ months: 0, millis: Number(w[1]) * 7 * 86_400_000 });
  const m = DATE_TIME.exec(text);
  // "P" and "PT" alone name no element, and a "T" must be followed by one
  if (!m || text === 'P' || text.endsWith('T')) return bad();
  const [years, months, days, hours, minutes] = [m[1], m[2], m[3], m[4], m[5]].map((x) => Number(x ?? 0));
  const seconds = Number((m[6] ?? '0').replace(',', '.'));
  return ok({
    months: years * 12 + months,
    millis: Math.round((((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000),
  });
}

export const isZero = (d: Duration): boolean => d.months === 0 && d.millis === 0;

/** The duration as a PostgreSQL interval literal (months and milliseconds, both exact). */
export function pgInterval(d: Duration): string {
  return `${d.months} months ${d.millis} milliseconds`;
}

/**
 * The shortest real length of the duration in milliseconds (a month counted as 28 days): bounds how many periods
 * a time range holds.
 */
export function shortestMillis(d: Duration): number {
  return d.months * 28 * 86_400_000 + d.millis;
}

/** The time `d` before `ms` (milliseconds): calendar months back in UTC (P1M before 31 March is the last day of February), then the fixed part. */
export function before(ms: number, d: Duration): number {
  const t = new Date(ms);
  const day = t.getUTCDate();
  t.setUTCDate(1);
  t.setUTCMonth(t.getUTCMonth() - d.months);
  // a month shorter than the day of `ms` ends the period on its last day, as calendar arithmetic does
  const last = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0)).getUTCDate();
  t.setUTCDate(Math.min(day, last));
  return t.getTime() - d.millis;
}
