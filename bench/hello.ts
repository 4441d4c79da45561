/**
 * The HTTP ceiling: a bare node:http server answering a small JSON body, forked as its own process and driven
 * exactly like the broker. No framework, no parsing, no database: what one Node process serves on this machine.
 * Listens on a free port and tells the parent which over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = JSON.stringify({ id: 'urn:ngsi-ld:Hello:1', type: 'Hello' });
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('disconnect', () => process.exit(0));
