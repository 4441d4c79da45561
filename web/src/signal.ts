/** A value pages share (the tenant, the live stream's state), with a hook that re-renders on change. */
import { useEffect, useState } from 'preact/hooks';

interface Signal<T> {
  readonly value: T;
  set(v: T): void;
  subscribe(fn: (v: T) => void): () => void;
}

export function signal<T>(initial: T): Signal<T> {
  let value = initial;
  const listeners = new Set<(v: T) => void>();
  return {
    get value() {
      return value;
    },
    set(v) {
      if (v === value) return;
      value = v;
      for (const fn of listeners) fn(v);
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

export function useValue<T>(s: Signal<T>): T {
  const [v, setV] = useState(s.value);
  useEffect(() => {
    setV(s.value);
    return s.subscribe(setV);
  }, [s]);
  return v;
}
