#!/usr/bin/env node
/* eslint-disable no-console */
// On-call alerts (./scripts/bench.sh dead-letter-alerts), with the built
// dead-letter backend's code (scripts/build-dist.sh) on this machine's
// PostgreSQL and RabbitMQ:
//   1. detection: 1,000,000 stored dead letters of 1,000 services (20
//      squads, 40 error texts, spread over the last 7 days, a few services
//      spiking in the last window): the time of one detection run of the
//      environment (IncidentDetector.run: the window's and the 7-day
//      baseline's counts per service and error group, the open incidents,
//      the rules, the incidents opened), cold (first) and the median of
//      RUNS; baseline, interleaved with them: one squad-overview query on
//      the same rows (DeadLetterStore.serviceOverview for one squad, what
//      the squad overview page asks per environment);
//   2. first failure to notification: the end-to-end test
//      (plugins/dead-letter-backend/src/alertsEndToEnd.integration.test.ts:
//      release event through RabbitMQ, failing service, RabbitMQ
//      dead-lettering, the scheduled detection every 10 s, the real
//      notifications backend), run here, its measured time read back.
// BENCH_ALERTS_ROWS=N resizes (1).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const {
  root,
  dist,
  errorGroupSql,
  measuredOn,
  pluginDatabase,
  resetDatabases,
  runMain,
  writeSection,
  median,
} = require('../lib/common');

const ROWS = Number(process.env.BENCH_ALERTS_ROWS || 1_000_000);
const SERVICES = 1000;
const SQUADS = 20;
const ERRORS = 40;
/** Services with a burst in the last window (new incidents each run's first). */
const SPIKING = 10;
const RUNS = 5;
const PREFIX = 'lunar_bench_alerts_';
const ENV = 'bench';
const WINDOW_MINUTES = 10;
const INTERVAL_SECONDS = 10;

const plugin = p =>
  require(path.join(dist, 'plugins/dead-letter-backend/dist', p));

const ms = t => Number(process.hrtime.bigint() - t) / 1e6;

async function detection() {
  const { ConfigReader } = require(path.join(
    dist,
    'node_modules/@backstage/config',
  ));
  const { DatabaseDeadLetterStore } = plugin(
    'database/DatabaseDeadLetterStore.cjs.js',
  );
  const { DatabaseIncidentStore } = plugin(
    'database/DatabaseIncidentStore.cjs.js',
  );
  const { IncidentDetector } = plugin('service/IncidentDetector.cjs.js');
  const { readAlertSettings } = plugin('config.cjs.js');

  resetDatabases(PREFIX);
  execFileSync('psql', [
    '-h',
    '127.0.0.1',
    '-U',
    'postgres',
    '-qc',
    `create database ${PREFIX}dead_letter`,
  ]);
  const knex = pluginDatabase(PREFIX, 'dead_letter');
  try {
    const store = await DatabaseDeadLetterStore.create({
      database: { getClient: async () => knex },
    });
    const errors = Array.from(
      { length: ERRORS },
      (_, i) => `ctx handler: error ${i} for record 42`,
    );
    console.log(`Inserting ${ROWS} dead letters of ${SERVICES} services`);
    // Spread evenly over 7 days; the last SPIKING services also have a
    // burst of 200 each in the last window.
    const spread = (7 * 24 * 3600) / ROWS;
    await knex.raw(
      `insert into dead_letters (dedup_key, environment, queue, exchange, routing_key, reason, service, squad, message_id, error, error_group, dead_lettered_at, received_at, redelivery_count, headers, properties, body, body_size, body_truncated)
       select md5('al-' || g), ?, 'prod_svc-' || (g % ${SERVICES}), 'bankaccount', 'bankaccount.event', 'rejected',
              'svc-' || (g % ${SERVICES}), 'squad-' || (g % ${SERVICES} % ${SQUADS}), 'al-' || g,
              'ctx handler: error ' || (g % ${ERRORS}) || ' for record 42',
              ${errorGroupSql(
                `'ctx handler: error ' || (g % ${ERRORS}) || ' for record 42'`,
                errors,
              )},
              now() - ((g * ${spread}) || ' seconds')::interval, now(), 0,
              '{}', '{}', convert_to('{}', 'UTF8'), 2, false
       from generate_series(1, ?) g`,
      [ENV, ROWS],
    );
    await knex.raw(
      `insert into dead_letters (dedup_key, environment, queue, exchange, routing_key, reason, service, squad, message_id, error, error_group, dead_lettered_at, received_at, redelivery_count, headers, properties, body, body_size, body_truncated)
       select md5('burst-' || g), ?, 'prod_svc-' || (g % ${SPIKING}), 'bankaccount', 'bankaccount.event', 'rejected',
              'svc-' || (g % ${SPIKING}), 'squad-' || (g % ${SPIKING} % ${SQUADS}), 'burst-' || g,
              'ctx handler: error 0 for record 42', ${errorGroupSql(
                `'ctx handler: error 0 for record 42'`,
                errors,
              )},
              now() - ((g % 300) || ' seconds')::interval, now(), 0,
              '{}', '{}', convert_to('{}', 'UTF8'), 2, false
       from generate_series(1, ?) g`,
      [ENV, SPIKING * 200],
    );
    await knex.raw('vacuum analyze dead_letters');
    const stored = Number((await knex('dead_letters').count({ c: '*' }))[0].c);

    // The catalog: every service a component of its squad (in memory).
    const catalog = {
      async getEntitiesByRefs({ entityRefs }) {
        return {
          items: entityRefs.map(ref => {
            const name = ref.split('/').pop();
            const n = Number(name.replace('svc-', ''));
            return {
              metadata: { annotations: {} },
              spec: { owner: `group:default/squad-${n % SQUADS}` },
            };
          }),
        };
      },
    };
    let notified = 0;
    const detector = new IncidentDetector({
      store: new DatabaseIncidentStore(knex),
      notifier: {
        send: async () => {
          notified += 1;
          return true;
        },
      },
      catalog,
      auth: { getOwnServiceCredentials: async () => ({}) },
      logger: { info() {}, warn() {}, error() {}, debug() {}, child() {} },
      settings: readAlertSettings(
        new ConfigReader({
          deadLetter: { alerts: { windowMinutes: WINDOW_MINUTES } },
        }),
      ),
    });

    const runs = [];
    const queries = [];
    let opened = 0;
    for (let i = 0; i < RUNS; i++) {
      let t = process.hrtime.bigint();
      const summary = await detector.run(ENV);
      runs.push(ms(t));
      opened += summary.opened;
      t = process.hrtime.bigint();
      await store.serviceOverview(ENV, `squad-${i % SQUADS}`);
      queries.push(ms(t));
      console.log(
        `run ${i + 1}: detection ${runs[i].toFixed(0)} ms (opened ${
          summary.opened
        }), squad overview query ${queries[i].toFixed(0)} ms`,
      );
    }
    return { stored, runs, queries, opened, notified };
  } finally {
    await knex.destroy();
    resetDatabases(PREFIX);
  }
}

