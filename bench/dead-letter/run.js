#!/usr/bin/env node
/* eslint-disable no-console */
// Dead-letter benchmark (./scripts/bench.sh dead-letter), on this machine's
// RabbitMQ and PostgreSQL, with the built backend (scripts/build-dist.sh):
//   1. ceiling: consume-and-ack N messages with no database (plain amqplib);
//   2. the plugin: the built backend drains a backlog of N realistic
//      dead-lettered messages (about 1 KB bodies, Lunar-like headers) into
//      PostgreSQL: sustained msg/s from consume to commit to ack, and the
//      backend's resident memory during the drain;
//   3. ceiling: the same rows bulk-inserted straight into PostgreSQL;
//   4. with 1,000,000 stored messages, p95 latency of squad-overview,
//      service-overview and the first list page, against GET /environments
//      (no database) as the baseline.
// BENCH_MESSAGES=N resizes the backlog (default 200000).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const amqp = require('amqplib');
const {
  errorGroupSql,
  request,
  memoryMb,
  resetDatabases,
  startBackend,
  benchAccess,
  measuredOn,
  writeSection,
  pluginDatabase,
} = require('../lib/common');

const N = Number(process.env.BENCH_MESSAGES || 200000);
const AMQP_URL =
  process.env.BENCH_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
