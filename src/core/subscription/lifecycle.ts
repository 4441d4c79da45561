/**
 * The status of a subscription (clause 5.2.12). Pure: the caller gives the time.
 *
 * No notification is sent on creation or re-activation: the spec asks for none (Orion-LD dropped its NGSIv2-style
 * initial notification for NGSI-LD for that reason); a periodic subscription's first period starts at creation.
 */
import type { Subscription } from './model.js';

export type SubscriptionState = 'active' | 'paused' | 'expired';

/** Clause 5.2.12 status: expired once expiresAt has passed, else paused when isActive is false, else active. */
export function stateOf(s: Pick<Subscription, 'isActive' | 'expiresAt'>, now: string): SubscriptionState {
  if (s.expiresAt !== undefined && Date.parse(s.expiresAt) <= Date.parse(now)) return 'expired';
  return s.isActive ? 'active' : 'paused';
}
