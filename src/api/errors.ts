import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problem, ProblemError, toProblemDetails, type Problem } from '../core/problem.js';

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  const body = toProblemDetails(p);
  return reply.code(body.status).type('application/json').send(body);
}

/** Fastify's own error codes that are the client's fault, mapped to the catalogue. */
function fromFastify(e: FastifyError): Problem | undefined {
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem('UnsupportedMediaType', 'Content-Type must be application/json or application/ld+json (application/merge-patch+json for merge)');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem('PayloadTooLarge', `Request body is larger than the limit of ${e.message.match(/\d+/)?.[0] ?? 'configured'} bytes`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem('InvalidRequest', 'Request body is empty; a JSON document is required');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem('InvalidRequest', 'Content-Length does not match the body');
    case 'FST_ERR_BAD_URL':
      return problem('BadRequestData', 'Request URL is malformed');
    case 'FST_ERR_CTP_INVALID_TYPE':
      return problem('UnsupportedMediaType', 'Content-Type is not a valid media type');
    default:
      if (e.validation) return problem('BadRequestData', e.message);
      if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return problem('InvalidRequest', e.message);
      return undefined;
  }
}

/**
 * One error boundary (STYLE habit 2): expected failures arrive as ProblemError; anything else is a bug,
 * logged with the request id and answered 500 InternalError without internals.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ProblemError) return sendProblem(reply, err.problem);
    const known = fromFastify(err);
    if (known) return sendProblem(reply, known);
    req.log.error({ err }, 'unexpected error');
    return sendProblem(reply, problem('InternalError', `An internal error occurred; request id ${req.id}`));
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, problem('ResourceNotFound', `No resource at ${req.method} ${req.url.split('?')[0].slice(0, 200)}`)),
  );
}
