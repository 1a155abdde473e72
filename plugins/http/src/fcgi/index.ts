import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server as NetServer } from 'node:net';
import type { BoundListener } from '../listeners.js';
import { FcgiServer, type FcgiAddress } from './server.js';

export { FcgiServer, type FcgiAddress } from './server.js';

/**
 * Starts the `http.fcgi.address` listener (given to `Listeners.start` as its `extra`): `track`
 * registers it with the plugin's listener set, so drain and stop reach it like the others.
 */
export async function startFcgi(
  addr: FcgiAddress,
  internalErrorCode: number,
  track: (s: NetServer) => void,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<BoundListener> {
  const server = new FcgiServer(onRequest, internalErrorCode);
  track(server);
  const bound = await server.bind(addr);
  return { kind: 'fcgi', ...bound };
}
