import type { Socket } from 'node:net';
import { StreamRelay } from './stream-relay.js';
import type { RelayOptions } from './relay.js';

/** A relay over one TCP or unix socket (worker socket relays, RPC connections). */
export class SocketRelay extends StreamRelay {
  readonly socket: Socket;

  constructor(socket: Socket, options: RelayOptions = {}) {
    // Frames are small and request/response shaped: Nagle would add up to 40 ms per round trip.
    socket.setNoDelay(true);
    super(socket, socket, options);
    this.socket = socket;
  }
}
