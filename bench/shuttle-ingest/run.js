#!/usr/bin/env node
/* eslint-disable no-console */
// Shuttle ingestion benchmark: N synthetic repositories (default 10,000; a
// third with db/rabbitmq/ingress, a tenth with OpenAPI) ingested through file
// locations by the built backend on PostgreSQL, once as shuttle.yaml (through
// the shuttle module) and once as the equivalent plain catalog-info.yaml
// files (the baseline), in the same run. Measures the time until every entity
// is queryable through the catalog API, and the backend's peak memory.
// Run through `./scripts/bench.sh shuttle-ingest`; BENCH_REPOS=N to resize.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { generate } = require('./generate');
const { measureGithub } = require('./github');
const {
  request,
  memoryMb,
  resetDatabases,
  startBackend,
  benchAccess,
  measuredOn,
  writeSection,
} = require('../lib/common');

const count = Number(process.env.BENCH_REPOS || 10000);
const kinds = ['component', 'api', 'resource', 'system', 'domain'];

async function ingest(variant, out, expected) {
  const access = benchAccess();
  const locations =
    variant === 'shuttle'
      ? [{ type: 'file', target: path.join(out, 'shuttle/*/shuttle.yaml') }]
      : [
          {
            type: 'file',
            target: path.join(out, 'catalog-info/*/catalog-info.yaml'),
          },
          { type: 'file', target: path.join(out, 'catalog-info/shared.yaml') },
        ];
  const configFile = path.join(out, `app-config.${variant}.yaml`);
  access.write(configFile, {
    catalog: {
      rules: [
        {
          allow: [
            'Component',
            'API',
            'Resource',
            'System',
            'Domain',
            'Group',
            'User',
            'Location',
          ],
        },
      ],
      locations,
      shuttle: {
        schedule: {
          frequency: { seconds: 5 },
          timeout: { minutes: 10 },
          initialDelay: { seconds: 1 },
        },
      },
    },
  });
  const prefix = 'lunar_bench_ingest_';
  resetDatabases(prefix);
  const backend = await startBackend({
    configs: [configFile],
    env: { APP_CONFIG_backend_database_prefix: prefix },
    logFile: path.join(out, `backend-${variant}.log`),
  });
  const readyAt = Date.now();
  const { auth } = access;
  let counts = {};
  try {
    for (;;) {
      counts = {};
      for (const kind of kinds) {
        const { status, body } = await request(
          `http://127.0.0.1:7007/api/catalog/entities/by-query?filter=kind=${kind}&limit=1`,
          auth,
        );
        if (status !== 200)
          throw new Error(
            `catalog answered ${status}: ${JSON.stringify(body).slice(0, 200)}`,
          );
        counts[kind] = body.totalItems;
      }
      if (kinds.every(k => counts[k] >= expected[k])) break;
      if (Date.now() - readyAt > 45 * 60_000)
        throw new Error(
          `not ingested within 45 minutes: ${JSON.stringify(counts)}`,
        );
      await new Promise(r => setTimeout(r, 1000));
    }
    const doneAt = Date.now();
    const memory = memoryMb(backend.child.pid);
    return {
      variant,
      startToReadyMs: backend.readyMs,
      readyToQueryableMs: doneAt - readyAt,
      peakMb: memory.peak,
      counts,
    };
  } finally {
    await backend.stop();
    resetDatabases(prefix);
  }
}

async function main() {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'shuttle-ingest-'));
  try {
    console.log(`Generating ${count} repositories in ${out}`);
    const expected = generate(out, count);
    console.log('Expected entities:', expected);
    const baseline = await ingest('catalog-info', out, expected);
    console.log(baseline);
    const shuttle = await ingest('shuttle', out, expected);
    console.log(shuttle);

    const gh = await measureGithub(1000);
    console.log(gh);

    const s = x => (x / 1000).toFixed(1);
    const ratio = shuttle.readyToQueryableMs / baseline.readyToQueryableMs;
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    const section = [
      '## Shuttle ingestion (`./scripts/bench.sh shuttle-ingest`)',
      '',
      `${measuredOn()}, built backend with production config on PostgreSQL.`,
      `${count} synthetic repositories (a third with db, rabbitmq and ingress; a tenth with an OpenAPI file): ` +
        `${total} entities (${kinds
          .map(k => `${expected[k]} ${k}`)
          .join(', ')}), ingested through file locations.`,
      'Baseline, in the same run: the same entities written as plain catalog-info.yaml files (plus one file for the shared systems, domains and RabbitMQ resources).',
      '',
      '| | catalog-info.yaml (baseline) | shuttle.yaml | ratio |',
      '| --- | ---: | ---: | ---: |',
      `| ready to every entity queryable | ${s(
        baseline.readyToQueryableMs,
      )} s | ${s(shuttle.readyToQueryableMs)} s | ${ratio.toFixed(2)}x |`,
      `| process start to ready | ${s(baseline.startToReadyMs)} s | ${s(
        shuttle.startToReadyMs,
      )} s | |`,
      `| peak backend memory (VmHWM) | ${baseline.peakMb.toFixed(
        0,
      )} MB | ${shuttle.peakMb.toFixed(0)} MB | ${(
        shuttle.peakMb / baseline.peakMb
      ).toFixed(2)}x |`,
      '',
      `Goal: at most 1.2x the baseline's time. ${
        ratio <= 1.2 ? 'Met' : 'Not met'
      } in this run.`,
      '',
      `**GitHub at scale.** ${gh.repositories} repositories on the stand-in GitHub of the plugin's tests (real HTTP, GitHub's tree and blob shapes, ETags, 304s, a rate limit), through the shuttle module's GitHub processor, two refresh cycles; nothing changes in between. The second cycle is compared with the first, which reads everything, as every cycle did before the processor kept ETags.`,
      '',
      '| refresh cycle | requests | conditional | answered 304 | parses | time |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...[
        ['first (every repository read)', gh.first],
        ['second (unchanged)', gh.second],
      ].map(
        ([name, c]) =>
          `| ${name} | ${c.requests} | ${c.conditional} | ${c.notModified} | ${
            c.parses
          } | ${(c.ms / 1000).toFixed(2)} s |`,
      ),
      '',
      `Goal: the second cycle at most 1 conditional request per repository, all answered 304, no parse: ${
        gh.second.requests <= gh.repositories &&
        gh.second.notModified === gh.second.requests &&
        gh.second.parses === 0
          ? 'met'
          : 'not met'
      } (${(gh.second.requests / gh.repositories).toFixed(
        2,
      )} requests per repository, ${(
        gh.second.requests / gh.first.requests
      ).toFixed(2)}x the first cycle's requests).`,
    ].join('\n');
    writeSection('shuttle-ingest', section);
    console.log(section);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

require('../lib/common').runMain(main);
