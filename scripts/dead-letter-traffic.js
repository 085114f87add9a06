#!/usr/bin/env node
/* eslint-disable no-console */
// Sends a realistic stream of failing messages through the local RabbitMQ,
// so the Dead Letter page has something real to show
// (./scripts/dead-letter-traffic.sh). Nothing is written to the database:
// a few "services" consume their work queues and fail a share of their
// messages with Lunar-like errors; after one retry RabbitMQ dead-letters
// them (writing x-death) into the queue the portal consumes.
//
// Usage: dead-letter-traffic.js [messages per service, default 40]
// Env: AMQP_URL (default amqp://guest:guest@127.0.0.1:5672),
//      DEAD_LETTER_QUEUE (default dead-letters), TRAFFIC_PREFIX (default dev).
const crypto = require('node:crypto');
const amqp = require('amqplib');

const AMQP_URL = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
const DLQ = process.env.DEAD_LETTER_QUEUE || 'dead-letters';
const PREFIX = process.env.TRAFFIC_PREFIX || 'dev';
const PER_SERVICE = Number(process.argv[2] || 40);
const EXCHANGE = `${PREFIX}.lunar.events`;
const DLX = `${PREFIX}.lunar.dead-letter`;

// service -> routing keys it consumes, share of messages it fails, errors.
const SERVICES = {
  'card-clearing': {
    keys: ['card.transaction.ClearedV1', 'card.transaction.SettledV2'],
    failShare: 0.4,
    errors: [
      'ctx handler: timeout calling card-scheme: context deadline exceeded',
      'ctx handler: settlement file not found',
    ],
  },
  bankaccount: {
    keys: ['bankaccount.account.ReserveFundsRequestV1'],
    failShare: 0.2,
    errors: ['ctx handler: insufficient_funds: insufficient funds'],
  },
  'term-deposit': {
    keys: ['bankaccount.account.ReserveFundsResponseV1'],
    failShare: 0.15,
    errors: ['ctx handler: record not found'],
  },
  'dead-letter': {
    keys: ['platform.audit.EventV1'],
    failShare: 0.3,
    errors: [
      'ctx handler: validation failed: missing field "actor"',
      'ctx handler: unknown event version',
    ],
  },
  authentication: {
    keys: ['authentication.session.CreatedV1'],
    failShare: 0.1,
    errors: ['ctx handler: duplicate key value violates unique constraint'],
  },
};

const pick = list => list[Math.floor(Math.random() * list.length)];
const sleep = ms => new Promise(r => setTimeout(r, ms));

async function main() {
  const connection = await amqp.connect(AMQP_URL);
  const ch = await connection.createConfirmChannel();
  await ch.assertExchange(EXCHANGE, 'topic', { durable: true });
  await ch.assertExchange(DLX, 'fanout', { durable: true });
  await ch.assertQueue(DLQ, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum' },
  });
  await ch.bindQueue(DLQ, DLX, '');

  let pending = 0;
  let deadLettered = 0;
  const consumers = [];
  for (const [service, spec] of Object.entries(SERVICES)) {
    const queue = `${PREFIX}-k8s-events_${service}`;
    await ch.assertQueue(queue, {
      durable: true,
      arguments: { 'x-dead-letter-exchange': DLX },
    });
    for (const key of spec.keys) await ch.bindQueue(queue, EXCHANGE, key);
    const worker = await connection.createChannel();
    await worker.prefetch(20);
    const { consumerTag } = await worker.consume(queue, msg => {
      if (!msg) return;
      const headers = msg.properties.headers ?? {};
      const retried = headers['x-retry'] === 1;
      const fails = retried
        ? headers['x-fail'] === 1
        : Math.random() < spec.failShare;
      if (!fails) {
        worker.ack(msg);
        pending -= 1;
      } else if (!retried) {
        // First failure: retry once, carrying the handler's error text.
        worker.publish(EXCHANGE, msg.fields.routingKey, msg.content, {
          ...msg.properties,
          headers: {
            ...headers,
            'x-retry': 1,
            'x-fail': 1,
            'x-error': pick(spec.errors),
          },
        });
        worker.ack(msg);
      } else {
        // Still failing: reject, and RabbitMQ dead-letters it.
        worker.nack(msg, false, false);
        deadLettered += 1;
        pending -= 1;
      }
    });
    consumers.push({ worker, consumerTag });
  }

  const started = Date.now();
  for (let i = 0; i < PER_SERVICE; i++) {
    for (const [service, spec] of Object.entries(SERVICES)) {
      const key = pick(spec.keys);
      const id = crypto.randomUUID();
      pending += 1;
      ch.publish(
        EXCHANGE,
        key,
        Buffer.from(
          JSON.stringify({
            eventId: id,
            occurredAt: new Date().toISOString(),
            service,
            accountId: `acc-${Math.floor(Math.random() * 5000)}`,
            amount: {
              value: Math.round(Math.random() * 100000) / 100,
              currency: 'DKK',
            },
          }),
        ),
        {
          persistent: true,
          contentType: 'application/json',
          messageId: id,
          correlationId: crypto.randomUUID(),
          timestamp: Math.floor(Date.now() / 1000),
          headers: { 'x-tenant': 'lunar-dk' },
        },
      );
    }
    await ch.waitForConfirms();
    await sleep(25);
  }
  while (pending > 0 && Date.now() - started < 60_000) await sleep(100);
  for (const c of consumers) await c.worker.cancel(c.consumerTag);
  await connection.close();
  const sent = PER_SERVICE * Object.keys(SERVICES).length;
  console.log(
    `sent ${sent} messages to ${
      Object.keys(SERVICES).length
    } services; ${deadLettered} failed and were dead-lettered into '${DLQ}'`,
  );
  if (pending > 0) {
    console.error(`${pending} messages were not handled within 60 s`);
    process.exit(1);
  }
}

main().catch(e => {
  console.error(`dead-letter traffic failed: ${e.message}`);
  process.exit(1);
});
