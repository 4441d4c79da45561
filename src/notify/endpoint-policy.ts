/**
 * Which notification endpoints a city allows. Receivers are often on loopback or a private network, so nothing
 * is denied by default; production deployments list what subscribers must never reach (the cloud metadata
 * address, the database's network…) in MIMOSA_NOTIFICATION_DENY: IP addresses, CIDR blocks and host names.
 *
 * A subscription naming a denied host literally is refused when it is created or updated; at delivery the host
 * name is resolved and every address it resolves to is checked, so that a name pointing into a denied block
 * cannot smuggle a notification there.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { Delivery, DeliveryOutcome, Sender } from './senders/delivery.js';

export class EndpointPolicy {
  readonly #blocks = new BlockList();
  readonly #names = new Set<string>();
  readonly #empty: boolean;

  /** `entries`: IPv4/IPv6 addresses, CIDR blocks (a.b.c.d/n, x::/n) and host names. */
  constructor(entries: readonly string[]) {
    for (const e of entries) {
      const [address, bits] = e.split('/');
      const family = isIP(address);
      if (family === 0) this.#names.add(e.toLowerCase().replace(/\.$/, ''));
      else if (bits === undefined) this.#blocks.addAddress(address, family === 6 ? 'ipv6' : 'ipv4');
      else this.#blocks.addSubnet(address, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
    }
    this.#empty = entries.length === 0;
  }

  /** Why the endpoint URI's host (as written) is denied, or undefined when it is not. */
  deniedUri(uri: string): string | undefined {
    if (this.#empty) return undefined;
    const host = hostOf(uri);
    return host === undefined ? undefined : this.#deniedHost(host);
  }

  /** Why the host or one of its addresses is denied, resolving a name. */
  async deniedResolved(uri: string): Promise<string | undefined> {
    if (this.#empty) return undefined;
    const host = hostOf(uri);
    if (host === undefined) return undefined;
    const literal = this.#deniedHost(host);
    if (literal !== undefined || isIP(host) !== 0) return literal;
    let addresses: Array<{ address: string }>;
    try {
      addresses = await lookup(host, { all: true });
    } catch {
      return undefined; // the sender reports the unreachable name
    }
    for (const a of addresses) {
      const why = this.#deniedHost(a.address);
      if (why !== undefined) return `${host} resolves to ${a.address}: ${why}`;
    }
    return undefined;
  }

  #deniedHost(host: string): string | undefined {
    const family = isIP(host);
    if (family === 0) return this.#names.has(host.toLowerCase().replace(/\.$/, '')) ? `the host ${host} is denied by MIMOSA_NOTIFICATION_DENY` : undefined;
    return this.#blocks.check(host, family === 6 ? 'ipv6' : 'ipv4') ? `the address ${host} is denied by MIMOSA_NOTIFICATION_DENY` : undefined;
  }
}

function hostOf(uri: string): string | undefined {
  try {
    const h = new URL(uri).hostname;
    return h.startsWith('[') ? h.slice(1, -1) : h;
  } catch {
    return undefined;
  }
}

/** A sender that refuses, for good, deliveries to denied endpoints. */
export class GuardedSender implements Sender {
  constructor(
    private readonly policy: EndpointPolicy,
    private readonly inner: Sender,
  ) {}

  async send(d: Delivery): Promise<DeliveryOutcome> {
    const why = await this.policy.deniedResolved(d.uri);
    if (why !== undefined) return { ok: false, detail: why, retryable: false };
    return this.inner.send(d);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