const PREFIX = 'lunar_bench_dl_';
const {
  SERVICES,
  ERRORS,
  message,
  fillQueue,
} = require('../lib/deadLetterSamples');
const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Ceiling 1: consume and ack, nothing stored. */
async function consumeAndAck(connection, queue) {
  const ch = await connection.createChannel();
  await ch.prefetch(1000);
  let seen = 0;
  let start;
  const done = new Promise(resolve => {
    ch.consume(queue, msg => {
      if (!start) start = process.hrtime.bigint();
      seen += 1;
      if (seen % 500 === 0 || seen === N) ch.ack(msg, true);
      if (seen === N) resolve(process.hrtime.bigint());
    });
  });
  const end = await done;
  await ch.close();
  return N / (Number(end - start) / 1e9);
}

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function timed(url, headers, runs = 40) {
  for (let i = 0; i < 3; i++) await request(url, headers);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const { status } = await request(url, headers);
    if (status !== 200) throw new Error(`${url} answered ${status}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dead-letter-bench-'));
  const connection = await amqp.connect(AMQP_URL);
  const suffix = crypto.randomBytes(3).toString('hex');
  const ceilingQueue = `bench-ack-only-${suffix}`;
  const pluginQueue = `bench-dead-letters-${suffix}`;
  const access = benchAccess();
  const { auth } = access;
  let backend;
  let knex;
  try {
    console.log(`Filling ${ceilingQueue} with ${N} messages`);
    await fillQueue(connection, ceilingQueue, N);
    const ackOnlyRate = await consumeAndAck(connection, ceilingQueue);
    console.log(`consume-and-ack ceiling: ${ackOnlyRate.toFixed(0)} msg/s`);

    console.log(`Filling ${pluginQueue} with ${N} messages`);
    await fillQueue(connection, pluginQueue, N);

    resetDatabases(PREFIX);
    const configFile = path.join(work, 'app-config.bench.yaml');
    access.write(configFile, {
      deadLetter: {
        environments: [
          { name: 'bench', amqp: { url: AMQP_URL, queue: pluginQueue } },
        ],
      },
    });
    knex = pluginDatabase(PREFIX, 'dead-letter');

    backend = await startBackend({
      configs: [configFile],
      env: { APP_CONFIG_backend_database_prefix: PREFIX },
      logFile: path.join(work, 'backend.log'),
    });
    const count = async () =>
      Number((await knex('dead_letters').count({ c: '*' }))[0].c);
    // Resident memory against progress: flat means it levels off instead
    // of growing with the number of messages drained.
    const samples = [{ stored: 0, rss: memoryMb(backend.child.pid).rss }];
    for (;;) {
      const c = await count().catch(() => 0);
      samples.push({ stored: c, rss: memoryMb(backend.child.pid).rss });
      if (c >= N) break;
      await sleep(100);
    }
    const rss = samples.map(s => s.rss);
    const rssAt = share =>
      samples.find(s => s.stored >= share * N) ?? samples[samples.length - 1];
    // Sustained rate from the rows' own receive times (the consumer may
    // start draining before the backend reports ready).
    const [{ seconds }] = (
      await knex.raw(
        'select extract(epoch from max(received_at) - min(received_at)) as seconds from dead_letters',
      )
    ).rows;
    const pluginRate = (N - 1) / Number(seconds);
    console.log(`plugin drain: ${pluginRate.toFixed(0)} msg/s`);
    const ready = await connection.createChannel().then(async ch => {
      const q = await ch.checkQueue(pluginQueue);
      await ch.close();
      return q.messageCount;
    });

    // Ceiling 2: the same rows, bulk-inserted straight into PostgreSQL.
    await knex.raw('create table bench_copy (like dead_letters including all)');
    const rows = await knex('dead_letters').select('*').orderBy('id').limit(N);
    const copies = rows.map(({ id: _id, ...r }) => r);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < copies.length; i += 500) {
      await knex.transaction(tx =>
        tx('bench_copy')
          .insert(copies.slice(i, i + 500))
          .onConflict('dedup_key')
          .ignore(),
      );
    }
    const bulkRate =
      copies.length / (Number(process.hrtime.bigint() - t0) / 1e9);
    await knex.raw('drop table bench_copy');
    console.log(`bulk-insert ceiling: ${bulkRate.toFixed(0)} rows/s`);

    // 1,000,000 stored messages: top up with generated rows, then query.
    const target = 1_000_000;
    const have = await count();
    await knex.raw(
      `insert into dead_letters (dedup_key, environment, queue, exchange, routing_key, reason, service, squad, message_id, error, error_group, dead_lettered_at, received_at, redelivery_count, headers, properties, body, body_size, body_truncated)
       select md5('gen-' || g), 'bench', 'prod-k8s_' || s.name, 'bankaccount', 'bankaccount.account.Event', 'rejected', s.name, 'squad-' || (g % 12),
              'gen-' || g, 'ctx handler: error ' || (g % 40), ${errorGroupSql(
                "'ctx handler: error ' || (g % 40)",
                Array.from({ length: 40 }, (_, i) => `ctx handler: error ${i}`),
              )}, now() - (g || ' seconds')::interval, now(), 0, '{}', '{}', convert_to(repeat('x', 1000), 'UTF8'), 1000, false
       from generate_series(1, ?) g
       join (select unnest(array[${SERVICES.map(s => `'${s}'`).join(
         ',',
       )}, 'svc-a','svc-b','svc-c','svc-d']) as name, generate_series(0, 11) as k) s on s.k = g % 12`,
      [Math.max(0, target - have)],
    );
    await knex.raw('vacuum analyze dead_letters');
    const total = await count();
    const base = 'http://127.0.0.1:7007/api/dead-letter';
    const latency = {
      baseline: await timed(`${base}/environments`, auth),
      squads: await timed(
        `${base}/dead-letters/squad-overview?environment=bench`,
        auth,
      ),
      services: await timed(
        `${base}/dead-letters/service-overview?environment=bench&squad=squad-3`,
        auth,
      ),
      list: await timed(
        `${base}/dead-letters?environment=bench&limit=50`,
        auth,
      ),
    };
    console.log(latency);

    const f = x => x.toFixed(0);
    const ms = x => `${x.p95.toFixed(1)} ms`;
    const section = [
      '## Dead letters (`./scripts/bench.sh dead-letter`)',
      '',
      `${measuredOn()}, local RabbitMQ (quorum queues) and PostgreSQL 15, built backend with production config.`,
      `A backlog of ${N} dead-lettered messages (${
        message(0).body.length
      } byte JSON bodies, x-death and Lunar-like headers) in a quorum queue.`,
      '',
      '| drain | msg/s | ratio to the plugin |',
      '| --- | ---: | ---: |',
      `| the plugin: consume, store in PostgreSQL, ack | ${f(
        pluginRate,
      )} | 1.00 |`,
      `| ceiling: consume and ack, no database | ${f(ackOnlyRate)} | ${(
        ackOnlyRate / pluginRate
      ).toFixed(2)} |`,
      `| ceiling: the same rows bulk-inserted into PostgreSQL (500 a transaction) | ${f(
        bulkRate,
      )} | ${(bulkRate / pluginRate).toFixed(2)} |`,
      '',
      `The plugin reached ${((pluginRate / bulkRate) * 100).toFixed(
        0,
      )}% of the bulk-insert ceiling (goal: at least 50%) and ${f(
        pluginRate,
      )} msg/s (goal: at least 5,000). Messages left in the queue afterwards: ${ready}. Absolute rates move with the load on this shared machine (both ceilings move with them); the ratio to the bulk-insert ceiling is the comparable figure.`,
      '',
      `Backend resident memory during the drain (${
        rss.length
      } samples, every 100 ms; peak ${f(Math.max(...rss))} MB):`,
      '',
      '| messages stored | resident memory |',
      '| ---: | ---: |',
      ...[0, 0.1, 0.25, 0.5, 0.75, 1].map(share => {
        const s = rssAt(share);
        return `| ${f(s.stored)} (${share * 100}%) | ${f(s.rss)} MB |`;
      }),
      '',
      `From a quarter of the backlog to the end (${f(
        rssAt(1).stored - rssAt(0.25).stored,
      )} more messages) memory changed by ${f(
        rssAt(1).rss - rssAt(0.25).rss,
      )} MB: flat means this stays near zero however long the drain.`,
      '',
      `With ${total.toLocaleString(
        'en-US',
      )} stored messages (p50 / p95 of 40 requests each, through the HTTP API):`,
      '',
      '| request | p50 | p95 | p95 ratio to baseline |',
      '| --- | ---: | ---: | ---: |',
      ...[
        ['GET /environments (baseline, no database)', latency.baseline],
        ['squad-overview', latency.squads],
        ['service-overview (one squad)', latency.services],
        ['first list page (50, with total count)', latency.list],
      ].map(
        ([name, l]) =>
          `| ${name} | ${l.p50.toFixed(1)} ms | ${ms(l)} | ${(
            l.p95 / latency.baseline.p95
          ).toFixed(1)}x |`,
      ),
      '',
      'Goal: p95 under 100 ms for the three overview/list requests.',
    ].join('\n');
    writeSection('dead-letter', section);
    console.log(section);
  } finally {
    await backend?.stop();
    await knex?.destroy();
    const ch = await connection.createChannel();
    for (const q of [ceilingQueue, pluginQueue])
      await ch.deleteQueue(q).catch(() => {});
    await connection.close().catch(() => {});
    resetDatabases(PREFIX);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

require('../lib/common').runMain(main);
