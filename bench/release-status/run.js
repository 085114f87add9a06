#!/usr/bin/env node
/* eslint-disable no-console */
// Release-status benchmark (./scripts/bench.sh release-status), with the
// built backend (scripts/build-dist.sh) on PostgreSQL:
//   - 50 services owned by one squad, each a real git repository with 30
//     commits and dev/staging/prod tags at different depths;
//   - a stand-in release-manager answering in its real response shapes
//     with a fixed network latency per request (BENCH_RM_LATENCY_MS,
//     default 20 ms);
//   - the backend's scheduled refresh computes every service's status
//     ahead (release-manager and git), counted once it is done;
//   - GET /api/release-status/overview?owner=<squad>: cold (the freshly
//     started backend's first request after its first refresh, and the
//     median of its first COLD_RUNS) and warm (median of WARM_RUNS after them), with the
//     release-manager requests each made (none: reads answer from the
//     database);
//   - baseline, in the same run, one right after each measured request:
//     the catalog query for the same 50 components
//     (GET /api/catalog/entities/by-query), the floor any per-squad page
//     pays; cold and warm are each compared with their own.
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const yaml = require('yaml');
const {
  request,
  resetDatabases,
  startBackend,
  benchAccess,
  measuredOn,
  writeSection,
  median,
} = require('../lib/common');
const { buildRepository } = require('../../scripts/example-git-repos');

const SERVICES = 50;
const COMMITS = 30;
const LATENCY = Number(process.env.BENCH_RM_LATENCY_MS || 20);
const WARM_RUNS = 40;
const COLD_RUNS = 5;
const PREFIX = 'lunar_bench_rs_';
const SQUAD = 'group:default/squad-bench';
const DAY = 24 * 3_600_000;
const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Service i: prod 3..26 commits behind, staging fewer, dev 0..2. */
function makeRepo(dir, i, now) {
  buildRepository(
    dir,
    {
      ages: Array.from({ length: COMMITS }, (_, c) => (COMMITS - c) * DAY),
      tags: {
        prod: COMMITS - 4 - (i % 24),
        staging: COMMITS - 2 - (i % 10),
        dev: COMMITS - 1 - (i % 3),
      },
    },
    now,
  );
}

/** release-manager's /status, /describe/release and /policies, slowly. */
function startReleaseManager(token) {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const url = new URL(req.url, 'http://localhost');
    const answer = (status, body) =>
      setTimeout(() => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      }, LATENCY);
    if (req.headers.authorization !== `Bearer ${token}`) {
      return answer(401, { status: 401, message: 'unauthorized' });
    }
    const service = url.searchParams.get('service');
    const environment = name => ({
      tag: `master-${crypto
        .createHash('sha1')
        .update(service + name)
        .digest('hex')
        .slice(0, 10)}-67e9d69164`,
      author: 'Bench',
      committer: 'Bench',
      message: 'Change',
      date: Date.now() - DAY,
      buildUrl: 'https://ci.example/job/1',
    });
    if (url.pathname === '/status') {
      return answer(200, {
        defaultNamespaces: true,
        dev: environment('dev'),
        staging: environment('staging'),
        prod: environment('prod'),
      });
    }
    const describe = url.pathname.match(
      /^\/describe\/release\/([^/]+)\/([^/]+)$/,
    );
    if (describe) {
      return answer(200, {
        service: describe[1],
        environment: describe[2],
        releases: [
          {
            releaseIndex: 1,
            artifact: { id: environment(describe[2]).tag },
            releasedAt: new Date(Date.now() - DAY).toISOString(),
            releasedByEmail: 'bench@lunar.example',
            releasedByName: 'Bench',
            intent: {
              type: 'ReleaseBranch',
              releaseBranch: { branch: 'master' },
            },
          },
        ],
      });
    }
    if (url.pathname === '/policies') {
      return answer(200, {
        service,
        autoReleases: [
          { id: 'auto-master-dev', branch: 'master', environment: 'dev' },
        ],
      });
    }
    return answer(404, { status: 404, message: 'not found' });
  });
  return new Promise(resolve =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        requests: () => requests,
        close: () => new Promise(r => server.close(r)),
      }),
    ),
  );
}

