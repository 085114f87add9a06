#!/usr/bin/env node
/* eslint-disable no-console */
// Redelivery jobs (./scripts/bench.sh dead-letter-redelivery), on this
// machine's RabbitMQ and PostgreSQL, with the built backend
// (scripts/build-dist.sh):
//   1. ceiling: publish-with-confirms of N messages like the stored ones
//      (same body sizes and headers, mandatory, to an exchange with a bound
//      quorum queue) with amqplib on one confirm channel, waiting for the
//      confirms every CONFIRM_BATCH messages, twice: plain (one socket write
//      per message) and with its writes coalesced as the plugin's publisher
//      does (consumer/socketWrites.ts); the higher of the two is the
//      ceiling. And, to tell the broker's share from the database's, plain
//      waiting every RUNNER_BATCH (the runner's batch);
//   2. the plugin: N rows inserted straight into PostgreSQL, redelivered by
//      jobs (POST /redeliveries) to the same exchange and queue:
//      (a) at the API's highest rate (no effective limit): msg/s from the
//          job's start to done, against the ceiling; ROUNDS times, each
//          right after a ceiling run and compared with it, the median ratio
//          recorded;
//      (b) at 1,000 msg/s: the rate achieved over the job against the
//          target;
//      (c) a running job cancelled: time from POST cancel to the last
//          message arriving on the target queue;
//      (d) the backend's resident memory sampled during the jobs.
//   A consumer on the target queue counts every arrival by messageId, so
//   each completed job is checked to deliver every message exactly once.
// BENCH_REDELIVERY_MESSAGES=N resizes the jobs (default 100000).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const amqp = require('amqplib');
const {
  errorGroupSql,
  request,
  memoryMb,
  cpuSeconds,
  resetDatabases,
  startBackend,
  measuredOn,
  writeSection,
  writeGuestConfig,
  guestToken,
  pluginDatabase,
  median,
} = require('../lib/common');

const N = Number(process.env.BENCH_REDELIVERY_MESSAGES || 100000);
const AMQP_URL =
  process.env.BENCH_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
const PREFIX = 'lunar_bench_dlrd_';
/** Confirms are awaited every this many publishes in the ceiling. */
const CONFIRM_BATCH = 5000;
/**
 * The runner's batch without a rate (RedeliveryRunner.ts UNLIMITED_BATCH),
 * of which two are at the broker at once.
 */
const RUNNER_BATCH = 1000;
/** The issue's bound: a cancel stops publishing within one second. */
const CANCEL_BOUND_MS = 1000;
/** Ceiling runs, each followed by an unlimited job (a) compared with it. */
const ROUNDS = 3;
/** The target of the paced job (b), msg/s. */
const PACED_RATE = 1000;
/** The highest rate the API accepts: what "no limit" is for a job. */
const UNLIMITED_RATE = 100_000;
const ROUTING_KEY = 'bankaccount.account.ReserveFundsResponseV1';
const { SERVICES, ERRORS } = require('../lib/deadLetterSamples');
const sleep = ms => new Promise(r => setTimeout(r, ms));

/** A port no other agent's backend uses (not 7007). */
const freePort = () => 19000 + Math.floor(Math.random() * 2000);

/** The message body of row g (the same shape the SQL below stores). */
function body(g) {
  return Buffer.from(
    JSON.stringify({
      eventId: crypto.createHash('md5').update(`ev-${g}`).digest('hex'),
      accountId: `acc-${g % 50000}`,
      amount: { value: (g % 10000) + 0.5, currency: 'DKK' },
      reference: 'x'.repeat(820),
      occurredAt: new Date(Date.UTC(2026, 10, 1) + g * 1000).toISOString(),
    }),
  );
}

/**
 * Inserts N dead letters of the given queue (one job's selection) straight
 * into PostgreSQL, routed back to `exchange` with ROUTING_KEY; message ids
 * `<tag>-<g>`.
 */
