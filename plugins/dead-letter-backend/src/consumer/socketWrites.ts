import { Socket } from 'node:net';
import * as amqp from 'amqplib';

/**
 * Room in a redelivery connection's socket write buffer (Node's
 * `writableHighWaterMark`). The frames of a batch, held while the socket is
 * corked (see `coalesceWrites`), fit in it, so amqplib keeps handing them
 * over instead of stopping to wait for a drain that comes only after the
 * uncork.
 */
export const SOCKET_WRITE_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * Lets the frames of everything published on `connection` in this turn of
 * the event loop reach its socket as one write, not one write per message.
 *
 * amqplib writes each message's frames to the socket separately, from an
 * immediate it schedules once the first of them is queued: for a batch of
 * 1,000, a thousand system calls on our side and a thousand small reads on
 * the broker's. Corked, the socket collects them; it is uncorked in the
 * event loop's turn after amqplib's immediate (an immediate scheduled from
 * an immediate runs in the next turn), and sends them in one go. Nothing
 * changes in what is sent or in which order.
 *
 * The socket is amqplib's own (`connection.stream`, not in its types); if
 * a version ever hides it, publishing works as before, one write a message.
 */
export function coalesceWrites(connection: amqp.ChannelModel): void {
  const socket = (connection.connection as unknown as { stream?: unknown })
    .stream;
  if (!(socket instanceof Socket) || socket.destroyed) return;
  socket.cork();
  setImmediate(() => setImmediate(() => socket.uncork()));
}
