#!/usr/bin/env node
/* eslint-disable no-console */
// Squad overview benchmark (./scripts/bench.sh squad-overview), with the
// built backend (scripts/build-dist.sh) serving the built frontend, on
// PostgreSQL, in Debian's Chromium driven by Playwright:
//   - a synthetic catalog: squad-bench (a squad with 3 members) owning 150
//     components of mixed types, each with a release-manager service
//     annotation and a real git repository with dev/staging/prod tags
//     (releaseStatus.git.localDirectory; release-manager and dead-letter
//     environments not configured), and squad-bench-small owning 10;
//   - time from navigation start of /catalog/default/group/squad-bench
//     (signed in as guest, fresh browser context per run) until the
//     "Squad overview" card shows its key numbers, every row of its
//     services table's first page with release drift, and "of 150"; the
//     /api/ requests the page made until then, per plugin, and which of
//     them the stock page never makes (the squad overview cards'); one
//     cold run (first load after the backend started) and the median of
//     BENCH_RUNS warm runs (default 5);
//   - baseline, in the same run: the same page with the squad overview's
//     cards switched off (app.extensions, another backend start), until
//     the stock Ownership card shows its counts adding up to 150: the
//     first full render of the squad's page without the squad overview;
//   - the same for the 10-service squad: the cards' requests should not
//     grow with the number of services.
// BENCH_VERBOSE=1 prints every request of every load.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const yaml = require('yaml');
const { chromium } = require('@playwright/test');
const {
  root,
  dist,
  request,
  resetDatabases,
  startBackend,
  benchAccess,
  measuredOn,
  writeSection,
  median,
} = require('../lib/common');
const { buildRepository } = require('../../scripts/example-git-repos');

const SERVICES = 150;
const SMALL = 10;
const RUNS = Number(process.env.BENCH_RUNS || 5);
const VERBOSE = Boolean(process.env.BENCH_VERBOSE);
const PAGE_SIZE = 50; // ServicesTable pages above 50 rows.
const PREFIX = 'lunar_bench_so_';
const PORT = 7007;
const ORIGIN = `http://localhost:${PORT}`;
const SQUAD = 'squad-bench';
const SQUAD_SMALL = 'squad-bench-small';
const MEMBERS = ['bench-ada', 'bench-bo', 'bench-cecilie'];
// 90 services, 30 infrastructure, 15 websites, 15 workers: all released
// (release status leaves libraries and docs sites out, so they have no
// drift to wait for).
const TYPES = [
  ...Array(6).fill('service'),
  'infrastructure',
  'infrastructure',
  'website',
  'worker',
];
const DAY = 24 * 3_600_000;
const WAIT_MS = 90_000; // any single wait in the browser
const DEADLINE_MS = 30 * 60_000; // the whole benchmark
const sleep = ms => new Promise(r => setTimeout(r, ms));
const pageOf = squad => `/catalog/default/group/${squad}`;

/** Chromium: CHROMIUM_PATH, or Debian's `chromium` on PATH. */
function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    throw new Error(
      'chromium not found: install Debian chromium or set CHROMIUM_PATH',
    );
  }
}

/**
 * The squad overview plugin's entity cards (`entity-card:squad-overview/<name>`),
 * read from its source so the baseline switches off every one of them.
 */
function overviewCardIds() {
  const names = new Set(['squad-overview']);
  const walk = dir => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name) && !/\.test\./.test(e.name)) {
        const text = fs.readFileSync(p, 'utf8');
        const re =
          /EntityCardBlueprint\.make(?:WithOverrides)?\(\{\s*name:\s*'([^']+)'/g;
        for (const m of text.matchAll(re)) names.add(m[1]);
      }
    }
  };
  walk(path.join(root, 'plugins/squad-overview/src'));
  return [...names].map(n => `entity-card:squad-overview/${n}`);
}