async function insertRows(knex, { tag, exchange }) {
  const services = `array[${SERVICES.map(s => `'${s}'`).join(',')}]`;
  const errors = `array[${ERRORS.map(s => `'${s}'`).join(',')}]`;
  await knex.raw(
    `insert into dead_letters (dedup_key, environment, queue, exchange, routing_key, reason, service, squad, message_id, error, error_group, dead_lettered_at, received_at, redelivery_count, headers, properties, body, body_size, body_truncated)
     select md5(:tag::text || '-' || g), 'bench', 'redelivery-' || :tag::text, :exchange::text, :rk, 'rejected',
            (${services})[1 + g % ${
      SERVICES.length
    }], 'squad-' || (g % 12), :tag::text || '-' || g,
            (${errors})[1 + g % ${ERRORS.length}], ${errorGroupSql(
      `(${errors})[1 + g % ${ERRORS.length}]`,
      ERRORS,
    )}, now() - (g || ' seconds')::interval, now(), 0,
            json_build_object('x-error', (${errors})[1 + g % ${ERRORS.length}],
              'x-first-death-queue', 'redelivery-' || :tag::text, 'x-first-death-reason', 'rejected', 'x-first-death-exchange', :exchange::text,
              'x-death', json_build_array(json_build_object('count', 1, 'reason', 'rejected', 'queue', 'redelivery-' || :tag::text,
                'exchange', :exchange::text, 'routing-keys', json_build_array(:rk::text)))),
            json_build_object('contentType', 'application/json', 'deliveryMode', 2, 'messageId', :tag::text || '-' || g,
              'correlationId', 'corr-' || g, 'timestamp', extract(epoch from now())::int),
            b.body, length(b.body), false
     from generate_series(0, :n::int - 1) g,
     lateral (select convert_to('{"eventId":"' || md5('ev-' || g) || '","accountId":"acc-' || (g % 50000)
               || '","amount":{"value":' || ((g % 10000) + 0.5) || ',"currency":"DKK"},"reference":"' || repeat('x', 820)
               || '","occurredAt":"' || to_char(timestamp '2026-11-01' + (g || ' seconds')::interval, 'YYYY-MM-DD"T"HH24:MI:SS".000Z"')
               || '"}', 'UTF8') as body) b`,
    { tag, exchange, rk: ROUTING_KEY, n: N },
  );
  // Vacuumed as well as analyzed: otherwise autovacuum takes up the freshly
  // inserted rows during the job, on the same two cores.
  await knex.raw('vacuum analyze dead_letters');
  // The ceiling publishes body(g): the very bytes stored here.
  const [row] = await knex('dead_letters')
    .where({ message_id: `${tag}-7` })
    .select('body');
  if (!row || !Buffer.from(row.body).equals(body(7)))
    throw new Error(`stored body differs from the ceiling's: ${row?.body}`);
}

/**
 * Counts what arrives on the target queue by messageId, with the time of
 * each part's first and last arrival.
 */
async function arrivals(connection, queue) {
  const ch = await connection.createChannel();
  const seen = new Map();
  const parts = {};
  // Auto-ack: counting must not slow the queue down.
  await ch.consume(
    queue,
    msg => {
      const now = Date.now();
      const id = msg.properties.messageId;
      const tag = id.slice(0, id.lastIndexOf('-'));
      seen.set(id, (seen.get(id) ?? 0) + 1);
      const p = (parts[tag] ??= { count: 0, first: now, last: now, marks: [] });
      p.count += 1;
      p.last = now;
      // When each quarter of a job had arrived.
      if (p.count % (N / 4) === 0) p.marks.push(now);
    },
    { noAck: true },
  );
  return {
    part: tag => parts[tag] ?? { count: 0, first: 0, last: 0 },
    /** Distinct messages of a part and how many came more than once. */
    check(tag) {
      let distinct = 0;
      let duplicated = 0;
      for (const [id, c] of seen) {
        if (!id.startsWith(`${tag}-`)) continue;
        distinct += 1;
        if (c > 1) duplicated += 1;
      }
      return { distinct, duplicated };
    },
    /** Resolves once nothing arrived for `quietMs`. */
    async quiet(quietMs) {
      let last = -1;
      let since = Date.now();
      for (;;) {
        const total = Object.values(parts).reduce((s, p) => s + p.count, 0);
        if (total !== last) {
          last = total;
          since = Date.now();
        } else if (Date.now() - since >= quietMs) return;
        await sleep(50);
      }
    },
    async close() {
      await ch.close().catch(() => {});
    },
  };
}

