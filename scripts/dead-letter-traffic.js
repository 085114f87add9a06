#!/usr/bin/env node
/* eslint-disable no-console */
// Sends a realistic stream of failing messages through the local RabbitMQ,
// so the Dead Letter page has something real to show. Nothing is written to
// the database: a few "services" consume their work queues and fail a share
// of their messages with Lunar-like errors; after one retry RabbitMQ
// dead-letters them (writing x-death) into the queue the portal consumes.
//
// `yarn start` runs it continuously at a low rate (scripts/quickstart.js);
// ./scripts/dead-letter-traffic.sh sends one batch.
//
// Services listed as fixed consume what the portal redelivers to them; the
// others fail it again, so it comes back to the Dead Letter page.
//
// Usage: dead-letter-traffic.js [messages per service, default 40]
// Env: AMQP_URL (default amqp://guest:guest@127.0.0.1:5672),
//      DEAD_LETTER_QUEUE (default quickstart-dead-letters, what `yarn start`
//      consumes), TRAFFIC_PREFIX (default dev).
const crypto = require('node:crypto');
const amqp = require('amqplib');

/** The header the dead-letter backend sets on every redelivered message. */
const REDELIVERY_HEADER = 'x-dead-letter-redeliveries';

// service -> routing keys it consumes, share of messages it fails, errors,
// and whether the bug is fixed (a redelivered message is then consumed).
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
    fixed: true,
  },
  'dead-letter': {
    keys: ['platform.audit.EventV1'],
    failShare: 0.3,
    errors: [
      'ctx handler: validation failed: missing field "actor"',
      'ctx handler: unknown event version',
    ],
    fixed: true,
  },
  authentication: {
    keys: ['authentication.session.CreatedV1'],
    failShare: 0.1,
    errors: ['ctx handler: duplicate key value violates unique constraint'],
  },
};

const pick = list => list[Math.floor(Math.random() * list.length)];
const sleep = ms => new Promise(r => setTimeout(r, ms));

function event(service) {
  const id = crypto.randomUUID();
  return {
    id,
    body: Buffer.from(
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
  };
}

/**
 * Declares the topology and starts the services' consumers. Returns a
 * publisher of one message for a service and a `close()`.
 */
async function startServices(options) {
  const { amqpUrl, queue, prefix, log } = options;
  const exchange = `${prefix}.lunar.events`;
  const dlx = `${prefix}.lunar.dead-letter`;
  const connection = await amqp.connect(amqpUrl);
  const stats = { pending: 0, deadLettered: 0, consumedRedeliveries: 0 };
  connection.on('error', e => log(`traffic: ${e.message}`));
  const ch = await connection.createConfirmChannel();
  await ch.assertExchange(exchange, 'topic', { durable: true });
  await ch.assertExchange(dlx, 'fanout', { durable: true });
  await ch.assertQueue(queue, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum' },
  });
  await ch.bindQueue(queue, dlx, '');

  const consumers = [];
  for (const [service, spec] of Object.entries(SERVICES)) {
    const workQueue = `${prefix}-k8s-events_${service}`;
    await ch.assertQueue(workQueue, {
      durable: true,
      arguments: { 'x-dead-letter-exchange': dlx },
    });
    for (const key of spec.keys) await ch.bindQueue(workQueue, exchange, key);
    const worker = await connection.createChannel();
    await worker.prefetch(20);
    const { consumerTag } = await worker.consume(workQueue, msg => {
      if (!msg) return;
      const headers = msg.properties.headers ?? {};
      if (headers[REDELIVERY_HEADER] !== undefined) {
        // Redelivered from the portal: a fixed service consumes it, a
        // broken one fails it again straight away.
        if (spec.fixed) {
          worker.ack(msg);
          stats.consumedRedeliveries += 1;
        } else {
          worker.nack(msg, false, false);
        }
        return;
      }
      const retried = headers['x-retry'] === 1;
      const fails = retried
        ? headers['x-fail'] === 1
        : Math.random() < spec.failShare;
      if (!fails) {
        worker.ack(msg);
        stats.pending -= 1;
      } else if (!retried) {
        // First failure: retry once, carrying the handler's error text.
        worker.publish(exchange, msg.fields.routingKey, msg.content, {
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
        stats.deadLettered += 1;
        stats.pending -= 1;
      }
    });
    consumers.push({ worker, consumerTag });
  }

  return {
    stats,
    publish(service) {
      const { id, body } = event(service);
      stats.pending += 1;
      ch.publish(exchange, pick(SERVICES[service].keys), body, {
        persistent: true,
        contentType: 'application/json',
        messageId: id,
        correlationId: crypto.randomUUID(),
        timestamp: Math.floor(Date.now() / 1000),
        headers: { 'x-tenant': 'lunar-dk' },
      });
    },
    confirmed: () => ch.waitForConfirms(),
    async close() {
      for (const c of consumers) {
        await c.worker.cancel(c.consumerTag).catch(() => {});
      }
      await connection.close().catch(() => {});
    },
  };
}

/** One batch of `perService` messages per service; resolves when handled. */
async function sendBatch(services, perService) {
  for (let i = 0; i < perService; i++) {
    for (const service of Object.keys(SERVICES)) services.publish(service);
    await services.confirmed();
    await sleep(25);
  }
}

/**
 * Runs until `stop()`: a first batch so the page has content at once, then
 * one message per service every `intervalMs`, while the services keep
 * consuming what the portal redelivers. Reconnects when the broker goes.
 */
function runContinuously(options) {
  const { perService = 20, intervalMs = 5_000, log = console.log } = options;
  let stopped = false;
  let services;
  const loop = async () => {
    let first = true;
    while (!stopped) {
      try {
        services = await startServices({ ...options, log });
        if (first) {
          await sendBatch(services, perService);
          log(
            `dead-letter traffic: sent ${
              perService * Object.keys(SERVICES).length
            } messages to ${Object.keys(SERVICES).length} services`,
          );
          first = false;
        }
        while (!stopped) {
          await sleep(intervalMs);
          if (stopped) break;
          for (const service of Object.keys(SERVICES)) {
            services.publish(service);
          }
          await services.confirmed();
        }
      } catch (e) {
        if (!stopped) {
          log(`dead-letter traffic: ${e.message}; retrying in 10 s`);
          await sleep(10_000);
        }
      } finally {
        await services?.close();
      }
    }
  };
  const done = loop();
  return {
    async stop() {
      stopped = true;
      await services?.close();
      await done;
    },
  };
}

async function main() {
  const perService = Number(process.argv[2] || 40);
  const queue = process.env.DEAD_LETTER_QUEUE || 'quickstart-dead-letters';
  const services = await startServices({
    amqpUrl: process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672',
    queue,
    prefix: process.env.TRAFFIC_PREFIX || 'dev',
    log: console.error,
  });
  const started = Date.now();
  await sendBatch(services, perService);
  while (services.stats.pending > 0 && Date.now() - started < 60_000) {
    await sleep(100);
  }
  await services.close();
  const sent = perService * Object.keys(SERVICES).length;
  console.log(
    `sent ${sent} messages to ${Object.keys(SERVICES).length} services; ${
      services.stats.deadLettered
    } failed and were dead-lettered into '${queue}'`,
  );
  if (services.stats.pending > 0) {
    console.error(
      `${services.stats.pending} messages were not handled within 60 s`,
    );
    process.exit(1);
  }
}

module.exports = { runContinuously, SERVICES };

if (require.main === module) {
  main().catch(e => {
    console.error(`dead-letter traffic failed: ${e.message}`);
    process.exit(1);
  });
}
