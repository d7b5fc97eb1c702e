/**
 * Closing a connection whose request body was not read to its end. Closing at once would make the
 * kernel answer the unread bytes with a reset, and a reset can throw away the answer before the
 * client reads it. So, as nginx's lingering close: the answer goes, the sending side closes, and
 * the connection is kept a moment longer for what the client still sends, then destroyed.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

const lingerMs = 1000;
/** Told when a connection starts lingering: it serves no more requests (the per-client cap lets it go). */
const lingerListeners = new WeakMap<Socket, () => void>();

export function onLinger(socket: Socket, listener: () => void): void {
  lingerListeners.set(socket, listener);
}

/** Marks the answer as the connection's last, and makes Node's close after it a lingering one. */
export function closeAfterAnswer(res: ServerResponse): void {
  res.setHeader('connection', 'close');
  const socket = res.socket;
  if (!socket) return;
  // Node calls destroySoon once the last answer is written (res._last).
  socket.destroySoon = () => {
    lingerListeners.get(socket)?.();
    socket.end();
    setTimeout(() => socket.destroy(), lingerMs).unref();
  };
}
