import { Socket } from 'node:net';
import { mockServices } from '@backstage/backend-test-utils';
import * as amqp from 'amqplib';
import { AMQP_URL, requireRabbitMq } from '@internal/plugin-lunar-test-utils';
import { redeliverable } from '../__testUtils__/rows';
import { RedeliveryPublisher } from './RedeliveryPublisher';
import { coalesceWrites } from './socketWrites';

jest.setTimeout(30_000);

const N = 1000;

/** Counts the writes that reach a socket (each a system call, uncorked). */
function countWrites(socket: Socket) {
  const counter = { writes: 0 };
  const writable = socket as unknown as Record<
    '_write' | '_writev',
    (...args: unknown[]) => unknown
  >;
  for (const method of ['_write', '_writev'] as const) {
    const original = writable[method].bind(socket);
    writable[method] = (...args: unknown[]) => {
      counter.writes += 1;
      return original(...args);
    };
  }
  return counter;
}

const socketOf = (connection: amqp.ChannelModel) =>
  (connection.connection as unknown as { stream: Socket }).stream;

/** The messageIds arriving on `queue`, in order, once `n` have. */
async function receive(ch: amqp.Channel, queue: string, n: number) {
  const ids: string[] = [];
  let done = () => {};
  const all = new Promise<void>(resolve => (done = resolve));
  const { consumerTag } = await ch.consume(
    queue,
    m => {
      ids.push(m!.properties.messageId);
      if (ids.length === n) done();
    },
    { noAck: true },
  );
  await all;
  await ch.cancel(consumerTag);
  return ids;
}

describe('coalesced socket writes, on the real broker', () => {
  it('sends a batch of 1,000 redeliveries in a few socket writes, all confirmed and in order', async () => {
    if (!(await requireRabbitMq())) return;
    const queue = `lunar-test-writes-${Date.now()}`;
    const connection = await amqp.connect(AMQP_URL);
    const ch = await connection.createChannel();
    await ch.assertQueue(queue, { autoDelete: false });
    const publisher = new RedeliveryPublisher({
      environment: 'dev',
      url: AMQP_URL,
      logger: mockServices.logger.mock(),
    });
    try {
      // Without it, for comparison: plain amqplib writes once per message.
      const plain = await connection.createConfirmChannel();
      const plainCount = countWrites(socketOf(connection));
      for (let i = 0; i < N; i++)
        plain.publish('', queue, Buffer.from('{}'), { messageId: `p-${i}` });
      await plain.waitForConfirms();
      expect(plainCount.writes).toBeGreaterThan(N / 2);
      expect(await receive(ch, queue, N)).toHaveLength(N);

      await publisher.checkTargets({ exchanges: [], queues: [queue] }, 5_000);
      const opened = (publisher as unknown as { connection: amqp.ChannelModel })
        .connection;
      const count = countWrites(socketOf(opened));
      const rows = Array.from({ length: N }, (_, i) =>
        redeliverable(String(i + 1), queue, {
          headers: { 'x-error': 'boom' },
        }),
      );
      const arriving = receive(ch, queue, N);
      const outcomes = await publisher.publish(rows.map(row => ({ row })));
      expect(outcomes.filter(o => o.status === 'confirmed')).toHaveLength(N);
      expect(count.writes).toBeLessThan(10);
      expect(await arriving).toEqual(rows.map(r => r.properties.messageId));
    } finally {
      await publisher.close();
      await ch.deleteQueue(queue).catch(() => {});
      await connection.close();
    }
  });

  it('leaves a connection without a reachable socket alone', () => {
    const noSocket = { connection: {} } as unknown as amqp.ChannelModel;
    expect(() => coalesceWrites(noSocket)).not.toThrow();
  });
});
