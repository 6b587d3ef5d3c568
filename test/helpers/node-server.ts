/** The Node adapter (functions/node.ts) listening on a free loopback port, its "serving … on" line silenced. */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { serveNode } from '../../functions/node.js';

export async function quietNodeServer(): Promise<{ port: number; close(): Promise<void> }> {
  const log = console.log;
  console.log = () => undefined;
  let server: ReturnType<typeof serveNode>;
  try {
    server = serveNode({ port: 0, hostname: '127.0.0.1' });
    if (!server.listening) await once(server, 'listening');
  } finally {
    console.log = log;
  }
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
