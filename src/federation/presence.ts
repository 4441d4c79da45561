/**
 * Which tenants have context source registrations at all. Most tenants of most cities have none, and a request of
 * such a tenant must not pay for discovery (one SQL query per request: a retrieval by id runs at a quarter of its
 * speed with it). Each process keeps the set in memory and reloads it whenever any process commits a registration
 * write (LISTEN/NOTIFY), and every few seconds besides, since a lost LISTEN connection is not re-established.
 *
 * A write made through this process counts here before its answer is sent (`registered`); through another process,
 * moments later, when the NOTIFY arrives. A tenant wrongly believed to have registrations only costs a discovery
 * query that finds none.
 */
import type { RegistrationStore } from '../store/port.js';

const POLL_MS = 5000;

export class RegistrationPresence {
  #tenants = new Set<string>();
  /** Tenants registered through this process while a reload runs: its query may have begun before they committed. */
  #meanwhile = new Set<string>();
  #unwatch: (() => Promise<void>) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #pending: Promise<void> | undefined;
  #tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<RegistrationStore, 'tenantsWithRegistrations' | 'watchRegistrations'>,
    private readonly log: { warn(obj: Record<string, unknown>, msg: string): void },
  ) {}

  async start(): Promise<void> {
    this.#unwatch = await this.store.watchRegistrations(() => void this.refresh());
    await this.refresh();
    this.#timer = setInterval(() => void this.refresh(), POLL_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    const unwatch = this.#unwatch;
    this.#unwatch = undefined;
    await unwatch?.().catch(() => undefined);
    await this.#tail;
  }

  /** False only when the tenant is known to have no registration. */
  mayHave(tenant: string): boolean {
    return this.#tenants.has(tenant);
  }

  /** A registration of the tenant was just written through this process. */
  registered(tenant: string): void {
    this.#tenants.add(tenant);
    this.#meanwhile.add(tenant);
  }

  /** Reloads the set (serialised: a call while one reload waits shares it; one while one runs queues another). */
  refresh(): Promise<void> {
    if (this.#pending) return this.#pending;
    const run = this.#tail.then(async () => {
      this.#pending = undefined;
      const meanwhile = (this.#meanwhile = new Set());
      try {
        this.#tenants = new Set([...(await this.store.tenantsWithRegistrations()), ...meanwhile]);
      } catch (err) {
        // the store may be closing; the previous set stays until the next reload
        if (this.#unwatch) this.log.warn({ err }, 'context source registrations: reloading the tenants that have some failed');
      }
    });
    this.#pending = run;
    this.#tail = run;
    return run;
  }
}
