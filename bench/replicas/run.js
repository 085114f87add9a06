#!/usr/bin/env node
/* eslint-disable no-console */
// Replicas (./scripts/bench.sh replicas), on this machine's RabbitMQ and
// PostgreSQL, with the built backend (scripts/build-dist.sh), two replicas
// sharing one database as in deploy/:
//   1. a backlog of N dead letters drained into PostgreSQL by one replica,
//      and (same run, alternating) the same backlog by two replicas
//      consuming the same queue: msg/s from the rows' first to last
//      receive time;
//   2. a SIGTERM to one of two replicas in the middle of a drain: time to
//      exit, then every message stored exactly once and nothing left ready
//      or unacknowledged on the queue once the other finished.
// Readiness against a stock Backstage backend is bench/startup.
// BENCH_REPLICAS_MESSAGES=N resizes the backlog (default 50000);
// BENCH_REPLICAS_ROUNDS=R the alternating rounds of 1 (default 2).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const amqp = require('amqplib');
const yaml = require('yaml');
const {
  resetDatabases,
  startBackend,
  benchAccess,
  measuredOn,
  writeSection,
  pluginDatabase,
  median,
} = require('../lib/common');
const { fillQueue } = require('../lib/deadLetterSamples');

const N = Number(process.env.BENCH_REPLICAS_MESSAGES || 50000);
const ROUNDS = Number(process.env.BENCH_REPLICAS_ROUNDS || 2);
const AMQP_URL =
  process.env.BENCH_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
