import * as amqp from 'amqplib';

/**
 * Production-like topology on the local RabbitMQ: a work exchange and queue
 * whose dead-letter exchange routes to the queue the plugin consumes.
 */
export async function topology(connection: amqp.ChannelModel, suffix: string) {
  const names = {
    work: `lunar-test-work-${suffix}`,
    queue: `test-${suffix}_bankaccount_term-deposit`,
    routingKey: 'bankaccount.account.ReserveFundsResponseV1',
    dlx: `lunar-test-dlx-${suffix}`,
    dlq: `lunar-test-dlq-${suffix}`,
  };
  const ch = await connection.createChannel();
  await ch.assertExchange(names.work, 'direct', {
    durable: false,
    autoDelete: false,
  });
  await ch.assertExchange(names.dlx, 'fanout', {
    durable: false,
    autoDelete: false,
  });
  await ch.assertQueue(names.dlq, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum' },
  });
  await ch.bindQueue(names.dlq, names.dlx, '');
  await ch.assertQueue(names.queue, {
    durable: false,
    arguments: { 'x-dead-letter-exchange': names.dlx },
  });
  await ch.bindQueue(names.queue, names.work, names.routingKey);
  const extraQueues: string[] = [];
  /** Another service's work queue, dead-lettering to the same queue. */
  const addServiceQueue = async (service: string, routingKey: string) => {
    const queue = `test-${suffix}_${service}`;
    await ch.assertQueue(queue, {
      durable: false,
      arguments: { 'x-dead-letter-exchange': names.dlx },
    });
    await ch.bindQueue(queue, names.work, routingKey);
    extraQueues.push(queue);
    return queue;
  };
  const cleanup = async () => {
    const c = await connection.createChannel();
    for (const q of [names.queue, names.dlq, ...extraQueues])
      await c.deleteQueue(q).catch(() => {});
    for (const x of [names.work, names.dlx])
      await c.deleteExchange(x).catch(() => {});
    await c.close().catch(() => {});
  };
  return { names, ch, cleanup, addServiceQueue };
}

/** A "service" that fails every message, so RabbitMQ dead-letters it. */
export async function failingService(ch: amqp.Channel, queue: string) {
  const { consumerTag } = await ch.consume(
    queue,
    msg => msg && ch.nack(msg, false, false),
  );
  return () => ch.cancel(consumerTag);
}

export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  what: string,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 200));
  }
}
