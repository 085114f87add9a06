#!/usr/bin/env node
/* eslint-disable no-console */
// Quick start benchmark: the time from `./scripts/start.sh` (installed, warm
// package cache) to
//   - the portal being up (frontend on :3000, backend ready on :7007), and
//   - the Dead Letter page having messages to show (its API, asked as the
//     guest the page signs in as, returns at least one message of `dev`),
// against a stock Backstage app (bench/lib/stock-app.sh: create-app of the
// same version) started with its own `yarn start`, measured in the same run
// until it is up the same way.
// Run through `./scripts/bench.sh quickstart`; results go to
// docs/benchmarks.md.
const { execFileSync, spawn } = require('node:child_process');
const path = require('node:path');
const { root, measuredOn, writeSection, median } = require('../lib/common');

const runs = Number(process.env.BENCH_RUNS || 2);
const BACKEND = 'http://localhost:7007';

const sleep = ms => new Promise(r => setTimeout(r, ms));

async function ok(url, headers = {}) {
  try {
    const res = await fetch(url, { headers });
    return res.ok ? res : undefined;
  } catch {
    return undefined;
  }
}

async function guestToken() {
  const res = await ok(`${BACKEND}/api/auth/guest/refresh`, {
    'x-requested-with': 'XMLHttpRequest',
  });
  return (await res?.json())?.backstageIdentity?.token;
}

async function deadLettersShown() {
  const token = await guestToken();
  if (!token) return false;
  const res = await ok(
    `${BACKEND}/api/dead-letter/dead-letters?environment=dev&limit=1`,
    { authorization: `Bearer ${token}` },
  );
  return ((await res?.json())?.totalCount ?? 0) > 0;
}

/**
 * Starts `command` in its own process group and times the milestones
 * (checked every 250 ms, in order); stops the group afterwards.
 */
async function timeStart(command, args, cwd, milestones) {
  const t0 = Date.now();
  const child = spawn(command, args, {
    cwd,
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, CI: '' },
  });
  const times = {};
  try {
    for (const [name, check] of milestones) {
      const deadline = Date.now() + 600_000;
      while (!(await check())) {
        if (child.exitCode !== null) throw new Error(`${command} exited`);
        if (Date.now() > deadline) throw new Error(`${name}: timed out`);
        await sleep(250);
      }
      times[name] = (Date.now() - t0) / 1000;
    }
    return times;
  } finally {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone
    }
    // Let the dev servers free their ports before the next start.
    while ((await ok('http://localhost:3000')) || (await ok(BACKEND))) {
      await sleep(500);
    }
    await sleep(2_000);
    // Whatever of the group is still there (helpers of the start script).
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // all gone
    }
  }
}

/** The queue `yarn start`'s dev environment consumes (scripts/quickstart.js). */
const DEAD_LETTER_QUEUE = 'quickstart-dead-letters';

async function purgeQueue(queue) {
  const amqp = require('amqplib');
  const connection = await amqp.connect(
    process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672',
  );
  try {
    const ch = await connection.createChannel();
    ch.on('error', () => {});
    await ch.purgeQueue(queue).catch(() => {});
  } finally {
    await connection.close().catch(() => {});
  }
}

const up = async () =>
  !!(await ok('http://localhost:3000')) &&
  !!(await ok(`${BACKEND}/.backstage/health/v1/readiness`));

async function main() {
  for (const port of [3000, 7007]) {
    if (await ok(`http://localhost:${port}`)) {
      throw new Error(`port ${port} is in use: stop the running portal first`);
    }
  }
  const stock = execFileSync(path.join(root, 'bench/lib/stock-app.sh'), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const stockUp = [];
  const oursUp = [];
  const oursDeadLetters = [];
  for (let i = 0; i < runs; i++) {
    const s = await timeStart('yarn', ['start'], stock, [['up', up]]);
    stockUp.push(s.up);
    // Dead letters left in the queue by an earlier run would be shown at
    // once: start from an empty queue, as a first start does.
    await purgeQueue(DEAD_LETTER_QUEUE);
    const o = await timeStart(path.join(root, 'scripts/start.sh'), [], root, [
      ['up', up],
      ['deadLetters', deadLettersShown],
    ]);
    oursUp.push(o.up);
    oursDeadLetters.push(o.deadLetters);
    console.log(
      `run ${i + 1}: stock up ${s.up} s; ours up ${
        o.up
      } s, dead letters shown ${o.deadLetters} s`,
    );
  }
  const base = median(stockUp);
  const row = (what, secs) =>
    `| ${what} | ${secs.toFixed(0)} s | ${(secs / base).toFixed(2)}x |`;
  const section = `## Quick start (\`./scripts/bench.sh quickstart\`)

${measuredOn()}, median of ${runs} runs, warm package cache, RabbitMQ running, the dead-letter queue emptied before each start: the time from \`./scripts/start.sh\` (already installed; it checks the install, builds the example repositories, starts a local release-manager and the dead-letter traffic) until the portal is up (frontend on :3000, backend ready), and until the Dead Letter page has messages to show (its API returns at least one message of \`dev\` to the guest). Baseline in the same run: a stock Backstage app (\`@backstage/create-app\` of the same version, \`bench/lib/stock-app.sh\`) started with \`yarn start\` until it is up the same way. Goal: dead letters shown in under 2 minutes.

| what | time | vs stock \`yarn start\` |
| --- | ---: | ---: |
${row('stock Backstage app: `yarn start` up (baseline)', base)}
${row('this portal: `./scripts/start.sh` up', median(oursUp))}
${row('this portal: Dead Letter page has messages', median(oursDeadLetters))}
`;
  writeSection('quickstart', section);
  console.log(section);
}

main().catch(e => {
  console.error(`quickstart bench failed: ${e.message}`);
  process.exit(1);
});
