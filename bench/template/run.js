#!/usr/bin/env node
/* eslint-disable no-console */
// Template benchmark (./scripts/bench.sh template), with the built backend
// (scripts/build-dist.sh) on PostgreSQL and local publishing
// (lunarScaffolder.localGitDirectory):
//   - the Go service template run through the scaffolder API, as pressing
//     Create does: time from POST /api/scaffolder/v2/tasks to the new
//     component answering in the catalog (goal: under 60 s), median of
//     BENCH_RUNS runs (default 3);
//   - baseline, in the same run: an equivalent shuttle.yaml registered
//     straight through POST /api/catalog/locations, time until its
//     component answers: what the catalog itself needs to show anything.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const yaml = require('yaml');
const {
  root,
  request,
  resetDatabases,
  startBackend,
  benchAccess,
  measuredOn,
  writeSection,
  median,
} = require('../lib/common');

const RUNS = Number(process.env.BENCH_RUNS || 3);
const PREFIX = 'lunar_bench_tpl_';
const BASE = 'http://127.0.0.1:7007/api';
const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Polls until the component answers in the catalog; ms since `t0`. */
async function untilVisible(name, auth, t0, task) {
  for (;;) {
    const res = await request(
      `${BASE}/catalog/entities/by-name/component/default/${name}`,
      auth,
    );
    if (res.status === 200) return Date.now() - t0;
    if (task) {
      const t = await request(`${BASE}/scaffolder/v2/tasks/${task}`, auth);
      if (t.body?.status === 'failed') {
        throw new Error(`task ${task} failed: ${JSON.stringify(t.body)}`);
      }
    }
    if (Date.now() - t0 > 180_000) throw new Error(`${name} never appeared`);
    await sleep(250);
  }
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'template-bench-'));
  const access = benchAccess();
  const { auth } = access;
  let backend;
  try {
    resetDatabases(PREFIX);
    const configFile = path.join(work, 'app-config.bench.yaml');
    access.write(configFile, {
      lunarScaffolder: { localGitDirectory: path.join(work, 'repos') },
      catalog: {
        locations: [
          {
            type: 'file',
            target: path.join(root, 'examples/org.yaml'),
            rules: [{ allow: ['User', 'Group'] }],
          },
          {
            type: 'file',
            target: path.join(root, 'templates/go-service/template.yaml'),
            rules: [{ allow: ['Template'] }],
          },
        ],
      },
    });
    backend = await startBackend({
      configs: [configFile],
      env: { APP_CONFIG_backend_database_prefix: PREFIX },
      logFile: path.join(work, 'backend.log'),
    });
    console.log('Waiting for the template and the squads in the catalog');
    for (const t0 = Date.now(); ; ) {
      const tpl = await request(
        `${BASE}/catalog/entities/by-name/template/default/go-service`,
        auth,
      );
      const squad = await request(
        `${BASE}/catalog/entities/by-name/group/default/squad-nasa`,
        auth,
      );
      if (tpl.status === 200 && squad.status === 200) break;
      if (Date.now() - t0 > 180_000)
        throw new Error('template or squads never appeared');
      await sleep(500);
    }

    const templated = [];
    const baseline = [];
    for (let i = 0; i < RUNS; i++) {
      // Baseline: the same kind of shuttle.yaml, registered directly.
      const name = `bench-direct-${i}-${crypto.randomBytes(2).toString('hex')}`;
      // Inside the local git folder: the only place file locations may be
      // registered from while it is configured.
      const dir = path.join(work, 'repos', 'direct', name);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'shuttle.yaml'),
        yaml.stringify({
          plan: 'git://git@github.com:lunarway/lw-shuttle-go-plan.git',
          vars: { service: name, squad: 'nasa', db: true },
        }),
      );
      let t0 = Date.now();
      const loc = await request(`${BASE}/catalog/locations`, auth, {
        method: 'POST',
        body: { type: 'file', target: path.join(dir, 'shuttle.yaml') },
      });
      if (loc.status !== 201)
        throw new Error(`location: ${loc.status} ${JSON.stringify(loc.body)}`);
      baseline.push(await untilVisible(name, auth, t0));

      // The template, as pressing Create does.
      const service = `bench-created-${i}-${crypto
        .randomBytes(2)
        .toString('hex')}`;
      t0 = Date.now();
      const task = await request(`${BASE}/scaffolder/v2/tasks`, auth, {
        method: 'POST',
        body: {
          templateRef: 'template:default/go-service',
          values: {
            name: service,
            description: 'Created by the template benchmark',
            owner: 'group:default/squad-nasa',
            autoRelease: ['dev'],
            db: true,
            ingress: true,
            rabbitmq: true,
          },
        },
      });
      if (task.status !== 201)
        throw new Error(`task: ${task.status} ${JSON.stringify(task.body)}`);
      templated.push(await untilVisible(service, auth, t0, task.body.id));
      console.log(
        `run ${i + 1}: template ${templated[i]} ms, direct registration ${
          baseline[i]
        } ms`,
      );
    }

    const t = median(templated);
    const b = median(baseline);
    const section = [
      '## Software templates (`./scripts/bench.sh template`)',
      '',
      `${measuredOn()}, built backend with production config on PostgreSQL, publishing to local git repositories (\`lunarScaffolder.localGitDirectory\`).`,
      'The Go service template with every feature, run through the scaffolder API as pressing Create does, until the new component answers in the catalog.',
      'Baseline, in the same run: an equivalent shuttle.yaml registered straight through `POST /api/catalog/locations`, until its component answers.',
      '',
      `| from request to component in the catalog (median of ${RUNS}) | time | ratio |`,
      '| --- | ---: | ---: |',
      `| shuttle.yaml registered directly (baseline) | ${(b / 1000).toFixed(
        1,
      )} s | 1.0x |`,
      `| Go service template: validate, generate, publish, register | ${(
        t / 1000
      ).toFixed(1)} s | ${(t / b).toFixed(1)}x |`,
      '',
      `Goal: under 60 seconds. ${
        t < 60_000 ? 'Met' : 'NOT met'
      } in this run (slowest run ${(Math.max(...templated) / 1000).toFixed(
        1,
      )} s).`,
    ].join('\n');
    writeSection('template', section);
    console.log(section);
    if (t >= 60_000) process.exitCode = 1;
  } finally {
    await backend?.stop();
    resetDatabases(PREFIX);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

require('../lib/common').runMain(main);
