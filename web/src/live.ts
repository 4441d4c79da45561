/**
 * The live stream of the tenant's changes (Server-Sent Events from /mimosa/portal/live, fed by an NGSI-LD
 * subscription on the server). Pages load their data after each `ready`, so nothing falls between the load and
 * the stream; EventSource reconnects by itself and the next `ready` reloads.
 */
import { useEffect } from 'preact/hooks';
import { tenant, type KeyValues } from './api';
import { signal } from './signal';

type LiveState = 'connecting' | 'live' | 'offline';
export const liveState = signal<LiveState>('connecting');
/** Counts the stream's `ready` events: a page that depends on it reloads when it changes. */
export const liveEpoch = signal(0);

const listeners = new Set<(entities: KeyValues[]) => void>();
let source: EventSource | undefined;

function connect(t: string): void {
  source?.close();
  liveState.set('connecting');
  source = new EventSource(`/mimosa/portal/live?tenant=${encodeURIComponent(t)}`);
  source.addEventListener('ready', () => {
    liveState.set('live');
    liveEpoch.set(liveEpoch.value + 1);
  });
  source.addEventListener('change', (e) => {
    const entities = JSON.parse((e as MessageEvent<string>).data) as KeyValues[];
    for (const fn of listeners) fn(entities);
  });
  source.addEventListener('error', () => liveState.set(source?.readyState === EventSource.CLOSED ? 'offline' : 'connecting'));
}

export function startLive(): void {
  connect(tenant.value);
  tenant.subscribe(connect);
}

/** Calls fn with each change's entities while the component is mounted. */
export function useLiveChanges(fn: (entities: KeyValues[]) => void): void {
  useEffect(() => {
    listeners.add(fn);
    return () => void listeners.delete(fn);
  }, [fn]);
}
