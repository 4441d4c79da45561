/**
 * The HTTP edge of the IoT agent's FIWARE-compatible APIs: the FIWARE headers (`Fiware-Service` as the NGSI-LD
 * tenant, `NGSILD-Tenant` accepted too; `Fiware-ServicePath`), and errors answered as FIWARE IoT Agents answer them,
 * `{"name": …, "message": …}` (src/core/problem.ts, iotErrorKinds).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { iotErrorKinds, type IotError, type IotErrorName, type IotResult } from '../../core/problem.js';

/** Thrown in route handlers only, to answer an IotError. */
export class IotHttpError extends Error {
  constructor(readonly error: IotError) {
    super(error.message);
  }
}

export function fail(name: IotErrorName, message: string): never {
  throw new IotHttpError({ name, message });
}

export function unwrap<T>(r: IotResult<T>): T {
  if (!r.ok) throw new IotHttpError(r.error);
  return r.value;
}

export function sendError(reply: FastifyReply, e: IotError): FastifyReply {
  return reply.code(iotErrorKinds[e.name]).type('application/json').send({ name: e.name, message: e.message });
}

const TENANT = /^[A-Za-z0-9_.:~-][A-Za-z0-9_.:~/-]{0,255}$/;
const SERVICE_PATH = /^\/[^\s\p{Cc}]{0,1023}$/u;

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export interface Scope {
  tenant: string;
  /** For writes: the service path (`/` when absent). */
  servicePath: string;
  /** For reads: the service path to select, undefined for all (`/*` or absent). */
  selectPath: string | undefined;
}

/** The tenant and service path of a provisioning request. */
export function scopeOf(req: FastifyRequest): Scope {
  const service = header(req, 'fiware-service');
  const tenant = header(req, 'ngsild-tenant');
  if (service !== undefined && tenant !== undefined && service !== tenant) {
    fail('BAD_REQUEST', `Fiware-Service (${service.slice(0, 60)}) and NGSILD-Tenant (${tenant.slice(0, 60)}) name different tenants`);
  }
  const name = service ?? tenant ?? '';
  if (name !== '' && !TENANT.test(name)) fail('BAD_REQUEST', `Tenant ${JSON.stringify(name.slice(0, 60))} is not a valid tenant name`);
  const path = header(req, 'fiware-servicepath');
  if (path !== undefined && path !== '/*' && !SERVICE_PATH.test(path)) fail('BAD_REQUEST', 'Fiware-ServicePath must start with /');
  const all = path === undefined || path === '/*';
  return { tenant: name, servicePath: all ? '/' : path, selectPath: all ? undefined : path };
}

/** A whole-number query parameter. */
export function count(raw: unknown, name: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw) || Number(raw) > max) fail('BAD_REQUEST', `${name} must be a whole number from 0 to ${max}`);
  return Number(raw);
}

/** The request body as JSON (the agent's routes read bodies as text). */
export function jsonBody(body: unknown): unknown {
  if (typeof body !== 'string' || body.trim() === '') fail('WRONG_SYNTAX', 'The body must be a JSON document');
  try {
    return JSON.parse(body);
  } catch (e) {
    return fail('WRONG_SYNTAX', `The body is not valid JSON: ${(e as Error).message}`);
  }
}