/**
 * The socket buffer of the coalescing ceiling's connection, as the
 * plugin's (socketWrites.ts SOCKET_WRITE_BUFFER_BYTES).
 */
const SOCKET_WRITE_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * Ceiling: amqplib, one confirm channel, mandatory publishes. With
 * `coalesce` (a connection opened with SOCKET_WRITE_BUFFER_BYTES), the
 * socket is corked for each RUNNER_BATCH publishes until amqplib has handed
 * them over, as the plugin's publisher does.
 */
async function publishCeiling(connection, exchange, batch, tag, coalesce) {
  const ch = await connection.createConfirmChannel();
  const socket = connection.connection.stream;
  let returned = 0;
  ch.on('return', () => (returned += 1));
  const t0 = process.hrtime.bigint();
  for (let g = 0; g < N; g++) {
    if (coalesce && g % RUNNER_BATCH === 0) {
      socket.cork();
      setImmediate(() => setImmediate(() => socket.uncork()));
    }
    const ok = ch.publish(exchange, ROUTING_KEY, body(g), {
      mandatory: true,
      contentType: 'application/json',
      deliveryMode: 2,
      messageId: `${tag}-${g}`,
      correlationId: `corr-${g}`,
      timestamp: Math.floor(Date.now() / 1000),
      // What a redelivered message carries: the stored headers without
      // the death ones, plus the plugin's four.
      headers: {
        'x-error': ERRORS[g % ERRORS.length],
        'x-dead-letter-redeliveries': 1,
        'x-dead-letter-id': String(1_000_000 + g),
        'x-dead-letter-redelivery-job': crypto.randomUUID(),
        'x-dead-letter-redelivery-id': String(1_000_000 + g),
      },
    });
    if (!ok) await new Promise(r => ch.once('drain', r));
    if (g % batch === batch - 1) await ch.waitForConfirms();
  }
  await ch.waitForConfirms();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await ch.close();
  if (returned) throw new Error(`${returned} ceiling messages unroutable`);
  return N / seconds;
}

/** Exactly-once figures of the ROUNDS runs `<prefix>1`, `<prefix>2`, ... added up. */
function sumChecks(counter, prefix) {
  const total = { expected: 0, distinct: 0, duplicated: 0, arrived: 0 };
  for (let r = 1; r <= ROUNDS; r++) {
    const check = counter.check(`${prefix}${r}`);
    total.expected += N;
    total.distinct += check.distinct;
    total.duplicated += check.duplicated;
    total.arrived += counter.part(`${prefix}${r}`).count;
  }
  return total;
}

const stats = xs => ({
  first: xs[0],
  last: xs[xs.length - 1],
  min: Math.min(...xs),
  max: Math.max(...xs),
  n: xs.length,
});