/** Catalog entities: the two squads, their members, their components. */
function writeCatalog(work, repos, now) {
  const docs = [];
  for (const [squad, members] of [
    [SQUAD, MEMBERS],
    [SQUAD_SMALL, MEMBERS.slice(0, 1)],
  ]) {
    docs.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: squad, description: 'Synthetic squad (benchmark)' },
      spec: {
        type: 'squad',
        profile: { displayName: squad },
        children: [],
        members,
      },
    });
  }
  for (const name of MEMBERS) {
    docs.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name },
      spec: { profile: { displayName: name }, memberOf: [] },
    });
  }
  const component = (name, type, repo, owner) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      annotations: {
        'lunar.app/release-manager-service': name,
        'backstage.io/source-location': `file:${path.join(repos, repo)}/`,
      },
    },
    spec: { type, lifecycle: 'production', owner: `group:default/${owner}` },
  });
  for (let i = 0; i < SERVICES; i++) {
    const name = `bench-svc-${String(i).padStart(3, '0')}`;
    // prod 1..12 commits behind, staging fewer, dev 0..1.
    buildRepository(
      path.join(repos, name),
      {
        ages: Array.from({ length: 14 }, (_, c) => (14 - c) * DAY),
        tags: { prod: 12 - (i % 12), staging: 13 - (i % 5), dev: 13 - (i % 2) },
      },
      now,
    );
    docs.push(component(name, TYPES[i % TYPES.length], name, SQUAD));
  }
  // The small squad's components read the first repositories.
  for (let i = 0; i < SMALL; i++) {
    docs.push(
      component(
        `bench-small-${String(i).padStart(2, '0')}`,
        TYPES[i % TYPES.length],
        `bench-svc-${String(i).padStart(3, '0')}`,
        SQUAD_SMALL,
      ),
    );
  }
  const file = path.join(work, 'catalog.yaml');
  fs.writeFileSync(file, docs.map(d => yaml.stringify(d)).join('---\n'));
  return file;
}

/**
 * Runs in the page on every animation frame: { ms } (since navigation
 * start) once the card of `kind` ('squad': Squad overview, 'ownership':
 * the stock Ownership card) is fully rendered, { error } when it shows
 * one, false before.
 */
function probe({ kind, services, pageSize }) {
  const title = kind === 'squad' ? 'Squad overview' : 'Ownership';
  const heading = [
    ...document.querySelectorAll(
      'h1, h2, h3, h4, h5, h6, .MuiCardHeader-title',
    ),
  ].find(e => e.textContent.trim() === title);
  const card = heading?.closest('.MuiCard-root, .bui-Card');
  if (!card) return false;
  const text = card.textContent;
  // WarningPanel (also inside ResponseErrorPanel): a part did not load.
  const alert = card.querySelector('[role="alert"]');
  if (alert) return { error: alert.textContent.slice(0, 400) };
  if (card.querySelector('[role="progressbar"]')) return false;
  if (kind === 'ownership') {
    // Count tiles: a link per kind and type, its count in an h6.
    let sum = 0;
    for (const tile of card.querySelectorAll('a')) {
      sum += Number(tile.querySelector('h6')?.textContent) || 0;
    }
    return sum === services && { ms: performance.now() };
  }
  if (!card.querySelector(`[aria-label="Services: ${services}"]`)) return false;
  const table = card.querySelector('table');
  if (!table) return false;
  const want = Math.min(services, pageSize);
  const rows = [...table.querySelectorAll('tbody tr')].filter(r =>
    r.querySelector('a'),
  );
  if (rows.length !== want) return false;
  // Every shown service with its prod drift badge (release status).
  if (table.querySelectorAll('a[aria-label$=" in prod"]').length !== want) {
    return false;
  }
  if (services > pageSize && !new RegExp(`of ${services}\\b`).test(text)) {
    return false;
  }
  return { ms: performance.now() };
}

/** Signs in as the guest, as packages/app/e2e-tests/helpers.ts does. */
async function signInAsGuest(page) {
  await page.goto(`${ORIGIN}/`, { timeout: WAIT_MS });
  const enter = page.getByRole('button', { name: 'Enter' });
  await enter.waitFor({ state: 'visible', timeout: WAIT_MS });
  await enter.click();
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Catalog', exact: true })
    .waitFor({ state: 'visible', timeout: WAIT_MS });
  // Let the home page's own requests finish before counting.
  await page
    .waitForLoadState('networkidle', { timeout: 5_000 })
    .catch(() => {});
}

