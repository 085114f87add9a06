#!/usr/bin/env node
/* eslint-disable no-console */
// Two replicas of the built portal (scripts/build-dist.sh) on the local
// PostgreSQL and RabbitMQ, as Kubernetes runs them (deploy/):
//   1. both start at once on empty databases: both become ready, and every
//      plugin's migrations ran once;
//   2. both consume the same dead-letter queue while 50,000 messages are
//      dead-lettered by RabbitMQ (a work queue whose messages expire at
//      once); one replica gets SIGTERM mid-drain and must exit well inside
//      the grace period (the batch in flight stored and acknowledged), is
//      started again, then the other is killed with SIGKILL;
//   3. at the end every message is stored exactly once and nothing is left
//      unacknowledged in the queue;
//   4. a redelivery job of all of them is started; the replica running it
//      (the lease owner) is killed with SIGKILL mid-way; the other takes it
//      over and finishes it: every message arrives on its exchange and
//      routing key, duplicates only within the window the job reports;
//   5. a person uses the portal in Chromium through a load balancer
//      (scripts/load-balancer.js) while each replica in turn gets SIGTERM
//      and starts again: every page shows its content, at most after one
//      reload (a transient error).
// Run by ./scripts/replicas-test.sh (and ./scripts/test.sh).
// Env: DIST (default .tools/dist), REPLICAS_MESSAGES (default 50000).
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const amqp = require('amqplib');
const { Client } = require('pg');
const { chromium } = require('playwright-core');
const { startLoadBalancer } = require('./load-balancer');

const ROOT = path.resolve(__dirname, '..');
const DIST = process.env.DIST || path.join(ROOT, '.tools', 'dist');
const MESSAGES = Number(process.env.REPLICAS_MESSAGES || 50_000);
const GRACE_SECONDS = 60; // deploy/base/deployment.yaml
/** The load balancer, the address people use; replicas listen on 7101/7102. */
const LB_PORT = 7100;
const PORTAL = `http://localhost:${LB_PORT}`;
const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
const PREFIX = 'lunar_replicas_';
const run = `${process.pid}`;
const names = {
  work: `replicas-work-${run}`,
  queue: `replicas-${run}_dead-letter`,
  dlx: `replicas-dlx-${run}`,
  dlq: `replicas-dead-letters-${run}`,
  arrivals: `replicas-arrivals-${run}`,
};
const RESULTS = path.join(ROOT, 'test-results');

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed += 1;
  else failed += 1;
  console.log(
    `  ${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`,
  );
}
const sleep = ms => new Promise(r => setTimeout(r, ms));

async function pg(database, sql, params = []) {
  const client = new Client({
    host: '127.0.0.1',
    user: 'postgres',
    password: 'postgres',
    database,
  });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function dropDatabases() {
  const dbs = await pg(
    'postgres',
    `select datname from pg_database where datname like $1`,
    [`${PREFIX}%`],
  );
  for (const { datname } of dbs) {
    await pg('postgres', `drop database if exists "${datname}" with (force)`);
  }
}

/** A replica: the built backend on its own port, production config. */
function startReplica(name, port, configFile) {
  const log = fs.openSync(path.join(RESULTS, `replicas-${name}.log`), 'a');
  const child = spawn(
    process.execPath,
    [
      'packages/backend',
      '--config',
      'app-config.yaml',
      '--config',
      'app-config.production.yaml',
      '--config',
      configFile,
    ],
    {
      cwd: DIST,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        POSTGRES_HOST: '127.0.0.1',
        POSTGRES_PORT: '5432',
        POSTGRES_USER: 'postgres',
        POSTGRES_PASSWORD: 'postgres',
        AUTH_GITHUB_CLIENT_ID: 'replicas-test',
        AUTH_GITHUB_CLIENT_SECRET: 'replicas-test',
        GITHUB_TOKEN: 'replicas-test',
        GITHUB_ORG: 'lunarway',
        APP_CONFIG_backend_listen: `:${port}`,
        // People reach every replica through the load balancer.
        APP_CONFIG_backend_baseUrl: PORTAL,
        APP_CONFIG_app_baseUrl: PORTAL,
      },
    },
  );
  const exited = new Promise(resolve =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { name, port, child, exited };
}

async function waitReady(replica, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (replica.child.exitCode !== null) return false;
    try {
      const res = await fetch(
        `http://localhost:${replica.port}/.backstage/health/v1/readiness`,
      );
      if (res.ok) return true;
    } catch {
      // not yet
    }
    await sleep(250);
  }
  return false;
}