/** Runs the end-to-end test and reads back its first-failure-to-notification time. */
function endToEnd() {
  const out = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'alerts-e2e-')),
    'timing.json',
  );
  console.log('Running the alerts end-to-end test');
  execFileSync(
    'yarn',
    [
      'backstage-cli',
      'package',
      'test',
      'src/alertsEndToEnd.integration.test.ts',
    ],
    {
      cwd: path.join(root, 'plugins/dead-letter-backend'),
      env: { ...process.env, CI: 'true', ALERTS_E2E_TIMING_FILE: out },
      stdio: 'inherit',
    },
  );
  return JSON.parse(fs.readFileSync(out, 'utf8'));
}

async function main() {
  const d = await detection();
  const e2e = endToEnd();
  const f = x => Math.round(x).toLocaleString('en-US');
  const ratio = (a, b) => (a / b).toFixed(1);
  const cold = d.runs[0];
  const warm = median(d.runs.slice(1));
  const coldQuery = d.queries[0];
  const warmQuery = median(d.queries.slice(1));
  const bound = (INTERVAL_SECONDS + 10) * 1000;
  const section = [
    '## On-call alerts (`./scripts/bench.sh dead-letter-alerts`)',
    '',
    `${measuredOn()}, local PostgreSQL 15 and RabbitMQ, the built dead-letter backend's code.`,
    `Detection: ${f(d.stored)} stored dead letters of ${f(
      SERVICES,
    )} services (${SQUADS} squads, ${ERRORS} error texts) spread over the last 7 days, ${SPIKING} services with a burst of 200 in the last ${WINDOW_MINUTES} min; one detection run of the environment (\`IncidentDetector.run\`: the window's and the 7-day baseline's counts per service and per error group, the open incidents, the rules; the catalog an in-memory stand-in, notifications counted, not sent). Baseline, interleaved with the runs: one squad-overview query on the same rows (\`serviceOverview\` for one squad, what the squad overview page asks per environment).`,
    '',
    '| what | measured | baseline | ratio | goal |',
    '| --- | ---: | ---: | ---: | --- |',
    `| detection run, first (${d.opened} incidents opened over the runs, ${
      d.notified
    } notifications) | ${f(cold)} ms | ${f(
      coldQuery,
    )} ms (squad-overview query, right after it) | ${ratio(
      cold,
      coldQuery,
    )} | under 2 s: ${cold < 2000 ? 'met' : '**missed**'} |`,
    `| detection run, median of the next ${RUNS - 1} | ${f(warm)} ms | ${f(
      warmQuery,
    )} ms (median of the squad-overview queries between them) | ${ratio(
      warm,
      warmQuery,
    )} | under 2 s: ${warm < 2000 ? 'met' : '**missed**'} |`,
    `| first failing message to the squad member's notification, end to end (detection every ${INTERVAL_SECONDS} s) | ${f(
      e2e.toNotificationMs,
    )} ms | ${f(bound)} ms (one detection interval plus 10 s) | ${(
      e2e.toNotificationMs / bound
    ).toFixed(2)} | at most 1.0: ${
      e2e.toNotificationMs <= bound ? 'met' : '**missed**'
    } |`,
    '',
    `Every run: ${d.runs
      .map(f)
      .join(', ')} ms; squad-overview queries: ${d.queries
      .map(f)
      .join(', ')} ms.`,
    '',
    `End to end (\`src/alertsEndToEnd.integration.test.ts\`): release-manager's \`released\` event through RabbitMQ to squad-overview-backend and release-status-backend, then card-clearing's consumer rejects 20 messages and RabbitMQ dead-letters them into the queue the plugin consumes; timed from publishing the first until the spike notification, naming the release as suspected, is in the squad member's list (real notifications backend, polled every 200 ms). The test then checks the same notification grows and says resolved.`,
  ].join('\n');
  writeSection('dead-letter-alerts', section);
  console.log(section);
}

runMain(main);