const PREFIX = 'lunar_bench_rep_';
const PORTS = [7101, 7102];
const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Ready and unacknowledged messages of `queue`, as the broker counts them. */
function brokerCounts(queue) {
  const out = execFileSync(
    'rabbitmqctl',
    ['-q', 'list_queues', 'name', 'messages_ready', 'messages_unacknowledged'],
    { encoding: 'utf8' },
  );
  for (const line of out.split('\n')) {
    const [name, ready, unacked] = line.trim().split(/\s+/);
    if (name === queue)
      return { ready: Number(ready), unacked: Number(unacked) };
  }
  throw new Error(`queue ${queue} not found`);
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'replicas-bench-'));
  const connection = await amqp.connect(AMQP_URL);
  const queue = `bench-replicas-${crypto.randomBytes(3).toString('hex')}`;
  const access = benchAccess();
  const accessFile = access.write(path.join(work, 'access.yaml'), {
    deadLetter: {
      environments: [{ name: 'bench', amqp: { url: AMQP_URL, queue } }],
    },
  });
  /** Replica i's own settings: its port. */
  const replicaFile = i => {
    const file = path.join(work, `replica-${i}.yaml`);
    fs.writeFileSync(
      file,
      yaml.stringify({
        backend: {
          listen: `:${PORTS[i]}`,
          baseUrl: `http://127.0.0.1:${PORTS[i]}`,
        },
      }),
    );
    return file;
  };
  const start = i =>
    startBackend({
      configs: [accessFile, replicaFile(i)],
      env: { APP_CONFIG_backend_database_prefix: PREFIX },
      logFile: path.join(work, `replica-${i}.log`),
      port: PORTS[i],
    });
  let knex;
  const running = new Set();
  try {
    /**
     * A fresh database and a full queue, then `replicas` backends started
     * together; resolves with the drain's figures once all N are stored.
     */
    const drain = async (replicas, { sigtermAt } = {}) => {
      await fillQueue(connection, queue, N);
      await knex?.destroy();
      resetDatabases(PREFIX);
      const backends = await Promise.all(
        Array.from({ length: replicas }, (_, i) => start(i)),
      );
      backends.forEach(b => running.add(b));
      knex = pluginDatabase(PREFIX, 'dead-letter');
      const count = async () =>
        Number((await knex('dead_letters').count({ c: '*' }))[0].c);
      let exitMs;
      const deadline = Date.now() + 600_000;
      for (;;) {
        const c = await count().catch(() => 0);
        if (sigtermAt !== undefined && exitMs === undefined && c >= sigtermAt) {
          const t0 = Date.now();
          const victim = backends[0];
          await victim.stop();
          running.delete(victim);
          exitMs = Date.now() - t0;
          console.log(`SIGTERM at ${c} stored: exited after ${exitMs} ms`);
        }
        if (c >= N) break;
        if (Date.now() > deadline) throw new Error(`drain stuck at ${c}`);
        await sleep(100);
      }
      const [{ seconds, distinct }] = (
        await knex.raw(
          `select extract(epoch from max(received_at) - min(received_at)) as seconds,
                  count(distinct message_id) as distinct
           from dead_letters`,
        )
      ).rows;
      const stored = await count();
      // The last acknowledgements follow their commits: wait for them (a
      // replica busy starting up may take a moment), up to 30 s.
      let broker = brokerCounts(queue);
      const settle = Date.now() + 30_000;
      while (broker.ready + broker.unacked > 0 && Date.now() < settle) {
        await sleep(250);
        broker = brokerCounts(queue);
      }
      for (const b of backends) {
        if (running.has(b)) {
          await b.stop();
          running.delete(b);
        }
      }
      return {
        rate: (N - 1) / Number(seconds),
        stored,
        distinct: Number(distinct),
        broker,
        exitMs,
      };
    };

    const one = [];
    const two = [];
    for (let r = 0; r < ROUNDS; r++) {
      one.push(await drain(1));
      console.log(
        `round ${r + 1}: one replica ${one[r].rate.toFixed(0)} msg/s`,
      );
      two.push(await drain(2));
      console.log(
        `round ${r + 1}: two replicas ${two[r].rate.toFixed(0)} msg/s`,
      );
    }
    const term = await drain(2, { sigtermAt: Math.floor(N / 3) });
    console.log('SIGTERM drain', term);

    const f = x => Math.round(x).toLocaleString('en-US');
    const r1 = median(one.map(x => x.rate));
    const r2 = median(two.map(x => x.rate));
    const checks = [
      ...one.map((x, i) => [`one replica, round ${i + 1}`, x]),
      ...two.map((x, i) => [`two replicas, round ${i + 1}`, x]),
      ['two replicas, one sent SIGTERM mid-drain', term],
    ];
    const ok = x =>
      x.stored === N &&
      x.distinct === N &&
      x.broker.ready === 0 &&
      x.broker.unacked === 0
        ? 'ok'
        : '**not ok**';
    const section = [
      '## Replicas (`./scripts/bench.sh replicas`)',
      '',
      `${measuredOn()}, local RabbitMQ (one quorum queue) and PostgreSQL 15, built backends with the production config on one database, as deploy/ runs them.`,
      `A backlog of ${f(
        N,
      )} dead letters (the dead-letter bench's messages) drained into PostgreSQL; rate from the first to the last row's receive time; median of ${ROUNDS} rounds, one and two replicas alternating.`,
      '',
      '| what | measured | baseline | ratio |',
      '| --- | ---: | ---: | ---: |',
      `| drain with two replicas consuming the queue | ${f(r2)} msg/s | ${f(
        r1,
      )} msg/s (one replica) | ${(r2 / r1).toFixed(2)} |`,
      `| SIGTERM to exit, one of two replicas mid-drain (at ${f(
        Math.floor(N / 3),
      )} stored) | ${f(
        term.exitMs,
      )} ms | 60,000 ms (deploy/'s terminationGracePeriodSeconds) | ${(
        term.exitMs / 60000
      ).toFixed(2)} |`,
      '',
      r2 / r1 < 1.1
        ? `No speed-up on ${
            os.cpus().length
          } cores, as expected: both replicas share the CPU with PostgreSQL and RabbitMQ, and the database's inserts are the limit (bench/dead-letter). Here replicas are for availability; on separate nodes, with the database elsewhere, they add consumers.`
        : `Two replicas drained ${(r2 / r1).toFixed(2)}x as fast as one on ${
            os.cpus().length
          } cores.`,
      '',
      "Every drain, counted afterwards (stored rows, distinct message ids, and the broker's own counts, waited for up to 30 s after the last row was stored):",
      '',
      '| drain | stored | distinct | ready on the queue | unacknowledged | |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
      ...checks.map(
        ([name, x]) =>
          `| ${name} | ${f(x.stored)} | ${f(x.distinct)} | ${
            x.broker.ready
          } | ${x.broker.unacked} | ${ok(x)} |`,
      ),
    ].join('\n');
    writeSection('replicas', section);
    console.log(section);
  } finally {
    for (const b of running) await b.stop().catch(() => {});
    await knex?.destroy();
    const ch = await connection.createChannel();
    await ch.deleteQueue(queue).catch(() => {});
    await connection.close();
    resetDatabases(PREFIX);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

require('../lib/common').runMain(main);
