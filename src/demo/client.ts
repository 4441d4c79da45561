/**
 * How the demo reaches Mimosa's APIs: in-process through the application (inject, no socket), or over HTTP for the
 * IoT agent's routes when they have a server of their own (MIMOSA_IOT_PORT).
 */
import type { FastifyInstance } from 'fastify';

export interface Answer {
  status: number;
  json: unknown;
}

/** One request: `tenant` goes in NGSILD-Tenant and Fiware-Service (the IoT agent reads either); a body is sent as JSON. */
export type Call = (method: 'GET' | 'POST', url: string, body?: unknown, tenant?: string) => Promise<Answer>;

function headers(tenant: string | undefined, body: boolean): Record<string, string> {
  const h: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
  if (tenant !== undefined) {
    h['ngsild-tenant'] = tenant;
    h['fiware-service'] = tenant;
  }
  return h;
}

function parse(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return text;
  }
}

const serialise = (body: unknown) => (body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));

/** The remote address of the simulator's in-process requests: no socket has it, so no client can pass for the simulator. */
export const SIMULATOR_ADDRESS = 'mimosa-demo-simulator';

/** Thrown by a call made while Mimosa stops: the application takes no more requests. */
export class Stopping extends Error {
  constructor() {
    super('Mimosa is stopping');
    this.name = 'Stopping';
  }
}

/** In-process requests; `from` is the remote address they show (see SIMULATOR_ADDRESS). */
export function injectCall(app: FastifyInstance, from = '127.0.0.1'): Call {
  return async (method, url, body, tenant) => {
    try {
      const res = await app.inject({ method, url, headers: headers(tenant, body !== undefined), payload: serialise(body), remoteAddress: from });
      return { status: res.statusCode, json: parse(res.body) };
    } catch (e) {
      if ((e as { code?: string }).code === 'FST_ERR_REOPENED_CLOSE_SERVER') throw new Stopping();
      throw e;
    }
  };
}

export function httpCall(base: string): Call {
  return async (method, url, body, tenant) => {
    const res = await fetch(`${base}${url}`, { method, headers: headers(tenant, body !== undefined), body: serialise(body), signal: AbortSignal.timeout(30_000) });
    return { status: res.status, json: parse(await res.text()) };
  };
}
