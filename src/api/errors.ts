import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, problem('ResourceNotFound', `No resource at ${req.method} ${req.url.split('?')[0].slice(0, 200)}`)),
  );
}
