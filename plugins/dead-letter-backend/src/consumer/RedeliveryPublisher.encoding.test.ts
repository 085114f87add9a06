import { mockServices } from '@backstage/backend-test-utils';
import * as amqp from 'amqplib';
import { AMQP_URL, requireRabbitMq } from '@internal/plugin-lunar-test-utils';
import { redeliverable } from '../__testUtils__/rows';
import { RedeliveryPublisher } from './RedeliveryPublisher';

jest.setTimeout(30_000);

describe('RedeliveryPublisher on the real broker', () => {
  it('sends nested header tables, and a message amqplib cannot encode fails alone without shifting the confirms of the others', async () => {
    if (!(await requireRabbitMq())) return;
    const queue = `lunar-test-encoding-${Date.now()}`;
    const connection = await amqp.connect(AMQP_URL);
    const ch = await connection.createChannel();
    await ch.assertQueue(queue, { autoDelete: false });
    const publisher = new RedeliveryPublisher({
      environment: 'dev',
      url: AMQP_URL,
      logger: mockServices.logger.mock(),
    });
    try {
      // As read from the database (JSON): tables in arrays, and a header
      // named __proto__ (a key to amqplib, which cannot encode tables
      // without a prototype).
      const headers = JSON.parse(
        '{"__proto__":"a header","x-received-from":[{"uri":"amqp://up","exchange":"e","redelivered":false}],"trace":{"span":"abc"}}',
      );
      // The connection the batch below spoils, and when it closes.
      await publisher.checkTargets({ exchanges: [], queues: [queue] }, 5_000);
      const opened = (publisher as unknown as { connection: amqp.ChannelModel })
        .connection;
      const closedAt: number[] = [];
      opened.once('close', () => closedAt.push(Date.now()));
      const first = await publisher.publish([
        { row: redeliverable('1', queue, { headers }) },
        // A short string over 255 bytes: amqplib throws while encoding.
        { row: redeliverable('2', queue, { messageId: 'x'.repeat(300) }) },
        { row: redeliverable('3', queue) },
      ]);
      expect(first[0]).toEqual({ status: 'confirmed' });
      expect(first[1]).toMatchObject({
        status: 'failed',
        reason: 'broker-error',
      });
      // Not sent on the spoiled channel: it goes again with the next batch.
      expect(first[2]).toMatchObject({ status: 'unknown', sent: false });
      // The spoiled connection closes once the message before is confirmed
      // (it is, above), not after a fixed wait.
      const waited = Date.now();
      for (let i = 0; i < 40 && !closedAt.length; i++) {
        await new Promise(r => setTimeout(r, 50));
      }
      expect(closedAt).toHaveLength(1);
      expect(closedAt[0] - waited).toBeLessThan(2_000);
      const second = await publisher.publish([
        { row: redeliverable('3', queue) },
      ]);
      expect(second).toEqual([{ status: 'confirmed' }]);

      const got: amqp.GetMessage[] = [];
      for (let i = 0; i < 20 && got.length < 2; i++) {
        const m = await ch.get(queue, { noAck: true });
        if (m) got.push(m);
        else await new Promise(r => setTimeout(r, 100));
      }
      expect(got.map(m => m.properties.messageId)).toEqual(['m-1', 'm-3']);
      const h = got[0].properties.headers!;
      expect(h.trace).toEqual({ span: 'abc' });
      expect(h['x-received-from'][0]).toMatchObject({ uri: 'amqp://up' });
      expect(await ch.get(queue)).toBe(false);
    } finally {
      await publisher.close();
      await ch.deleteQueue(queue).catch(() => {});
      await connection.close();
    }
  });
});