async function timed(url, headers) {
  const t0 = process.hrtime.bigint();
  const res = await request(url, headers);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 200) {
    throw new Error(
      `${url} answered ${res.status}: ${JSON.stringify(res.body)}`,
    );
  }
  return { ms, body: res.body };
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'release-status-bench-'));
  const repos = path.join(work, 'repos');
  const access = benchAccess();
  const rmToken = crypto.randomBytes(12).toString('hex');
  const { auth } = access;
  const now = Date.now();
  let backend;
  const rm = await startReleaseManager(rmToken);
  try {
    console.log(
      `Making ${SERVICES} git repositories with ${COMMITS} commits each`,
    );
    const entities = [];
    for (let i = 0; i < SERVICES; i++) {
      const name = `bench-service-${String(i).padStart(2, '0')}`;
      makeRepo(path.join(repos, name), i, now);
      entities.push({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name,
          annotations: {
            'lunar.app/release-manager-service': name,
            'backstage.io/source-location': `file:${path.join(repos, name)}/`,
          },
        },
        spec: { type: 'service', lifecycle: 'production', owner: SQUAD },
      });
    }
    const entitiesFile = path.join(work, 'entities.yaml');
    fs.writeFileSync(
      entitiesFile,
      entities.map(e => yaml.stringify(e)).join('---\n'),
    );

    resetDatabases(PREFIX);
    const configFile = path.join(work, 'app-config.bench.yaml');
    access.write(configFile, {
      catalog: {
        locations: [{ type: 'file', target: entitiesFile }],
      },
      releaseStatus: {
        releaseManager: { baseUrl: rm.url, token: rmToken },
        git: { localDirectory: repos },
        refresh: { frequencySeconds: 300 },
      },
    });
    backend = await startBackend({
      configs: [configFile],
      env: { APP_CONFIG_backend_database_prefix: PREFIX },
      logFile: path.join(work, 'backend.log'),
    });
    const base = 'http://127.0.0.1:7007/api';
    const catalogQuery = `${base}/catalog/entities/by-query?filter=kind=component,relations.ownedBy=${encodeURIComponent(
      SQUAD,
    )}&limit=500`;
    console.log('Waiting for the catalog to hold every service');
    for (const t0 = Date.now(); ; ) {
      const res = await request(catalogQuery, auth);
      if (res.status === 200 && res.body.items.length === SERVICES) break;
      if (Date.now() - t0 > 300_000)
        throw new Error('catalog never held all services');
      await sleep(1000);
    }

    const overview = `${base}/release-status/overview?owner=${encodeURIComponent(
      SQUAD,
    )}`;
    // The first scheduled refresh (15 s after start): done once every
    // service's status is stored and release-manager has heard nothing for
    // 3 s. Polled through the overview, which answers from the database.
    console.log('Waiting for the first refresh');
    const refreshStarted = Date.now();
    for (let quiet = { at: Date.now(), requests: -1 }; ; ) {
      const res = await request(overview, auth);
      const computed =
        res.status === 200 &&
        res.body.items.length === SERVICES &&
        res.body.items.every(i => i.freshness?.state === 'computed');
      if (rm.requests() !== quiet.requests)
        quiet = { at: Date.now(), requests: rm.requests() };
      if (computed && Date.now() - quiet.at >= 3000) break;
      if (Date.now() - refreshStarted > 300_000)
        throw new Error('the first refresh did not finish');
      await sleep(500);
    }
    const refreshRequests = rm.requests();
    const refreshSeconds = (Date.now() - backend.startedAt) / 1000;
    // Cold: the first requests after the refresh, each followed by the
    // baseline's query, so both see what the backend does in the background
    // just after its first refresh (one sample alone ranged 14 to 25 ms).
    const beforeCold = rm.requests();
    const coldRuns = [];
    const coldBaseline = [];
    let first;
    /** release-manager requests during the first request alone. */
    let firstRequests = 0;
    for (let i = 0; i < COLD_RUNS; i++) {
      const r = await timed(overview, auth);
      if (!first) {
        first = r;
        firstRequests = rm.requests() - beforeCold;
      }
      coldRuns.push(r.ms);
      coldBaseline.push((await timed(catalogQuery, auth)).ms);
    }
    /** Per request, as for warm. */
    const coldRequests = (rm.requests() - beforeCold) / COLD_RUNS;
    const cold = { ms: median(coldRuns) };
    const coldBaseMs = median(coldBaseline);
    const items = first.body.items;
    const ok = items.filter(
      s =>
        s.freshness?.state === 'computed' &&
        s.sources.every(x => x.state === 'ok') &&
        s.environments.length === 3,
    ).length;
    console.log(
      `cold: ${cold.ms.toFixed(
        0,
      )} ms, ${coldRequests} release-manager requests, ${ok}/${
        items.length
      } complete`,
    );

    // Interleaved, so both see the same background work (the catalog's
    // processing loop runs in the same process).
    const warm = [];
    const baseline = [];
    const beforeWarm = rm.requests();
    for (let i = 0; i < WARM_RUNS; i++) {
      warm.push((await timed(overview, auth)).ms);
      baseline.push((await timed(catalogQuery, auth)).ms);
    }
    const warmRequests = (rm.requests() - beforeWarm) / WARM_RUNS;
    const warmMs = median(warm);
    const baseMs = median(baseline);
    console.log(
      `warm: ${warmMs.toFixed(1)} ms; baseline: ${baseMs.toFixed(1)} ms`,
    );

    const prodBehind = items.map(
      s =>
        s.environments.find(e => e.environment === 'prod')?.drift
          ?.commitsBehind ?? -1,
    );
    const goal = (ratio, requests) =>
      ratio <= 3 && requests === 0
        ? 'at most 3x, no release-manager request: met'
        : 'at most 3x, no release-manager request: **missed**';
    const sorted = prodBehind.every(
      (v, i) => i === 0 || prodBehind[i - 1] >= v,
    );
    const section = [
      '## Release status (`./scripts/bench.sh release-status`)',
      '',
      `${measuredOn()}, built backend with production config on PostgreSQL.`,
      `${SERVICES} services owned by one squad, each a real git repository with ${COMMITS} commits and dev, staging and prod tags; a stand-in release-manager in its real response shapes with ${LATENCY} ms latency per request. Request: \`GET /api/release-status/overview?owner=${SQUAD}\`.`,
      'Baseline, in the same run and interleaved with the measured requests: the catalog query for the same components, which any per-squad page pays.',
      '',
      '| request | time | ratio to baseline | release-manager requests | goal |',
      '| --- | ---: | ---: | ---: | --- |',
      `| catalog query for the ${SERVICES} components (baseline, median of ${WARM_RUNS}) | ${baseMs.toFixed(
        1,
      )} ms | 1.0x | 0 | |`,
      `| catalog query, interleaved with the cold requests (baseline for cold, median of ${COLD_RUNS}) | ${coldBaseMs.toFixed(
        1,
      )} ms | 1.0x | 0 | |`,
      `| overview, cold: the first request alone, against the catalog query right after it (${coldBaseline[0].toFixed(
        1,
      )} ms) | ${first.ms.toFixed(1)} ms | ${(
        first.ms / coldBaseline[0]
      ).toFixed(1)}x | ${firstRequests} | ${goal(
        first.ms / coldBaseline[0],
        firstRequests,
      )} |`,
      `| overview, cold: the started backend's first ${COLD_RUNS} requests after its first refresh (median) | ${cold.ms.toFixed(
        1,
      )} ms | ${(cold.ms / coldBaseMs).toFixed(1)}x | ${coldRequests} | ${goal(
        cold.ms / coldBaseMs,
        coldRequests,
      )} |`,
      `| overview, warm (median of ${WARM_RUNS}, after the cold ones) | ${warmMs.toFixed(
        1,
      )} ms | ${(warmMs / baseMs).toFixed(1)}x | ${warmRequests} | ${goal(
        warmMs / baseMs,
        warmRequests,
      )} |`,
      '',
      `${ok} of ${
        items.length
      } services came back complete (computed, both sources answered, three environments with drift); sorted worst prod drift first: ${
        sorted ? 'yes' : 'NO'
      }. The statuses are computed ahead by the scheduled refresh (\`releaseStatus.refresh\`): the first one, 15 s after start, had stored every service ${refreshSeconds.toFixed(
        0,
      )} s after the process started and made ${refreshRequests} release-manager requests (${(
        refreshRequests / SERVICES
      ).toFixed(
        1,
      )} per service); requests answer from the database and make none.`,
    ].join('\n');
    writeSection('release-status', section);
    console.log(section);
    if (ok !== SERVICES || !sorted) process.exitCode = 1;
  } finally {
    await backend?.stop();
    await rm.close();
    resetDatabases(PREFIX);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

require('../lib/common').runMain(main);
