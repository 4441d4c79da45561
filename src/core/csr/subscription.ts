/**
 * Context Source Registration Subscriptions (clauses 5.11.2–5.11.6): the Subscription data type of clause 5.2.12,
 * applied to registrations instead of entities. The body is parsed by the subscription parser
 * (core/subscription/parse.ts); what differs for registrations is handled here:
 * - `temporalQ` (clause 5.2.12: "to be used only in Context Registration Subscriptions") selects registrations of
 *   sources of history by their observationInterval or managementInterval (core/csr/time.ts);
 * - members that only make sense for entity notifications are refused: `notificationTrigger` (registration
 *   notifications carry their own triggerReason, clause 5.3.2), `datasetId`, `lang`, `notification.attributes`,
 *   `notification.showChanges`, and a GeoJSON `notification.endpoint.accept`;
 * - `timeInterval` (periodic notification of registrations) is not supported: a 422, never silently ignored.
 *
 * The selection members apply to the registration: `entities` and `watchedAttributes` to its information
 * (as discovery matches a query, clause 5.12), `q` and `csf` to its own Properties and members, `geoQ` to its
 * location (or observationSpace, operationSpace), `scopeQ` to its scope.
 */
import type { TermMap } from '../context/termmap.js';
import { fail, ok, type Result } from '../problem.js';
import type { Subscription, SubscriptionDraft, SubscriptionPatch } from '../subscription/model.js';
import { parseSubscription, parseSubscriptionPatch } from '../subscription/parse.js';
import { parseTimeQuery, type RegistrationTimeQuery } from './time.js';

/** A registration subscription as stored: a Subscription, and the temporal query its registrations must meet. */
export type CsourceSubscription = Subscription & { temporalQ?: RegistrationTimeQuery };

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const S = 'Context source registration subscription';

/** The body without temporalQ, once the members registrations have no use for are refused. */
function screen(body: unknown): Result<{ rest: unknown; temporalQ: Result<RegistrationTimeQuery | undefined> | undefined }> {
  if (!isObject(body)) return ok({ rest: body, temporalQ: undefined });
  if (body.timeInterval !== undefined) return fail('OperationNotSupported', `${S}s with a timeInterval (periodic notification) are not supported`);
  for (const member of ['notificationTrigger', 'datasetId', 'lang']) {
    if (body[member] !== undefined) return fail('BadRequestData', `${S} ${member} does not apply to registrations`);
  }
  const n = body.notification;
  if (isObject(n)) {
    for (const member of ['attributes', 'showChanges']) {
      if (n[member] !== undefined) return fail('BadRequestData', `${S} notification.${member} does not apply to registrations`);
    }
    if (isObject(n.endpoint) && n.endpoint.accept === 'application/geo+json') {
      return fail('BadRequestData', `${S} notification.endpoint.accept cannot be application/geo+json: registrations are not GeoJSON features`);
    }
  }
  const { temporalQ, ...rest } = body;
  if (temporalQ === undefined) return ok({ rest, temporalQ: undefined });
  if (!isObject(temporalQ)) return fail('BadRequestData', `${S} temporalQ must be a TemporalQuery object`);
  const unknown = Object.keys(temporalQ).find((k) => !['timerel', 'timeAt', 'endTimeAt', 'timeproperty'].includes(k));
  if (unknown !== undefined) return fail('BadRequestData', `${S} temporalQ member ${JSON.stringify(unknown)} is not one of timerel, timeAt, endTimeAt, timeproperty`);
  const q = parseTimeQuery(temporalQ, `${S} temporalQ.`);
  if (q.ok && q.value === undefined) return fail('BadRequestData', `${S} temporalQ needs timerel and timeAt`);
  return ok({ rest, temporalQ: q });
}

/** Clause 5.11.2 Create Context Source Registration Subscription. */
export function parseCsourceSubscription(body: unknown, tm: TermMap, now: string): Result<SubscriptionDraft & { temporalQ?: RegistrationTimeQuery }> {
  const s = screen(body);
  if (!s.ok) return s;
  if (s.value.temporalQ && !s.value.temporalQ.ok) return s.value.temporalQ;
  const sub = parseSubscription(s.value.rest, tm, now);
  if (!sub.ok) return sub;
  const temporalQ = s.value.temporalQ?.ok ? s.value.temporalQ.value : undefined;
  return ok(temporalQ === undefined ? sub.value : { ...sub.value, temporalQ });
}

/** Clause 5.11.3 Update Context Source Registration Subscription. */
export function parseCsourceSubscriptionPatch(body: unknown, tm: TermMap, now: string): Result<SubscriptionPatch & { temporalQ?: RegistrationTimeQuery }> {
  const s = screen(body);
  if (!s.ok) return s;
  if (s.value.temporalQ && !s.value.temporalQ.ok) return s.value.temporalQ;
  const temporalQ = s.value.temporalQ?.ok ? s.value.temporalQ.value : undefined;
  // a fragment that only changes temporalQ is a whole update
  const rest = s.value.rest as Json;
  if (temporalQ !== undefined && Object.keys(rest).filter((k) => k !== '@context').length === 0) return ok({ modifiedAt: now, temporalQ });
  const patch = parseSubscriptionPatch(rest, tm, now);
  if (!patch.ok) return patch;
  return ok(temporalQ === undefined ? patch.value : { ...patch.value, temporalQ });
}
