import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { problem, ProblemError, toProblemDetails, type Problem } from '../core/problem.js';

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  const body = toProblemDetails(p);
  return reply.code(body.status).type('application/json').send(body);
}

/** Fastify's own error codes that are the client's fault, mapped to the catalogue. */
function fromFastify(e: FastifyError, bodyLimit: number): Problem | undefined {
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem('UnsupportedMediaType', 'Content-Type must be application/json or application/ld+json (application/merge-patch+json for merge)');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      // Fastify's message names no size: the limit is the route's own (some routes set a smaller one).
      return problem('PayloadTooLarge', `Request body is larger than the limit of ${bodyLimit} bytes`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem('InvalidRequest', 'Request body is empty; a JSON document is required');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem('InvalidRequest', 'Content-Length does not match the body');
    case 'FST_ERR_BAD_URL':
      return problem('BadRequestData', 'Request URL is malformed (an invalid percent-encoding)');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return problem('UriTooLong', `A path segment of the request URL is longer than ${MAX_PARAM_LENGTH} characters`);
    case 'FST_ERR_CTP_INVALID_TYPE':
      return problem('UnsupportedMediaType', 'Content-Type is not a valid media type');
    default:
      if (e.validation) return problem('BadRequestData', e.message);
      if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return problem('InvalidRequest', e.message);
      return undefined;
  }
}

/** Longest path parameter (an entity id, an attribute name) the router accepts; app.ts configures it. */
export const MAX_PARAM_LENGTH = 8192;

/**
 * Errors the router raises before any route or error handler runs (a malformed percent-encoding, an overlong
 * path segment): without this hook Fastify answers them with its own body, not a ProblemDetails.
 */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  void sendProblem(reply, fromFastify(err, 0) ?? problem('InvalidRequest', 'Request URL cannot be routed'));
}

/** A request Node's HTTP parser refuses before Fastify sees it, as the catalogue answers it. */
function fromParser(code: string | undefined): Problem {
  if (code === 'HPE_HEADER_OVERFLOW') return problem('RequestHeaderFieldsTooLarge', 'Request headers (the URL included) are larger than the server accepts');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return problem('RequestTimeout', 'Request was not received in time');
  return problem('InvalidRequest', 'Request is not valid HTTP');
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refuses (headers over its limit, malformed HTTP) never
 * reach a route or the error handler, and Node or Fastify would answer with a body of their own. Written by hand
 * on the socket, as Node does, but as a ProblemDetails; the connection is then closed.
 */
export function clientErrors(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const details = toProblemDetails(fromParser(err.code));
    const body = JSON.stringify(details);
    const status = details.status;
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * One error boundary (STYLE habit 2): expected failures arrive as ProblemError; anything else is a bug,
 * logged with the request id and answered 500 InternalError without internals.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ProblemError) return sendProblem(reply, err.problem);
    const known = fromFastify(err, req.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 0);
    if (known) return sendProblem(reply, known);
    req.log.error({ err }, 'unexpected error');
    return sendProblem(reply, problem('InternalError', `An internal error occurred; request id ${req.id}`));
  });
  // A known path with a method it does not have is a 405 naming the methods it has (RFC 9110 15.5.6), not a 404.
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const allowed = METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
    if (allowed.length > 0) {
      reply.header('Allow', allowed.join(', '));
      return sendProblem(reply, problem('MethodNotAllowed', `${req.method} is not allowed on ${path.slice(0, 200)}; allowed: ${allowed.join(', ')}`));
    }
    return sendProblem(reply, problem('ResourceNotFound', `No resource at ${req.method} ${path.slice(0, 200)}`));
  });
}