async function storedCounts() {
  const [row] = await pg(
    `${PREFIX}dead-letter`,
    `select count(*)::int as total, count(distinct message_id)::int as distinct_ids
       from dead_letters where environment = 'replicas'`,
  );
  return row;
}

function queueCounts(queue) {
  const out = execFileSync(
    'rabbitmqctl',
    ['-q', 'list_queues', 'name', 'messages_ready', 'messages_unacknowledged'],
    { encoding: 'utf8' },
  );
  const line = out.split('\n').find(l => l.split('\t')[0] === queue);
  const [, ready, unacked] = (line ?? '').split('\t');
  return { ready: Number(ready ?? NaN), unacked: Number(unacked ?? NaN) };
}

/** A person's token, from the guest sign-in the test config turns on. */
async function guestToken(port) {
  const res = await fetch(`http://localhost:${port}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  const body = await res.json();
  if (!body?.backstageIdentity?.token)
    throw new Error(`guest sign-in failed: ${res.status}`);
  return body.backstageIdentity.token;
}

/** Drains a queue: how many messages, and how many distinct message ids. */
async function countArrivals(connection, queue) {
  const ch = await connection.createChannel();
  const ids = new Set();
  let total = 0;
  for (;;) {
    const msg = await ch.get(queue, { noAck: true });
    if (!msg) break;
    total += 1;
    ids.add(msg.properties.messageId);
  }
  await ch.close();
  return { total, distinct: ids.size };
}

/** Pages a person visits, and what each shows once it works. */
const PAGES = [
  ['/dead-letter', 'Squads overview: replicas'],
  ['/dead-letter/redeliveries', 'Redeliveries: replicas'],
  ['/catalog', 'Owned'],
  ['/settings', 'Theme'],
];

/**
 * Signs in as the guest through the load balancer, then visits PAGES in a
 * loop until `during()` has finished (and at least once each). A page that
 * does not show its content within 20 s is reloaded once (a transient
 * error); a second miss is a failure.
 */
async function usePortalWhile(browser, during) {
  const page = await browser.newPage();
  let serverErrors = 0;
  page.on('response', r => {
    if (r.status() >= 500) serverErrors += 1;
  });
  await page.goto(PORTAL);
  await page.getByRole('button', { name: 'Enter' }).click();
  await page
    .getByRole('link', { name: 'Catalog', exact: true })
    .first()
    .waitFor({ timeout: 60_000 });
  let done = false;
  let error;
  const work = during().then(
    () => (done = true),
    e => {
      error = e;
      done = true;
    },
  );
  let visits = 0;
  let reloads = 0;
  const failures = [];
  while (!done || visits < PAGES.length * 2) {
    const [url, text] = PAGES[visits % PAGES.length];
    visits += 1;
    const shown = async () => {
      try {
        await page
          .getByText(text, { exact: true })
          .first()
          .waitFor({ timeout: 20_000 });
        return true;
      } catch {
        return false;
      }
    };
    await page.goto(`${PORTAL}${url}`).catch(() => {});
    if (await shown()) continue;
    reloads += 1;
    await page.reload().catch(() => {});
    if (!(await shown())) failures.push(`${url} did not show '${text}'`);
  }
  await work;
  if (error) throw error;
  await page.close();
  return { visits, reloads, failures, serverErrors };
}

async function main() {
  fs.mkdirSync(RESULTS, { recursive: true });
  if (!fs.existsSync(path.join(DIST, 'packages/backend/package.json'))) {
    throw new Error(`no built portal in ${DIST} (scripts/build-dist.sh)`);
  }
  await dropDatabases();
  const connection = await amqp.connect(AMQP_URL);
  const ch = await connection.createConfirmChannel();
  await ch.assertExchange(names.work, 'direct', { durable: true });
  await ch.assertExchange(names.dlx, 'fanout', { durable: true });
  await ch.assertQueue(names.dlq, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum' },
  });
  await ch.bindQueue(names.dlq, names.dlx, '');
  // Messages expire at once: RabbitMQ dead-letters each, x-death and all.
  await ch.assertQueue(names.queue, {
    durable: true,
    arguments: { 'x-dead-letter-exchange': names.dlx, 'x-message-ttl': 0 },
  });
  await ch.bindQueue(names.queue, names.work, 'platform.audit.EventV1');

  const configFile = path.join(os.tmpdir(), `replicas-${run}.yaml`);
  fs.writeFileSync(
    configFile,
    `backend:
  database:
    prefix: ${PREFIX}
deadLetter:
  environments:
    - name: replicas
      amqp: { url: '${AMQP_URL}', queue: ${names.dlq}, prefetch: 500 }
      batchSize: 250
# A person to start a redelivery job as (the permission policy has tests
# of its own; here every signed-in person may redeliver).
auth:
  providers:
    guest:
      dangerouslyAllowOutsideDevelopment: true
      userEntityRef: user:default/replicas-test
lunar:
  signIn:
    providers: [guest]
permission:
  enabled: false
`,
  );

  const replicas = [];
  let watcher;
  let lb;
  let browser;
  try {
    console.log('1. Two replicas start at once on empty databases');
    let a = startReplica('a', 7101, configFile);
    let b = startReplica('b', 7102, configFile);
    replicas.push(a, b);
    const ready = await Promise.all([waitReady(a, 240), waitReady(b, 240)]);
    check('both replicas become ready', ready.every(Boolean));
    if (!ready.every(Boolean)) return;
    for (const plugin of ['dead-letter', 'squad-overview']) {
      const rows = await pg(
        `${PREFIX}${plugin}`,
        `select name, count(*)::int as n from knex_migrations group by name`,
      );
      check(
        `${plugin}: each migration ran once`,
        rows.length > 0 && rows.every(r => r.n === 1),
        `${rows.length} migrations`,
      );
    }

    console.log(
      `2. ${MESSAGES} dead letters; SIGTERM one replica, SIGKILL the other`,
    );
    const t0 = Date.now();
    // Half now, half after the restart, so that the SIGKILL, too, lands
    // in the middle of a drain.
    const publish = async (from, to) => {
      for (let i = from; i < to; i++) {
        ch.publish(
          names.work,
          'platform.audit.EventV1',
          Buffer.from(JSON.stringify({ i, run })),
          {
            persistent: true,
            messageId: `replicas-${run}-${i}`,
            contentType: 'application/json',
            headers: { 'x-error': 'ctx handler: replicas test' },
          },
        );
        if (i % 1000 === 999) await ch.waitForConfirms();
      }
      await ch.waitForConfirms();
    };
    const half = Math.floor(MESSAGES / 2);
    await publish(0, half);

    const waitStored = async (n, seconds) => {
      const deadline = Date.now() + seconds * 1000;
      let counts = await storedCounts();
      while (counts.total < n && Date.now() < deadline) {
        await sleep(200);
        counts = await storedCounts();
      }
      return counts;
    };

    const atTerm = await waitStored(Math.floor(half * 0.4), 120);
    const termAt = Date.now();
    a.child.kill('SIGTERM');
    const exit = await Promise.race([
      a.exited,
      sleep(GRACE_SECONDS * 1000).then(() => undefined),
    ]);
    const exitSeconds = (Date.now() - termAt) / 1000;
    check(
      `SIGTERM mid-drain: replica a exits within the ${GRACE_SECONDS} s grace period`,
      !!exit && exit.code === 0 && atTerm.total < half,
      exit
        ? `${
            atTerm.total
          } of ${half} stored at SIGTERM; exit after ${exitSeconds.toFixed(
            1,
          )} s, code ${exit.code}`
        : 'still running',
    );
    if (!exit) a.child.kill('SIGKILL');

    a = startReplica('a', 7101, configFile);
    replicas.push(a);
    check('replica a starts again', await waitReady(a, 240));

    await publish(half, MESSAGES);
    const before = await waitStored(
      half + Math.floor((MESSAGES - half) / 4),
      240,
    );
    b.child.kill('SIGKILL');
    await b.exited;
    check(
      'replica b is killed with SIGKILL in the middle of a drain',
      before.total < MESSAGES,
      `${before.total} of ${MESSAGES} stored at the kill`,
    );

    const deadline = Date.now() + 300_000;
    let counts = await storedCounts();
    let queue = queueCounts(names.dlq);
    while (
      (counts.distinct_ids < MESSAGES || queue.ready + queue.unacked > 0) &&
      Date.now() < deadline
    ) {
      await sleep(500);
      counts = await storedCounts();
      queue = queueCounts(names.dlq);
    }
    const seconds = ((Date.now() - t0) / 1000).toFixed(0);
    console.log('3. What is stored, and what is left in the queue');
    check(
      'every message is stored',
      counts.distinct_ids === MESSAGES,
      `${counts.distinct_ids} of ${MESSAGES} in ${seconds} s`,
    );
    check(
      'no message is stored twice',
      counts.total === counts.distinct_ids,
      `${counts.total} rows`,
    );
    check(
      'nothing is left ready or unacknowledged in the queue',
      queue.ready === 0 && queue.unacked === 0,
      `${queue.ready} ready, ${queue.unacked} unacked`,
    );

    console.log(
      `4. A redelivery job of all ${MESSAGES}; SIGKILL the replica running it`,
    );
    b = startReplica('b', 7102, configFile);
    replicas.push(b);
    check('replica b starts again', await waitReady(b, 240));
    // Redelivered messages go back to their exchange and routing key; the
    // work queue (which dead-letters at once) makes way for one that keeps
    // them, so arrivals can be counted.
    await ch.unbindQueue(names.queue, names.work, 'platform.audit.EventV1');
    await ch.assertQueue(names.arrivals, { durable: true });
    await ch.bindQueue(names.arrivals, names.work, 'platform.audit.EventV1');
    const token = await guestToken(7101);
    const created = await fetch(
      'http://localhost:7101/api/dead-letter/redeliveries',
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        // At the default maximum rate (a job without one gets the default
        // of 100 messages per second).
        body: JSON.stringify({
          environment: 'replicas',
          filter: {},
          rate: 1000,
        }),
      },
    );
    const job = await created.json();
    check(
      'the job is created at once',
      created.status === 202 && job.progress?.total === MESSAGES,
      `${created.status}, ${job.progress?.total} messages`,
    );
    // One connection for watching the job (it is asked often).
    watcher = new Client({
      host: '127.0.0.1',
      user: 'postgres',
      password: 'postgres',
      database: `${PREFIX}dead-letter`,
    });
    await watcher.connect();
    const jobRow = async () =>
      (
        await watcher.query(
          `select state, lease_owner, published, failed, duplicate_window
             from dead_letter_redelivery_jobs where id = $1`,
          [Number(job.id)],
        )
      ).rows[0];
    let row = await jobRow();
    const killDeadline = Date.now() + 120_000;
    while (
      !(row?.lease_owner && row.published >= MESSAGES * 0.3) &&
      row?.state !== 'done' &&
      Date.now() < killDeadline
    ) {
      await sleep(100);
      row = await jobRow();
    }
    // A lease owner is host:pid:nonce.
    const holds = (replica, leaseOwner) =>
      leaseOwner?.split(':')[1] === String(replica.child.pid);
    const victim = [a, b].find(r => holds(r, row?.lease_owner));
    check(
      'the job runs on one replica, mid-way when that replica is killed',
      !!victim && row.state === 'running' && row.published < MESSAGES,
      `${row?.published} of ${MESSAGES} published on ${row?.lease_owner}`,
    );
    if (victim) {
      victim.child.kill('SIGKILL');
      await victim.exited;
    }
    const killedAt = Date.now();
    const doneDeadline = Date.now() + 300_000;
    let took;
    row = await jobRow();
    while (row.state !== 'done' && Date.now() < doneDeadline) {
      if (!took && row.lease_owner && !holds(victim, row.lease_owner))
        took = (Date.now() - killedAt) / 1000;
      await sleep(200);
      row = await jobRow();
    }
    check(
      'the other replica takes the job over and finishes it',
      row.state === 'done' && row.published === MESSAGES,
      `${row.state}, ${row.published} published, taken over after ${
        took?.toFixed(1) ?? '?'
      } s`,
    );
    const arrivals = await countArrivals(connection, names.arrivals);
    check(
      'every message arrives on its exchange and routing key: lost 0',
      arrivals.distinct === MESSAGES,
      `${arrivals.distinct} of ${MESSAGES} distinct message ids`,
    );
    check(
      'duplicates only within the window the job reports',
      arrivals.total - arrivals.distinct <= row.duplicate_window,
      `${arrivals.total - arrivals.distinct} duplicates, ${
        row.duplicate_window
      } reported`,
    );

    console.log(
      '5. The portal in Chromium through a load balancer while each replica restarts',
    );
    if (victim) {
      const again = startReplica(victim.name, victim.port, configFile);
      replicas.push(again);
      if (victim === a) a = again;
      else b = again;
    }
    check(
      'both replicas are ready again',
      (await Promise.all([waitReady(a, 240), waitReady(b, 240)])).every(
        Boolean,
      ),
    );
    lb = await startLoadBalancer({
      port: LB_PORT,
      replicas: [
        { name: 'a', port: 7101 },
        { name: 'b', port: 7102 },
      ],
    });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    const usage = await usePortalWhile(browser, async () => {
      for (const name of ['a', 'b']) {
        const replica = name === 'a' ? a : b;
        replica.child.kill('SIGTERM');
        await Promise.race([replica.exited, sleep(GRACE_SECONDS * 1000)]);
        const restarted = startReplica(name, replica.port, configFile);
        replicas.push(restarted);
        if (name === 'a') a = restarted;
        else b = restarted;
        if (!(await waitReady(restarted, 240)))
          throw new Error(`replica ${name} did not start again`);
      }
    });
    check(
      'pages keep working while each replica restarts',
      usage.visits >= 8 && usage.failures.length === 0,
      `${usage.visits} page visits, ${usage.reloads} needed a reload, ${
        usage.failures.length
      } failed${usage.failures.length ? `: ${usage.failures.join('; ')}` : ''}`,
    );
    check(
      'no user-visible error beyond a transient one',
      usage.reloads <= 2,
      `${usage.serverErrors} 5xx answers seen by the browser; load balancer: ${
        lb.stats.requests
      } requests, ${lb.stats.retried} retried on the other replica, ${
        lb.stats.failed
      } unanswered (${JSON.stringify(lb.stats.byReplica)})`,
    );
  } finally {
    await browser?.close().catch(() => {});
    await lb?.close().catch(() => {});
    await watcher?.end().catch(() => {});
    for (const r of replicas) {
      if (r.child.exitCode === null && r.child.signalCode === null) {
        r.child.kill('SIGTERM');
        await Promise.race([r.exited, sleep(30_000)]);
        if (r.child.exitCode === null) r.child.kill('SIGKILL');
      }
    }
    for (const q of [names.queue, names.dlq, names.arrivals])
      await ch.deleteQueue(q).catch(() => {});
    for (const x of [names.work, names.dlx]) {
      await ch.deleteExchange(x).catch(() => {});
    }
    await connection.close().catch(() => {});
    fs.rmSync(configFile, { force: true });
    await dropDatabases().catch(() => {});
  }
}

main()
  .catch(e => {
    failed += 1;
    console.error(`replicas test failed: ${e.message}`);
  })
  .finally(() => {
    console.log(`replicas: ${passed} passed, ${failed} failed`);
    fs.writeFileSync(
      path.join(RESULTS, 'replicas.txt'),
      `${passed} passed, ${failed} failed\n`,
    );
    process.exit(failed ? 1 : 0);
  });