/**
 * One load of a squad's page in a fresh browser context: time until
 * `kinds[0]` is fully rendered (and each further kind, for information),
 * and the /api/ requests made until `kinds[0]` was.
 */
async function load(browser, squad, services, kinds) {
  const context = await browser.newContext({
    viewport: { width: 1600, height: 1200 },
  });
  try {
    const page = await context.newPage();
    await signInAsGuest(page);
    const requests = []; // { plugin, signature } until kinds[0] rendered
    const log = [];
    let counting = true;
    const t0 = Date.now();
    page.on('request', r => {
      const url = new URL(r.url());
      if (!url.pathname.startsWith('/api/')) return;
      const what = `${r.method()} ${decodeURIComponent(
        url.pathname + url.search,
      )}`;
      log.push(`${Date.now() - t0} ms ${counting ? '' : '(after) '}${what}`);
      if (counting) {
        requests.push({
          plugin: url.pathname.split('/')[2],
          // The same request for any squad.
          signature: what.split(squad).join('{squad}'),
        });
      }
    });
    await page.goto(`${ORIGIN}${pageOf(squad)}`, {
      waitUntil: 'commit',
      timeout: WAIT_MS,
    });
    const waits = kinds.map(kind =>
      page
        .waitForFunction(
          probe,
          { kind, services, pageSize: PAGE_SIZE },
          { polling: 'raf', timeout: WAIT_MS },
        )
        .then(h => h.jsonValue())
        .then(v => {
          if (v.error) throw new Error(`${kind} card: ${v.error}`);
          if (kind === kinds[0]) counting = false;
          return v.ms;
        }),
    );
    const times = await Promise.all(waits);
    if (VERBOSE) {
      await sleep(2000);
      console.log(`  ${log.join('\n  ')}`);
    }
    const present = await page
      .locator('.MuiCardHeader-title', { hasText: 'Squad overview' })
      .count();
    return { times, requests, present };
  } finally {
    await context.close().catch(() => {});
  }
}

/** Waits until the catalog holds both squads' components and members. */
/**
 * Until the backend's first scheduled release-status refresh has stored
 * every bench service's status (read from the database: no git read).
 */
async function untilReleaseStatusComputed(auth) {
  const url = `http://127.0.0.1:${PORT}/api/release-status/overview?owner=${encodeURIComponent(
    `group:default/${SQUAD}`,
  )}`;
  for (const t0 = Date.now(); ; ) {
    const res = await request(url, auth);
    const items = res.status === 200 ? res.body.items : [];
    if (
      items.length === SERVICES &&
      items.every(i => i.freshness?.state === 'computed')
    )
      return;
    if (Date.now() - t0 > 300_000)
      throw new Error('release status was never computed for every service');
    await sleep(1000);
  }
}

async function untilCatalogReady(auth) {
  const base = `http://127.0.0.1:${PORT}/api/catalog`;
  const count = async squad => {
    const res = await request(
      `${base}/entities/by-query?filter=kind=component,relations.ownedBy=group:default/${squad}&limit=1`,
      auth,
    );
    return res.status === 200 ? res.body.totalItems : -1;
  };
  for (const t0 = Date.now(); ; ) {
    const group = await request(
      `${base}/entities/by-name/group/default/${SQUAD}`,
      auth,
    );
    const members =
      group.body?.relations?.filter(r => r.type === 'hasMember').length ?? 0;
    if (
      (await count(SQUAD)) === SERVICES &&
      (await count(SQUAD_SMALL)) === SMALL &&
      members === MEMBERS.length
    )
      return;
    if (Date.now() - t0 > 300_000)
      throw new Error('the catalog never held every bench entity');
    await sleep(1000);
  }
}

