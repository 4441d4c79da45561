/**
 * Builds the notification of a registration subscription (clause 5.11, CsourceNotification of clause 5.3.2): the
 * registrations of one outbox row, rendered as clause 5.2.9 with the subscription's @context, and why they are
 * notified (triggerReason newlyMatching, updated or noLongerMatching). Protocol headers and the body @context are
 * those of entity notifications (payload.ts). Pure and synchronous, like payload.ts.
 *
 * The type is "ContextSourceNotification", the term the core @context (v1.9) defines; the V1.8.1 OpenAPI spells it
 * "CsourceNotification".
 */
import { renderRegistration } from '../core/csr/render.js';
import type { RegistrationNotice } from '../store/port.js';
import { bodyContext, pairsToRecord, protocolHeaders, type NotificationCommon } from './payload.js';
import type { Delivery } from './senders/delivery.js';

/** What entity notifications take (payload.ts), less the splitting: a registration notification is never split. */
export type CsourceNotificationInput = Omit<NotificationCommon, 'maxEntitiesPerNotification'> & { notice: RegistrationNotice };

/** Implements 5.3.2 Context Source Notification: one delivery (no registration, no notification). */
export function buildCsourceNotifications(input: CsourceNotificationInput): Delivery[] {
  const { subscription: sub, notice } = input;
  if (notice.registrations.length === 0) return [];
  const endpoint = sub.notification.endpoint;
  const accept = endpoint.accept ?? 'application/json';
  const body: Record<string, unknown> = {
    id: `urn:ngsi-ld:ContextSourceNotification:${input.newUuid()}`,
    type: 'ContextSourceNotification',
    subscriptionId: sub.id,
    notifiedAt: input.now,
    data: notice.registrations.map((r) => renderRegistration(r, undefined, input.termMap, { sysAttrs: sub.notification.sysAttrs })),
    triggerReason: notice.triggerReason,
  };
  if (accept === 'application/ld+json') body['@context'] = bodyContext(sub);
  return [
    {
      uri: endpoint.uri,
      body,
      headers: protocolHeaders(sub, input.tenant, accept),
      notifierInfo: pairsToRecord(endpoint.notifierInfo),
      timeoutMs: endpoint.timeout ?? input.defaultTimeoutMs,
    },
  ];
}
