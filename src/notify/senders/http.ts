import type { Delivery, DeliveryOutcome, Sender } from './delivery.js';

/**
 * HTTP(S) endpoints (clause 7.2 of the binding): the notification is POSTed with the headers given. A 2xx is
 * delivered; a 4xx other than 408/429 will not get better by retrying (the receiver refuses it); anything
 * else (5xx, 408, 429, network error, timeout) is retried by the outbox.
 */
export class HttpSender implements Sender {
  async send(d: Delivery): Promise<DeliveryOutcome> {
    const signal = AbortSignal.timeout(d.timeoutMs);
    try {
      const res = await fetch(d.uri, { method: 'POST', headers: d.headers, body: JSON.stringify(d.body), signal, redirect: 'manual' });
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) return { ok: true, detail: `HTTP ${res.status}` };
      const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
      return { ok: false, detail: `the endpoint answered HTTP ${res.status}`, retryable };
    } catch (e) {
      const detail = signal.aborted ? `no answer within ${d.timeoutMs} ms` : `cannot reach the endpoint: ${causeOf(e)}`;
      return { ok: false, detail, retryable: true };
    }
  }

  async close(): Promise<void> {}
}

/** fetch wraps network errors ("fetch failed"); the cause says what happened (ECONNREFUSED…). */
function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}