async function main() {
  const work = fs.mkdtempSync(
    path.join(os.tmpdir(), 'dead-letter-redelivery-'),
  );
  const connection = await amqp.connect(AMQP_URL);
  const suffix = crypto.randomBytes(3).toString('hex');
  const exchange = `bench-redelivery-${suffix}`;
  const target = `bench-redelivery-target-${suffix}`;
  const dlq = `bench-redelivery-dlq-${suffix}`;
  const port = freePort();
  const base = `http://127.0.0.1:${port}/api/dead-letter`;
  let backend;
  let knex;
  let counter;
  let coalescing;
  try {
    const setup = await connection.createChannel();
    await setup.assertExchange(exchange, 'direct', { durable: true });
    for (const q of [target, dlq]) {
      await setup.assertQueue(q, {
        durable: true,
        arguments: { 'x-queue-type': 'quorum' },
      });
    }
    await setup.bindQueue(target, exchange, ROUTING_KEY);
    await setup.close();
    counter = await arrivals(connection, target);

    resetDatabases(PREFIX);
    const configFile = writeGuestConfig(path.join(work, 'bench.yaml'), port, {
      // Creating a job is one permission check; the runner asks none.
      permission: { enabled: false },
      deadLetter: {
        environments: [{ name: 'bench', amqp: { url: AMQP_URL, queue: dlq } }],
        redelivery: { maxRate: UNLIMITED_RATE },
      },
    });
    const logFile = path.join(work, 'backend.log');
    backend = await startBackend({
      configs: [configFile],
      env: { APP_CONFIG_backend_database_prefix: PREFIX },
      logFile,
      port,
      // V8 reports every collection: what the JavaScript heap holds after a
      // full one (mark-compact) is what is alive, unlike resident memory,
      // which the process keeps once it has grown.
      nodeArgs: ['--trace-gc'],
    });
    const auth = await guestToken(port);
    knex = pluginDatabase(PREFIX, 'dead-letter');
    const pid = backend.child.pid;
    const memory = {};
    /** MB alive after the latest full collection (V8's --trace-gc). */
    const liveHeapMb = () => {
      const log = fs.readFileSync(logFile, 'utf8');
      const full = [
        ...log.matchAll(/Mark-Compact[^\n]*? -> ([\d.]+) \([\d.]+\) MB/g),
      ];
      return full.length ? Number(full[full.length - 1][1]) : NaN;
    };

    /** Creates a job for one part's rows; returns it and the POST's time. */
    const create = async (tag, rate) => {
      const t0 = Date.now();
      const res = await request(`${base}/redeliveries`, auth, {
        method: 'POST',
        body: {
          environment: 'bench',
          filter: { queue: `redelivery-${tag}` },
          rate,
        },
      });
      if (res.status !== 202)
        throw new Error(
          `POST /redeliveries ${res.status}: ${JSON.stringify(res.body)}`,
        );
      if (res.body.progress.total !== N)
        throw new Error(`job ${tag} holds ${res.body.progress.total} of ${N}`);
      return { job: res.body, postMs: Date.now() - t0 };
    };
    const get = async id => {
      const res = await request(`${base}/redeliveries/${id}`, auth);
      if (res.status !== 200) throw new Error(`GET job ${res.status}`);
      return res.body;
    };
    /** Polls the job every 200 ms (sampling memory) until `until(job)`. */
    const follow = async (tag, id, until) => {
      const samples = (memory[tag] ??= []);
      for (;;) {
        const rss = memoryMb(pid).rss;
        const job = await get(id);
        samples.push({
          rss,
          heap: liveHeapMb(),
          published: job.progress.published,
        });
        if (until(job)) return job;
        if (['failed', 'paused'].includes(job.state))
          throw new Error(
            `job ${tag} ${job.state}: ${job.error ?? job.pausedReason}`,
          );
        await sleep(200);
      }
    };
    const finished = j => j.state === 'done';
    const span = j =>
      (Date.parse(j.finishedAt) - Date.parse(j.startedAt)) / 1000;

    // Diagnostic: the broker's side of the runner's batches, no database.
    const small = await publishCeiling(
      connection,
      exchange,
      RUNNER_BATCH,
      'small',
    );
    await counter.quiet(1000);
    console.log(
      `publish-with-confirms, batches of ${RUNNER_BATCH}: ${small.toFixed(
        0,
      )} msg/s`,
    );

    // (a) no effective limit, ROUNDS times, each right after a ceiling run:
    // the broker's own rate drifts by a quarter between runs on this shared
    // machine. Both are measured alike, the backend up (and idle during the
    // ceilings).
    coalescing = await amqp.connect(AMQP_URL, {
      writableHighWaterMark: SOCKET_WRITE_BUFFER_BYTES,
    });
    const rounds = [];
    for (let r = 1; r <= ROUNDS; r++) {
      console.log(`Ceiling ${r}: publishing ${N} messages with confirms`);
      const plainRate = await publishCeiling(
        connection,
        exchange,
        CONFIRM_BATCH,
        `ceiling${r}`,
      );
      await counter.quiet(1000);
      const coalescedRate = await publishCeiling(
        coalescing,
        exchange,
        CONFIRM_BATCH,
        `coalesced${r}`,
        true,
      );
      await counter.quiet(1000);
      const ceilingRate = Math.max(plainRate, coalescedRate);
      console.log(
        `publish-with-confirms ceiling: ${plainRate.toFixed(
          0,
        )} msg/s plain, ${coalescedRate.toFixed(0)} msg/s coalesced`,
      );
      console.log(`Inserting ${N} rows for unlimited job ${r}`);
      await insertRows(knex, { tag: `unlimited${r}`, exchange });
      const cpu0 = cpuSeconds(pid);
      const created = await create(`unlimited${r}`, UNLIMITED_RATE);
      const job = await follow(`unlimited${r}`, created.job.id, finished);
      const cpu = cpuSeconds(pid) - cpu0;
      await counter.quiet(1000);
      const rate = job.progress.published / span(job);
      console.log(`unlimited job ${r}: ${rate.toFixed(0)} msg/s`, job.progress);
      rounds.push({
        ceiling: ceilingRate,
        plain: plainRate,
        coalesced: coalescedRate,
        rate,
        job,
        created,
        cpu,
        tag: `unlimited${r}`,
      });
    }
    // Each job against the ceiling measured right before it (the broker's
    // rate drifts between runs); the round with the median ratio is shown.
    const aRatio = median(rounds.map(x => x.rate / x.ceiling));
    const aRound = rounds.find(x => x.rate / x.ceiling === aRatio) ?? rounds[0];
    const { ceiling, rate: aRate } = aRound;
    const { job: aJob, created: a } = aRound;

    // (b) paced at PACED_RATE.
    console.log(`Inserting ${N} rows for the paced job`);
    await insertRows(knex, { tag: 'paced', exchange });
    const bCpu0 = cpuSeconds(pid);
    const b = await create('paced', PACED_RATE);
    const bJob = await follow('paced', b.job.id, finished);
    const bCpu = cpuSeconds(pid) - bCpu0;
    await counter.quiet(1000);
    const bRate = bJob.progress.published / span(bJob);
    const aArr = counter.part(aRound.tag);
    const aQuarters = [aArr.first, ...aArr.marks]
      .slice(1)
      .map((t, i, ts) => N / 4 / ((t - (i ? ts[i - 1] : aArr.first)) / 1000));
    const bArr = counter.part('paced');
    const bArrRate = (bArr.count - 1) / ((bArr.last - bArr.first) / 1000);
    console.log(
      `paced job: ${bRate.toFixed(0)} msg/s (arrivals ${bArrRate.toFixed(0)})`,
    );

    // (c) cancel a running unlimited job a while after it started (by
    // time: a count would line up with the runner's read-ahead).
    console.log(`Inserting ${N} rows for the cancelled job`);
    await insertRows(knex, { tag: 'cancel', exchange });
    const c = await create('cancel', UNLIMITED_RATE);
    await follow('cancel', c.job.id, j => j.state === 'running');
    await sleep(Math.min(3000, (N / aRate) * 300));
    // Cancel while messages flow: right after one arrived (the runner
    // pauses between batches and to read ahead).
    const flowing = Date.now() + 5000;
    while (Date.now() - counter.part('cancel').last > 2 && Date.now() < flowing)
      await new Promise(r => setImmediate(r));
    const arrivedBeforeCancel = counter.part('cancel').count;
    const cancelAt = Date.now();
    const cancelled = await request(
      `${base}/redeliveries/${c.job.id}/cancel`,
      auth,
      {
        method: 'POST',
        body: {},
      },
    );
    const cancelAnswerMs = Date.now() - cancelAt;
    if (cancelled.status !== 200)
      throw new Error(
        `cancel ${cancelled.status}: ${JSON.stringify(cancelled.body)}`,
      );
    const publishedAtCancel = cancelled.body.progress?.published;
    await counter.quiet(3000);
    const cJob = await follow('cancel', c.job.id, j => j.state === 'cancelled');
    // Idle: does memory come back once no job runs?
    await sleep(10_000);
    const idleRss = memoryMb(pid).rss;
    const idleHeap = liveHeapMb();
    const cArr = counter.part('cancel');
    const cancelToLastMs = cArr.last - cancelAt;
    const arrivedAfterCancel = cArr.count - arrivedBeforeCancel;
    console.log(
      `cancel: last arrival ${cancelToLastMs} ms after POST cancel`,
      cJob.progress,
      cArr.count,
    );

    // Exactly once, counted by messageId on the target queue.
    const checks = {
      ceiling: sumChecks(counter, 'ceiling'),
      coalesced: sumChecks(counter, 'coalesced'),
      small: {
        expected: N,
        ...counter.check('small'),
        arrived: counter.part('small').count,
      },
      unlimited: sumChecks(counter, 'unlimited'),
      paced: { expected: N, ...counter.check('paced'), arrived: bArr.count },
      cancel: {
        expected: cJob.progress.published,
        ...counter.check('cancel'),
        arrived: cArr.count,
      },
    };
    console.log(checks);
    const exact = k =>
      checks[k].distinct === checks[k].expected &&
      checks[k].arrived === checks[k].expected &&
      checks[k].duplicated === 0;
    const stored = Number((await knex('dead_letters').count({ c: '*' }))[0].c);

    const f = x => Math.round(x).toLocaleString('en-US');
    const ratio = x => x.toFixed(2);
    memory.unlimited = memory[aRound.tag];
    const mem = tag => stats(memory[tag].map(x => x.rss));
    const sampleAt = (tag, share) =>
      memory[tag].find(x => x.published >= share * N) ??
      memory[tag][memory[tag].length - 1];
    const bodyBytes = body(0).length;
    const verdict = (ok, yes, no) => (ok ? yes : no);
    const section = [
      '## Dead-letter redelivery (`./scripts/bench.sh dead-letter-redelivery`)',
      '',
      `${measuredOn()}, local RabbitMQ (quorum queues) and PostgreSQL 15, built backend with production config (permission framework off: creating a job is one permission check, the runner asks none).`,
      `${f(
        N,
      )} stored dead letters per job (${bodyBytes} byte JSON bodies, x-death and Lunar-like headers), inserted straight into PostgreSQL, redelivered by jobs (\`POST /redeliveries\`, selected by queue) to their original exchange, which routes every one to a quorum queue; a consumer there counts arrivals by messageId.${
        N === 100000
          ? ''
          : ` Run with BENCH_REDELIVERY_MESSAGES=${N} (the default is 100,000).`
      }`,
      `Baseline, in the same run: amqplib publishing ${f(
        N,
      )} messages like them (same bodies and headers, \`mandatory\`) to the same exchange on one confirm channel, waiting for confirms every ${f(
        CONFIRM_BATCH,
      )}, twice: plain (one socket write per message), and with its socket writes coalesced per ${f(
        RUNNER_BATCH,
      )} as the plugin's publisher does (\`consumer/socketWrites.ts\`). The higher of the two is the ceiling. Measured ${ROUNDS} times, each right before a job (a), with the backend up and idle; each job is compared with the ceiling before it.`,
      '',
      '| what | measured | baseline | ratio | goal |',
      '| --- | ---: | ---: | ---: | --- |',
      `| (a) job at the API's highest rate (${f(
        UNLIMITED_RATE,
      )} msg/s, no effective limit), job start to done: the round with the median ratio of ${ROUNDS} | ${f(
        aRate,
      )} msg/s | ${f(
        ceiling,
      )} msg/s (publish-with-confirms ceiling, measured right before it) | ${ratio(
        aRate / ceiling,
      )} | at least 0.70: ${verdict(
        aRate / ceiling >= 0.7,
        'met',
        '**missed**',
      )} |`,
      `| (a) the same, against plain amqplib waiting for confirms every ${RUNNER_BATCH} (the runner's batch, no database; one run, before the rounds) | ${f(
        aRate,
      )} msg/s | ${f(small)} msg/s | ${ratio(aRate / small)} | |`,
      `| (b) job at ${f(PACED_RATE)} msg/s, job start to done | ${f(
        bRate,
      )} msg/s | ${f(PACED_RATE)} msg/s (target) | ${ratio(
        bRate / PACED_RATE,
      )} | within 10%: ${verdict(
        Math.abs(bRate / PACED_RATE - 1) <= 0.1,
        'met',
        '**missed**',
      )} |`,
      `| (b) the same, first to last arrival on the queue | ${f(
        bArrRate,
      )} msg/s | ${f(PACED_RATE)} msg/s (target) | ${ratio(
        bArrRate / PACED_RATE,
      )} | |`,
      arrivedAfterCancel > 0
        ? `| (c) POST cancel of a running job like (a), to the last message arriving | ${f(
            cancelToLastMs,
          )} ms | ${f(
            CANCEL_BOUND_MS,
          )} ms (cancel stops publishing within one second; what was sent before still arrives) | ${ratio(
            cancelToLastMs / CANCEL_BOUND_MS,
          )} | at most 1.0: ${
            cancelToLastMs <= CANCEL_BOUND_MS ? 'met' : '**missed**'
          } |`
        : `| (c) POST cancel of a running job like (a), to the last message arriving | none arrived after the cancel (the last ${f(
            -cancelToLastMs,
          )} ms before) | ${f(
            CANCEL_BOUND_MS,
          )} ms (cancel stops publishing within one second) | | met |`,
      '',
      `(a) each round, ceiling (plain, coalesced) then job: ${rounds
        .map(
          (x, i) =>
            `${i + 1}: ${f(x.plain)}, ${f(x.coalesced)} then ${f(
              x.rate,
            )} msg/s (${ratio(x.rate / x.ceiling)})`,
        )
        .join('; ')}.`,
      '',
      `(a) by quarter of that job, arrivals per second: ${aQuarters
        .map(f)
        .join(', ')} (the first quarter counted from its first arrival).`,
      '',
      `Backend CPU time (user and system, from creating the job to done, the snapshot included) per 1,000 messages: (a) ${rounds
        .map(x => f((x.cpu / N) * 1e6))
        .join(', ')} ms in the ${ROUNDS} rounds; (b) ${f(
        (bCpu / N) * 1e6,
      )} ms.`,
      '',
      `Job durations: (a) ${span(aJob).toFixed(1)} s, (b) ${span(bJob).toFixed(
        1,
      )} s; \`POST /redeliveries\` (snapshot of ${f(N)} rows) answered in ${f(
        a.postMs,
      )} ms and ${f(b.postMs)} ms. ` +
        `The cancel was sent when the job reported ${f(
          publishedAtCancel ?? 0,
        )} published (${f(
          arrivedBeforeCancel,
        )} had arrived) and answered in ${f(cancelAnswerMs)} ms; ${f(
          arrivedAfterCancel,
        )} messages arrived after it; the job ended \`cancelled\` with ${f(
          cJob.progress.published,
        )} published, ${f(cJob.progress.remaining)} left stored.`,
      '',
      'Every message exactly once, counted by messageId on the target queue:',
      '',
      '| run | expected | arrived | distinct | more than once | |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
      ...[
        [`ceiling (plain amqplib), ${ROUNDS} runs`, 'ceiling'],
        [`ceiling (coalesced writes), ${ROUNDS} runs`, 'coalesced'],
        [`plain amqplib, confirms every ${RUNNER_BATCH}`, 'small'],
        [`(a) highest rate, ${ROUNDS} jobs`, 'unlimited'],
        [`(b) ${f(PACED_RATE)} msg/s`, 'paced'],
        ['(c) cancelled (expected: its published count)', 'cancel'],
      ].map(
        ([name, k]) =>
          `| ${name} | ${f(checks[k].expected)} | ${f(checks[k].arrived)} | ${f(
            checks[k].distinct,
          )} | ${f(checks[k].duplicated)} | ${
            exact(k) ? 'ok' : '**mismatch**'
          } |`,
      ),
      '',
      `Stored dead letters left afterwards: ${f(
        stored,
      )} (the cancelled job's remaining).`,
      '',
      '(d) Backend resident memory, sampled every 200 ms while each job ran (the jobs ran one after the other in one backend):',
      '',
      '| job | samples | first | min | max | last |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...[
        ['(a) highest rate', 'unlimited'],
        [`(b) ${f(PACED_RATE)} msg/s`, 'paced'],
        ['(c) cancelled', 'cancel'],
      ].map(([name, k]) => {
        const m = mem(k);
        return `| ${name} | ${m.n} | ${f(m.first)} MB | ${f(m.min)} MB | ${f(
          m.max,
        )} MB | ${f(m.last)} MB |`;
      }),
      '',
      'Against progress (the first sample at or past each share of the job): resident memory, and the JavaScript heap alive after the latest full collection (V8 `--trace-gc`; resident memory is what the process keeps once it has grown, the live heap is what the job holds on to):',
      '',
      '| job | what | 0% | 25% | 50% | 75% | 100% |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
      ...[
        ['(a) highest rate', 'unlimited'],
        [`(b) ${f(PACED_RATE)} msg/s`, 'paced'],
      ].flatMap(([name, k]) =>
        [
          ['resident', 'rss'],
          ['live heap', 'heap'],
        ].map(
          ([what, key]) =>
            `| ${name} | ${what} | ${[0, 0.25, 0.5, 0.75, 1]
              .map(share => `${f(sampleAt(k, share)[key])} MB`)
              .join(' | ')} |`,
        ),
      ),
      '',
      `10 s after the last job, idle: ${f(idleRss)} MB resident, ${f(
        idleHeap,
      )} MB live heap. Flat means memory does not grow with the number of messages a job publishes: over (b), ${f(
        N,
      )} messages, resident memory went from ${f(mem('paced').first)} MB to ${f(
        mem('paced').last,
      )} MB, the live heap from ${f(sampleAt('paced', 0).heap)} MB to ${f(
        sampleAt('paced', 1).heap,
      )} MB.`,
    ].join('\n');
    writeSection('dead-letter-redelivery', section);
    console.log(section);
  } finally {
    await counter?.close();
    await backend?.stop();
    await knex?.destroy();
    const ch = await connection.createChannel();
    for (const q of [target, dlq]) await ch.deleteQueue(q).catch(() => {});
    await ch.deleteExchange(exchange).catch(() => {});
    await connection.close().catch(() => {});
    await coalescing?.close().catch(() => {});
    resetDatabases(PREFIX);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

require('../lib/common').runMain(main);
