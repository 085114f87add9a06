#!/usr/bin/env node
/* eslint-disable no-console */
// Startup benchmark of the built backend (scripts/build-dist.sh) with the
// production config on the local PostgreSQL:
//   - time from process start to a ready health check, and resident memory
//     3 s after ready, each as the median of N cold starts (empty
//     databases, so migrations are included);
//   - in the same run, interleaved, the baseline: a stock Backstage backend
//     of the same release (bench/lib/stock-dist.sh: create-app, built and
//     laid out as the Dockerfile lays out ours) with its own production
//     config on the same PostgreSQL;
//   - the production frontend bundle size (raw and gzip).
// Run through `./scripts/bench.sh startup`; results go to docs/benchmarks.md.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const {
  dist,
  productionEnv,
  request,
  memoryMb,
  resetDatabases,
  measuredOn,
  writeSection,
  median,
} = require('../lib/common');

const runs = Number(process.env.BENCH_RUNS || 5);
const port = 7007;

async function measure(command, args, options) {
  const t0 = process.hrtime.bigint();
  const child = spawn(command, args, { ...options, stdio: 'ignore' });
  const deadline = Date.now() + 180_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command} exited early`);
      if (Date.now() > deadline) throw new Error('not ready within 180s');
      const { status } = await request(
        `http://127.0.0.1:${port}/.backstage/health/v1/readiness`,
      );
      if (status === 200) break;
      await new Promise(r => setTimeout(r, 50));
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    // Let start-up work that follows readiness (first catalog pass) settle.
    await new Promise(r => setTimeout(r, 3000));
    return { ms, rssMb: memoryMb(child.pid).rss };
  } finally {
    child.kill('SIGTERM');
    await new Promise(r => child.once('exit', r));
  }
}

function bundleSize() {
  const dir = path.join(dist, 'packages/app/dist/static');
  let raw = 0;
  let gzip = 0;
  let files = 0;
  for (const f of fs.readdirSync(dir)) {
    if (!/\.(js|css)$/.test(f)) continue;
    const buf = fs.readFileSync(path.join(dir, f));
    raw += buf.length;
    gzip += zlib.gzipSync(buf, { level: 9 }).length;
    files += 1;
  }
  return { raw, gzip, files };
}

async function main() {
  const stockDist = execFileSync(path.join(__dirname, '../lib/stock-dist.sh'), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const config = [
    '--config',
    'app-config.yaml',
    '--config',
    'app-config.production.yaml',
  ];
  const start = (cwd, prefix) =>
    measure(process.execPath, ['packages/backend', ...config], {
      cwd,
      env: { ...productionEnv(), APP_CONFIG_backend_database_prefix: prefix },
    });

  const backend = [];
  const stock = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, so both see the same machine load; cold starts (empty
    // databases, migrations included).
    resetDatabases('stock_bench_');
    stock.push(await start(stockDist, 'stock_bench_'));
    resetDatabases('lunar_bench_');
    backend.push(await start(dist, 'lunar_bench_'));
    console.log(
      `run ${i + 1}/${runs}: portal ${backend[i].ms.toFixed(0)} ms ${backend[
        i
      ].rssMb.toFixed(0)} MB; stock ${stock[i].ms.toFixed(0)} ms ${stock[
        i
      ].rssMb.toFixed(0)} MB`,
    );
  }
  resetDatabases('lunar_bench_');
  resetDatabases('stock_bench_');

  const b = {
    ms: median(backend.map(r => r.ms)),
    rssMb: median(backend.map(r => r.rssMb)),
  };
  const n = {
    ms: median(stock.map(r => r.ms)),
    rssMb: median(stock.map(r => r.rssMb)),
  };
  const size = bundleSize();
  const mb = x => (x / 1024 / 1024).toFixed(2);

  const goal = x =>
    x <= 1.3 ? 'at most 1.3x: met' : 'at most 1.3x: **missed**';
  const section = [
    '## Startup (`./scripts/bench.sh startup`)',
    '',
    `${measuredOn()}, ` +
      `median of ${runs} cold starts each (empty PostgreSQL databases, so migrations are included).`,
    'Baseline, measured interleaved in the same run: a stock Backstage backend of the same release (`@backstage/create-app`, built and laid out as the Dockerfile lays out the portal: `bench/lib/stock-dist.sh`) with its own production config, on the same PostgreSQL.',
    '',
    '| what | portal backend | stock backend | ratio | goal |',
    '| --- | ---: | ---: | ---: | --- |',
    `| process start to ready health check | ${b.ms.toFixed(
      0,
    )} ms | ${n.ms.toFixed(0)} ms | ${(b.ms / n.ms).toFixed(2)}x | ${goal(
      b.ms / n.ms,
    )} |`,
    `| resident memory 3 s after ready | ${b.rssMb.toFixed(
      0,
    )} MB | ${n.rssMb.toFixed(0)} MB | ${(b.rssMb / n.rssMb).toFixed(
      2,
    )}x | ${goal(b.rssMb / n.rssMb)} |`,
    '',
    `Production frontend bundle: ${size.files} JS/CSS files, ${mb(
      size.raw,
    )} MB raw, ${mb(size.gzip)} MB gzip (level 9).`,
  ].join('\n');
  writeSection('startup', section);
  console.log(section);
}

require('../lib/common').runMain(main);
