/**
 * The one catalogue of errors Mimosa answers with (RFC 7807 ProblemDetails).
 * ETSI GS CIM 009 clause 5.5.2 / table 5.5.3 defines the NGSI-LD error types and their HTTP status;
 * the HTTP-level failures (405, 406, 408, 413, 414, 415, 431) that the spec leaves to HTTP reuse the InvalidRequest
 * type with their own status so that NGSI-LD clients can still dispatch on `type`.
 */

const ETSI = 'https://uri.etsi.org/ngsi-ld/errors/';

export const problemKinds = {
  InvalidRequest: { type: `${ETSI}InvalidRequest`, status: 400, title: 'Invalid request' },
  BadRequestData: { type: `${ETSI}BadRequestData`, status: 400, title: 'Bad request data' },
  AlreadyExists: { type: `${ETSI}AlreadyExists`, status: 409, title: 'Already exists' },
  OperationNotSupported: { type: `${ETSI}OperationNotSupported`, status: 422, title: 'Operation not supported' },
  ResourceNotFound: { type: `${ETSI}ResourceNotFound`, status: 404, title: 'Resource not found' },
  InternalError: { type: `${ETSI}InternalError`, status: 500, title: 'Internal error' },
  TooComplexQuery: { type: `${ETSI}TooComplexQuery`, status: 403, title: 'Too complex query' },
  TooManyResults: { type: `${ETSI}TooManyResults`, status: 403, title: 'Too many results' },
  LdContextNotAvailable: { type: `${ETSI}LdContextNotAvailable`, status: 503, title: 'JSON-LD context not available' },
  NoMultiTenantSupport: { type: `${ETSI}NoMultiTenantSupport`, status: 501, title: 'No multi-tenant support' },
  NonexistentTenant: { type: `${ETSI}NonexistentTenant`, status: 404, title: 'Nonexistent tenant' },
  NotAcceptable: { type: `${ETSI}InvalidRequest`, status: 406, title: 'Not acceptable' },
  UnsupportedMediaType: { type: `${ETSI}InvalidRequest`, status: 415, title: 'Unsupported media type' },
  PayloadTooLarge: { type: `${ETSI}InvalidRequest`, status: 413, title: 'Payload too large' },
  UriTooLong: { type: `${ETSI}InvalidRequest`, status: 414, title: 'URI too long' },
  MethodNotAllowed: { type: `${ETSI}InvalidRequest`, status: 405, title: 'Method not allowed' },
  RequestTimeout: { type: `${ETSI}InvalidRequest`, status: 408, title: 'Request timeout' },
  RequestHeaderFieldsTooLarge: { type: `${ETSI}InvalidRequest`, status: 431, title: 'Request header fields too large' },
  ServiceUnavailable: { type: `${ETSI}InternalError`, status: 503, title: 'Service unavailable' },
} as const;

export type ProblemKind = keyof typeof problemKinds;

/** An expected failure, carried as a value (never thrown across layers except by the HTTP edge). */
export interface Problem {
  readonly kind: ProblemKind;
  readonly detail: string;
  /** Optional extra members (e.g. the attribute a batch error refers to). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  [member: string]: unknown;
}

export function problem(kind: ProblemKind, detail: string, extra?: Record<string, unknown>): Problem {
  return extra ? { kind, detail, extra } : { kind, detail };
}


export function toProblemDetails(p: Problem): ProblemDetails {
  const k = problemKinds[p.kind];
  return { type: k.type, title: k.title, status: k.status, detail: p.detail, ...p.extra };
}


/** Result of an operation whose failure is expected (bad input, missing entity…). */
export type Result<T> = { ok: true; value: T } | { ok: false; problem: Problem };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(kind: ProblemKind, detail: string, extra?: Record<string, unknown>): Result<T> => ({
  ok: false,
  problem: problem(kind, detail, extra),
});

/** Thrown only at the HTTP edge (route handlers) to short-circuit with a ProblemDetails answer. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

export function raise(kind: ProblemKind, detail: string, extra?: Record<string, unknown>): never {
  throw new ProblemError(problem(kind, detail, extra));
}

/** Unwraps a Result at the edge: the problem becomes the HTTP answer. */
export function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw new ProblemError(r.problem);
  return r.value;
}

// ---------------------------------------------------------------- IoT agent (src/iot)

/**
 * The errors of the IoT agent's FIWARE-compatible HTTP APIs (provisioning, southbound measures), answered the way
 * FIWARE IoT Agents answer them, `{"name": …, "message": …}` with this status, so that existing provisioning
 * scripts recognise them. The southbound names also count each device's rejected measures (MQTT has no answer).
 */
export const iotErrorKinds = {
  WRONG_SYNTAX: 400,
  MISSING_CONFIG_PARAMS: 400,
  BAD_REQUEST: 400,
  DUPLICATE_GROUP: 409,
  DUPLICATE_DEVICE_ID: 409,
  DEVICE_GROUP_NOT_FOUND: 404,
  DEVICE_NOT_FOUND: 404,
  /** Southbound: a payload its codec cannot read. */
  MALFORMED_PAYLOAD: 400,
  /** Southbound: a value that is not of its mapped attribute's type. */
  WRONG_TYPE: 400,
  /** Southbound: more measures are waiting to be written than the agent holds. */
  OVERLOADED: 503,
  INTERNAL_ERROR: 500,
} as const;

export type IotErrorName = keyof typeof iotErrorKinds;

export interface IotError {
  readonly name: IotErrorName;
  readonly message: string;
}

export type IotResult<T> = { ok: true; value: T } | { ok: false; error: IotError };

export const iotFail = <T = never>(name: IotErrorName, message: string): IotResult<T> => ({ ok: false, error: { name, message } });