/** Starts the backend, waits for the catalog, runs `fn`, stops it. */
async function withBackend(state, name, configFile, auth, fn) {
  const probePort = await request(
    `http://127.0.0.1:${PORT}/.backstage/health/v1/readiness`,
  );
  if (probePort.status !== 0)
    throw new Error(`port ${PORT} is already in use by another server`);
  try {
    state.backend = await startBackend({
      configs: [configFile],
      env: { APP_CONFIG_backend_database_prefix: PREFIX },
      logFile: path.join(state.work, `backend-${name}.log`),
      port: PORT,
    });
  } catch (e) {
    killChildrenWith(configFile);
    throw e;
  }
  try {
    console.log(`${name}: backend ready in ${state.backend.readyMs} ms`);
    await untilCatalogReady(auth);
    await untilReleaseStatusComputed(auth);
    console.log(
      `${name}: release status computed ${
        Date.now() - state.backend.startedAt
      } ms after start`,
    );
    return await fn();
  } finally {
    await stopBackend(state);
  }
}

/**
 * startBackend leaves a backend that never became ready running: kill our
 * own child processes (by pid) whose command line names `configFile`.
 */
function killChildrenWith(configFile) {
  for (const pid of fs.readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (ppid === process.pid && cmdline.split('\0').includes(configFile))
        process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}

/** SIGTERM, then SIGKILL after 20 s. */
async function stopBackend(state) {
  const backend = state.backend;
  state.backend = undefined;
  if (!backend) return;
  const timer = setTimeout(() => backend.child.kill('SIGKILL'), 20_000);
  await backend.stop();
  clearTimeout(timer);
}

const fmtMs = ms => `${Math.round(ms)} ms`;
/** "12", or "11–13" when the runs differ. */
const fmtRange = xs =>
  Math.min(...xs) === Math.max(...xs)
    ? String(xs[0])
    : `${Math.min(...xs)}–${Math.max(...xs)}`;
/** Requests of loads `rs` (those passing `keep`) counted per plugin. */
function perPlugin(rs, keep = () => true) {
  const counts = rs.map(r => {
    const c = {};
    for (const q of r.requests.filter(keep))
      c[q.plugin] = (c[q.plugin] ?? 0) + 1;
    return c;
  });
  const plugins = [...new Set(counts.flatMap(c => Object.keys(c)))].sort();
  return {
    totals: counts.map(c => Object.values(c).reduce((a, b) => a + b, 0)),
    plugins: Object.fromEntries(
      plugins.map(p => [p, counts.map(c => c[p] ?? 0)]),
    ),
  };
}
/** "catalog 12–16, auth 1": per plugin, most requests first. */
const fmtPlugins = (rs, keep) =>
  Object.entries(perPlugin(rs, keep).plugins)
    .sort(
      (a, b) => Math.max(...b[1]) - Math.max(...a[1]) || (a[0] < b[0] ? -1 : 1),
    )
    .map(([p, ns]) => `${p} ${fmtRange(ns)}`)
    .join(', ') || 'none';

async function main(state) {
  state.work = fs.mkdtempSync(path.join(os.tmpdir(), 'squad-overview-bench-'));
  const { work } = state;
  const access = benchAccess();
  const repos = path.join(work, 'repos');
  console.log(`Making ${SERVICES} git repositories and the catalog`);
  const catalogFile = writeCatalog(work, repos, Date.now());

  const appConfig = yaml.parse(
    fs.readFileSync(path.join(dist, 'app-config.yaml'), 'utf8'),
  );
  const settings = {
    auth: {
      providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
    },
    lunar: { signIn: { providers: ['guest'] } },
    catalog: {
      locations: [
        {
          type: 'file',
          target: catalogFile,
          rules: [{ allow: ['Component', 'Group', 'User'] }],
        },
      ],
      // GitHub discovery has no organisation to read here; keep it out
      // of the measurements.
      providers: {
        github: { lunar: { schedule: { initialDelay: { hours: 24 } } } },
      },
    },
    releaseStatus: { git: { localDirectory: repos } },
  };
  const overviewConfig = access.write(
    path.join(work, 'app-config.overview.yaml'),
    settings,
  );
  const disabled = overviewCardIds();
  const baselineConfig = access.write(
    path.join(work, 'app-config.baseline.yaml'),
    {
      ...settings,
      app: {
        // Without the entries that place the cards (app-config.yaml).
        extensions: [
          ...(appConfig.app?.extensions ?? []).filter(
            e => !disabled.includes(typeof e === 'string' ? e : ''),
          ),
          ...disabled.map(id => ({ [id]: false })),
        ],
      },
    },
  );

  resetDatabases(PREFIX);
  state.browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const { browser } = state;
  const runs = async (label, squad, services, kinds, n) => {
    const out = [];
    for (let i = 0; i < n; i++) {
      const r = await load(browser, squad, services, kinds);
      console.log(
        `${label} ${i === 0 ? 'cold' : `warm ${i}`}: ${r.times
          .map(fmtMs)
          .join(' / ')}, ${r.requests.length} /api/ requests (${fmtPlugins([
          r,
        ])})`,
      );
      out.push(r);
    }
    return out;
  };

  // Baseline first: the page without the squad overview's cards.
  console.log(`Baseline: switched off ${disabled.join(', ')}`);
  const baseline = await withBackend(
    state,
    'baseline',
    baselineConfig,
    access.auth,
    () => runs('baseline', SQUAD, SERVICES, ['ownership'], RUNS + 1),
  );
  if (baseline.some(r => r.present))
    throw new Error('baseline: the Squad overview card is still shown');

  const { overview, small } = await withBackend(
    state,
    'overview',
    overviewConfig,
    access.auth,
    async () => ({
      overview: await runs(
        'overview',
        SQUAD,
        SERVICES,
        ['squad', 'ownership'],
        RUNS + 1,
      ),
      small: await runs('small', SQUAD_SMALL, SMALL, ['squad'], 2),
    }),
  );

  const baseCold = baseline[0].times[0];
  const baseWarm = median(baseline.slice(1).map(r => r.times[0]));
  const cold = overview[0].times[0];
  const warm = median(overview.slice(1).map(r => r.times[0]));
  const ownershipWarm = median(overview.slice(1).map(r => r.times[1]));
  const warmOf = rs => rs.slice(1);
  // Requests the stock page never makes are the squad overview cards'.
  const stock = new Set(
    baseline.flatMap(r => r.requests.map(q => q.signature)),
  );
  const added = q => !stock.has(q.signature);
  const row = (what, ms, base, rs, extra = true) =>
    `| ${what} | ${fmtMs(ms)} | ${
      base ? `${(ms / base).toFixed(1)}x` : ''
    } | ${fmtRange(rs.map(r => r.requests.length))} | ${fmtPlugins(rs)} | ${
      extra
        ? `${fmtRange(perPlugin(rs, added).totals)}: ${fmtPlugins(rs, added)}`
        : ''
    } |`;

  // The squad overview cards' requests, 10 vs 150 services, per plugin.
  const big = perPlugin(overview, added);
  const few = perPlugin(small, added);
  const differences = [
    ...new Set([...Object.keys(big.plugins), ...Object.keys(few.plugins)]),
  ]
    .filter(
      p =>
        new Set([...(big.plugins[p] ?? [0]), ...(few.plugins[p] ?? [0])]).size >
        1,
    )
    .map(
      p =>
        `${p} ${fmtRange(few.plugins[p] ?? [0])} for ${SMALL} vs ${fmtRange(
          big.plugins[p] ?? [0],
        )} for ${SERVICES}`,
    );
  const verdict = differences.length
    ? `The squad overview cards' requests DIFFER between ${SMALL} and ${SERVICES} services: ${differences.join(
        ', ',
      )}.`
    : `The squad overview cards' requests do not grow with the number of services: ${fmtRange(
        few.totals,
      )} for ${SMALL} services and ${fmtRange(
        big.totals,
      )} for ${SERVICES}, plugin by plugin (${fmtPlugins(overview, added)}).`;
  const stockCatalog = perPlugin(baseline).plugins.catalog ?? [0];
  const section = [
    '## Squad overview (`./scripts/bench.sh squad-overview`)',
    '',
    `${measuredOn()}, built backend serving the built frontend, production config on PostgreSQL, Debian's Chromium (headless, Playwright), signed in as guest, a fresh browser context per load.`,
    `A synthetic squad with ${SERVICES} components (${[...new Set(TYPES)].join(
      ', ',
    )}; lifecycle production), each with a release-manager service annotation and a real git repository with dev, staging and prod tags (\`releaseStatus.git.localDirectory\`; release-manager and dead-letter environments not configured). Page: \`${pageOf(
      SQUAD,
    )}\` (overview tab), timed from navigation start until the "Squad overview" card shows its key numbers, the ${PAGE_SIZE} rows of its services table's first page with their prod drift, and "of ${SERVICES}"; requests are those to \`/api/\` until then, per plugin (\`/api/<plugin>/\`). Cold: the first load after the backend started, once its first scheduled refresh had computed every service's release status (\`releaseStatus.refresh\`); warm: median of ${RUNS} further loads. Goal: at most 1.5x the baseline, cold and warm.`,
    `Baseline, in the same run: the same page with the squad overview's cards switched off (${disabled
      .map(id => `\`${id}\``)
      .join(
        ', ',
      )}: false), until the stock Ownership card shows its counts adding up to ${SERVICES}, the first full render of the squad's page without the squad overview.`,
    '',
    `| load of the squad's page | time to full render | ratio to baseline | /api/ requests | per plugin | not on the stock page |`,
    '| --- | ---: | ---: | ---: | --- | --- |',
    row(
      `${SERVICES} services, stock page, Ownership card (baseline, cold)`,
      baseCold,
      baseCold,
      [baseline[0]],
      false,
    ),
    row(
      `${SERVICES} services, stock page, Ownership card (baseline, warm, median of ${RUNS})`,
      baseWarm,
      baseWarm,
      warmOf(baseline),
      false,
    ),
    row(`${SERVICES} services, Squad overview card, cold`, cold, baseCold, [
      overview[0],
    ]),
    row(
      `${SERVICES} services, Squad overview card, warm (median of ${RUNS})`,
      warm,
      baseWarm,
      warmOf(overview),
    ),
    `| ${SERVICES} services, Ownership card on those warm loads, beside the squad overview | ${fmtMs(
      ownershipWarm,
    )} | ${(ownershipWarm / baseWarm).toFixed(1)}x | | | |`,
    row(
      `${SMALL} services, Squad overview card, cold`,
      small[0].times[0],
      undefined,
      [small[0]],
    ),
    row(
      `${SMALL} services, Squad overview card, warm`,
      small[1].times[0],
      undefined,
      [small[1]],
    ),
    '',
    `Ratios: cold against the baseline's cold load (each the first after its backend started), warm against the baseline's warm median. Requests are counted until the card is rendered (ranges: over the warm loads); "not on the stock page" are those the baseline's loads never made, i.e. the squad overview cards'. The stock page's own catalog requests vary from load to load (${fmtRange(
      stockCatalog,
    )} in the baseline): the entity page asks for the group's ancestry and relations again as it renders.`,
    verdict,
  ].join('\n');
  writeSection('squad-overview', section);
  console.log(section);
  if (differences.length) process.exitCode = 1;
}

/** Stops whatever is running and removes the temporary folder, once. */
let cleaning;
function cleanup(state) {
  cleaning ??= (async () => {
    await state.browser?.close().catch(() => {});
    await stopBackend(state).catch(e => console.error(e));
    try {
      resetDatabases(PREFIX);
    } catch (e) {
      console.error(e);
    }
    if (state.work) fs.rmSync(state.work, { recursive: true, force: true });
  })();
  return cleaning;
}

const state = {};
const fail = e => {
  console.error(e);
  if (state.work && fs.existsSync(state.work)) {
    for (const log of fs
      .readdirSync(state.work)
      .filter(f => f.endsWith('.log')))
      console.error(
        `--- last lines of ${log}:\n${fs
          .readFileSync(path.join(state.work, log), 'utf8')
          .split('\n')
          .slice(-30)
          .join('\n')}`,
      );
  }
  return cleanup(state).finally(() => process.exit(1));
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => fail(new Error(`stopped by ${signal}`)));
}
setTimeout(
  () => fail(new Error(`not done within ${DEADLINE_MS / 60_000} minutes`)),
  DEADLINE_MS,
).unref();
main(state)
  .then(() => cleanup(state))
  .catch(fail);
