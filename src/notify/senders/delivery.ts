/**
 * What a sender is given and what it answers: one notification to one endpoint (clause 5.2.15 Endpoint).
 * Senders never throw for a failed delivery: the outcome is a value the outbox records (timesFailed,
 * lastFailure) and retries on.
 */
export interface Delivery {
  /** The endpoint URI (http, https, mqtt or mqtts). */
  uri: string;
  /** The notification document, already rendered (clause 5.3.1). */
  body: unknown;
  /** Protocol headers: Content-Type, Link, NGSILD-Tenant and the endpoint's receiverInfo. */
  headers: Record<string, string>;
  /** The endpoint's notifierInfo (clause 5.2.15), e.g. MQTT-QoS, MQTT-Version. */
  notifierInfo: Record<string, string>;
  /** Time allowed for the delivery, in milliseconds. */
  timeoutMs: number;
}

export type DeliveryOutcome = { ok: true; detail: string } | { ok: false; detail: string; retryable: boolean };

export interface Sender {
  send(d: Delivery): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}
