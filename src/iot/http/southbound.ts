/**
 * The HTTP transport of the FIWARE IoT Agents: `POST /iot/json?k=<apikey>&i=<deviceId>` with a JSON body (IoT Agent
 * JSON) and `POST /iot/d?k=…&i=…` with an Ultralight body, or `GET /iot/d?k=…&i=…&d=<ultralight>` (IoT Agent UL);
 * `t` is a timestamp for observations that carry none. The answer comes once the measures are written: 200, or the
 * error that refused them. Polling commands (`getCmd`) is not offered: commands go over MQTT.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isDateTime } from '../../core/entity/uri.js';
import type { IotResult } from '../../core/problem.js';
import type { IotAgent } from '../agent.js';
import type { PayloadFormat } from '../mqtt/topics.js';
import { fail, sendError } from './edge.js';

interface Southbound {
  k?: string;
  i?: string;
  t?: string;
  d?: string;
}

export function southboundRoutes(app: FastifyInstance, agent: IotAgent): void {
  const measure = async (q: Southbound, payload: string, format: PayloadFormat, reply: FastifyReply) => {
    if (typeof q.k !== 'string' || typeof q.i !== 'string') fail('MISSING_CONFIG_PARAMS', 'The query parameters k (API key) and i (device id) are required');
    if (q.t !== undefined && (typeof q.t !== 'string' || !isDateTime(q.t))) {
      const e = { name: 'MALFORMED_PAYLOAD', message: 't must be an ISO 8601 date-time with a time zone' } as const;
      agent.stats.rejected(q.k, q.i, undefined, e, new Date().toISOString());
      return sendError(reply, e);
    }
    const observedAt = q.t === undefined ? undefined : new Date(q.t).toISOString();
    const r: IotResult<number> = await agent.measure({ apikey: q.k, deviceId: q.i, payload, format, observedAt });
    return r.ok ? reply.code(200).send('') : sendError(reply, r.error);
  };
  const text = (body: unknown) => (typeof body === 'string' ? body : '');

  // Implements FIWARE IoT Agent JSON: HTTP measures.
  app.post<{ Querystring: Southbound }>('/iot/json', (req, reply) => measure(req.query, text(req.body), 'json', reply));
  // Implements FIWARE IoT Agent UL: HTTP measures (POST body).
  app.post<{ Querystring: Southbound }>('/iot/d', (req, reply) => measure(req.query, text(req.body), 'ul', reply));
  // Implements FIWARE IoT Agent UL: HTTP measures (GET with d=).
  app.get<{ Querystring: Southbound }>('/iot/d', (req, reply) => measure(req.query, typeof req.query.d === 'string' ? req.query.d : '', 'ul', reply));
}
