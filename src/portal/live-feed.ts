/**
 * The portal's live feed of one tenant: an ordinary NGSI-LD subscription (clause 5.8) whose endpoint is this
 * process, held only while some portal client of the tenant is connected.
 *
 * Why a subscription rather than an in-process hook on writes: a write made through another Mimosa process sharing
 * the PostgreSQL database must reach this process's clients too, and the notification outbox already carries every
 * committed change to its subscribers, across processes, and is never lost (README, "Notifications that are never
 * lost"). And when no client is connected there is no subscription, so the write path pays nothing: matching reads
 * only subscriptions that exist.
 *
 * The subscription is made through the NGSI-LD API itself (`Api`, Fastify's inject), so it is validated like any
 * other (endpoint policy included) and shows up in the operator pages. It names every entity type of the tenant
 * (a selector needs a type; refreshed with each renewal, so a new type joins within a minute), expires a few minutes
 * ahead and is renewed while clients stay: a process that dies leaves a subscription that soon stops matching, and
 * leftovers that expired are deleted by the next feed of the tenant.
 */
import { randomBytes } from 'node:crypto';
import { raise } from '../core/problem.js';
import { DEFAULT_TENANT } from '../core/request.js';

/** An HTTP call into this application's own API (app.inject), answered with its status and parsed JSON body. */
export type Api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, tenant: string, body?: unknown) => Promise<{ status: number; body: unknown; location?: string }>;

/** What receives the changes: one per connected portal client. */
export type LiveClient = (event: string, data: unknown) => void;

const SUBSCRIPTION_NAME = 'mimosa-portal-live';
const SUBS = '/ngsi-ld/v1/subscriptions';
/** Lifetime of the subscription past its last renewal: long enough to outlive a few missed renewals. */
const LIFETIME_MS = 5 * 60_000;
export const RENEW_MS = 60_000;
const TRIGGERS = ['entityCreated', 'entityUpdated', 'entityDeleted', 'attributeCreated', 'attributeUpdated', 'attributeDeleted'];

export class LiveFeed {
  readonly token = randomBytes(24).toString('base64url');
  readonly clients = new Set<LiveClient>();
  #subscriptionId: string | undefined;

  constructor(
    readonly tenant: string,
    private readonly api: Api,
    private readonly endpoint: string,
    private readonly now: () => number,
  ) {}

  /** Creates the subscription (when the tenant has any entity type yet) after clearing expired leftovers. */
  async open(): Promise<void> {
    await this.#dropExpiredLeftovers();
    await this.renew();
  }

  /** Pushes the expiry ahead and the type list up to date; re-creates the subscription if it was deleted. */
  async renew(): Promise<void> {
    const types = await this.#types();
    if (types.length === 0) return;
    const change = { entities: types.map((type) => ({ type })), expiresAt: new Date(this.now() + LIFETIME_MS).toISOString() };
    if (this.#subscriptionId !== undefined) {
      const r = await this.api('PATCH', `${SUBS}/${encodeURIComponent(this.#subscriptionId)}`, this.tenant, change);
      if (r.status === 204) return;
    }
    const r = await this.api('POST', SUBS, this.tenant, {
      type: 'Subscription',
      subscriptionName: SUBSCRIPTION_NAME,
      description: 'Live changes for the Mimosa portal; held while a portal page is open',
      ...change,
      notificationTrigger: TRIGGERS,
      notification: { format: 'keyValues', endpoint: { uri: `${this.endpoint}/${this.token}`, accept: 'application/json' } },
    });
    if (r.status !== 201) raise('ServiceUnavailable', `The live feed cannot subscribe to tenant changes: ${detailOf(r.body)}`);
    this.#subscriptionId = decodeURIComponent(String(r.location).split('/').pop()!);
  }

  async close(): Promise<void> {
    if (this.#subscriptionId === undefined) return;
    await this.api('DELETE', `${SUBS}/${encodeURIComponent(this.#subscriptionId)}`, this.tenant);
    this.#subscriptionId = undefined;
  }

  /** A notification (clause 5.3.1) for this feed: its entities go to every client. */
  deliver(notification: unknown): void {
    const data = (notification as { data?: unknown }).data;
    if (!Array.isArray(data)) return;
    for (const client of this.clients) client('change', data);
  }

  async #types(): Promise<string[]> {
    const r = await this.api('GET', '/ngsi-ld/v1/types', this.tenant);
    if (r.status !== 200) return [];
    return (r.body as { typeList?: string[] }).typeList ?? [];
  }

  async #dropExpiredLeftovers(): Promise<void> {
    const r = await this.api('GET', `${SUBS}?limit=1000`, this.tenant);
    if (r.status !== 200 || !Array.isArray(r.body)) return;
    for (const s of r.body as { id: string; subscriptionName?: string; status?: string }[]) {
      if (s.subscriptionName === SUBSCRIPTION_NAME && s.status === 'expired') await this.api('DELETE', `${SUBS}/${encodeURIComponent(s.id)}`, this.tenant);
    }
  }
}

function detailOf(body: unknown): string {
  const d = (body as { detail?: unknown } | undefined)?.detail;
  return typeof d === 'string' ? d : 'the subscription was refused';
}

/** The NGSILD-Tenant header for a tenant ('' is the default tenant, sent without the header). */
export function tenantHeaders(tenant: string): Record<string, string> {
  return tenant === DEFAULT_TENANT ? {} : { 'NGSILD-Tenant': tenant };
}
