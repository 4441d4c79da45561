import type { Request } from 'autocannon';

export interface WorkloadSetup {
  seed: number;
  /** Size of the loaded data set: ids 0 … entities-1 exist. */
  entities: number;
}

export interface Workload {
  name: string;
  /** One line for the README and the report. */
  title: string;
  /** Entities written or read per request (items/s = req/s × this). */
  itemsPerRequest: number;
  /** Concurrent connections when not the run's (32). */
  connections?: number;
  /** The database ceiling this workload is compared with on the postgres engine. */
  dbCeiling?: 'insert' | 'select';
  /** Data of its own, loaded through the API before the warm-up (not measured). */
  prepare?(url: string, setup: WorkloadSetup): Promise<void>;
  /** Autocannon requests; built in the load generator's process, so they may hold state (counters, a PRNG). */
  requests(setup: WorkloadSetup): Request[];
}

/** What the load generator keeps per connection to report a failing request with its path. */
export interface Sent {
  method?: string;
  path?: string;
}

/**
 * One request whose path and body are made afresh for every send; the path is kept in autocannon's
 * per-connection context so that a non-2xx answer can be reported with the request that caused it.
 */
export function varying(method: 'GET' | 'POST', make: () => { path: string; body?: string }): Request {
  const headers: Record<string, string> = method === 'POST' ? { 'content-type': 'application/json' } : { accept: 'application/json' };
  return {
    method,
    headers,
    setupRequest: (req, context) => {
      const { path, body } = make();
      Object.assign(context as Sent, { method, path });
      return body === undefined ? { ...req, path } : { ...req, path, body };
    },
  };
}
