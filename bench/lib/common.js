/* eslint-disable no-console */
// Shared helpers for the benchmarks under bench/.
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const yaml = require('yaml');

const root = path.resolve(__dirname, '../..');
const dist = process.env.DIST || path.join(root, '.tools/dist');

/**
 * An HTTP request returning { status, body } (body parsed as JSON when
 * possible; status 0 when the server could not be reached). GET unless
 * `options.method`; `options.body` is sent as JSON.
 */
function request(url, headers = {}, options = {}) {
  const data =
    options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise(resolve => {
    const req = http.request(
      url,
      {
        method: options.method ?? 'GET',
        headers: data
          ? {
              'Content-Type': 'application/json',
              'Content-Length': Buffer.byteLength(data),
              ...headers,
            }
          : headers,
      },
      res => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', c => (text += c));
        res.on('end', () => {
          let body = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode, body });
        });
      },
    );
    req.on('error', () => resolve({ status: 0 }));
    req.setTimeout(30_000, () => req.destroy());
    req.end(data);
  });
}

/** Resident memory (current and peak) of a process, in MB. */
function memoryMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = key => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/**
 * The middle of `xs` once sorted: an element of it (for an even count the
 * higher of the two middle ones), so a run it picks can be looked up.
 */
function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Clock ticks per second of /proc's CPU times. */
const CLOCK_TICKS =
  Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;

/** CPU seconds (user and system) a process has used so far. */
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command's closing parenthesis; utime and stime are
  // the 14th and 15th of the whole line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / CLOCK_TICKS;
}

function resetDatabases(prefix) {
  const dbs = execFileSync(
    'psql',
    [
      '-h',
      '127.0.0.1',
      '-U',
      'postgres',
      '-Atc',
      `select datname from pg_database where datname like '${prefix}%'`,
      'postgres',
    ],
    { encoding: 'utf8' },
  )
    .split('\n')
    .filter(Boolean);
  for (const db of dbs) {
    execFileSync('psql', [
      '-h',
      '127.0.0.1',
      '-U',
      'postgres',
      '-qc',
      `drop database if exists "${db}" with (force)`,
      'postgres',
    ]);
  }
}

/** The environment the production config reads, pointing at the local PostgreSQL. */
function productionEnv() {
  return {
    ...process.env,
    NODE_ENV: 'production',
    POSTGRES_HOST: '127.0.0.1',
    POSTGRES_PORT: '5432',
    POSTGRES_USER: 'postgres',
    POSTGRES_PASSWORD: 'postgres',
    AUTH_GITHUB_CLIENT_ID: 'bench',
    AUTH_GITHUB_CLIENT_SECRET: 'bench',
    GITHUB_ORG: 'lunarway',
  };
}

/**
 * Starts the built backend with the production config on PostgreSQL plus
 * the given extra config files; resolves once the readiness check answers.
 */
async function startBackend({
  configs,
  env = {},
  logFile,
  port = 7007,
  nodeArgs = [],
}) {
  const args = [
    ...nodeArgs,
    'packages/backend',
    '--config',
    'app-config.yaml',
    '--config',
    'app-config.production.yaml',
  ];
  for (const c of configs) args.push('--config', c);
  const out = fs.openSync(logFile, 'w');
  const t0 = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: dist,
    stdio: ['ignore', out, out],
    env: { ...productionEnv(), ...env },
  });
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`backend exited early; see ${logFile}`);
    if (Date.now() - t0 > 180_000)
      throw new Error('backend not ready within 180s');
    const { status } = await request(
      `http://127.0.0.1:${port}/.backstage/health/v1/readiness`,
    );
    if (status === 200) break;
    await new Promise(r => setTimeout(r, 100));
  }
  return {
    child,
    startedAt: t0,
    readyMs: Date.now() - t0,
    async stop() {
      child.kill('SIGTERM');
      await new Promise(r =>
        child.exitCode !== null ? r() : child.once('exit', r),
      );
    },
  };
}

/**
 * A static token for calling the backend from a benchmark, its
 * Authorization header, and `write(file, extra)`: an app-config file that
 * lets the token in, with `extra` (the benchmark's own settings) beside it.
 */
function benchAccess() {
  const token = crypto.randomBytes(24).toString('hex');
  return {
    token,
    auth: { Authorization: `Bearer ${token}` },
    write(file, extra) {
      fs.writeFileSync(
        file,
        yaml.stringify({
          backend: {
            auth: {
              externalAccess: [
                { type: 'static', options: { token, subject: 'bench' } },
              ],
            },
          },
          ...extra,
        }),
      );
      return file;
    },
  };
}

/**
 * Writes an app-config file for a backend on `port` where the guest
 * (squad-nasa, app-config.yaml) may sign in, with `extra` (the benchmark's
 * own settings) beside it; returns `file`.
 */
function writeGuestConfig(file, port, extra) {
  fs.writeFileSync(
    file,
    yaml.stringify({
      backend: { baseUrl: `http://127.0.0.1:${port}`, listen: `:${port}` },
      auth: {
        providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
      },
      ...extra,
    }),
  );
  return file;
}

/** Signs in as the guest on the backend at `port`: its Authorization header. */
async function guestToken(port) {
  const res = await request(`http://127.0.0.1:${port}/api/auth/guest/refresh`, {
    'x-requested-with': 'XMLHttpRequest',
  });
  const token = res.body?.backstageIdentity?.token;
  if (!token) throw new Error(`no guest token: ${JSON.stringify(res.body)}`);
  return { Authorization: `Bearer ${token}` };
}

/**
 * A client of a plugin's database on the local PostgreSQL, named as the
 * backend names it with `backend.database.prefix`: `<prefix><pluginId>`.
 */
function pluginDatabase(prefix, pluginId) {
  return require('knex')({
    client: 'pg',
    connection: {
      host: '127.0.0.1',
      port: 5432,
      user: 'postgres',
      database: `${prefix}${pluginId}`,
    },
    pool: { min: 0, max: 2 },
  });
}

/** Runs a benchmark's `main`; a failure is printed and exits with 1. */
function runMain(main) {
  main().catch(e => {
    console.error(e);
    process.exit(1);
  });
}

function machine() {
  return `${os.cpus().length} cores, ${Math.round(
    os.totalmem() / 1024 ** 3,
  )} GiB (${os.cpus()[0].model.trim()}), Node ${process.version}`;
}

/** "Measured <today> on <machine>": how every section starts. */
function measuredOn() {
  return `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}`;
}

/** Replaces (or appends) a `<!-- bench:name -->` section of docs/benchmarks.md. */
function writeSection(name, section) {
  const file = path.join(root, 'docs/benchmarks.md');
  let text = fs.readFileSync(file, 'utf8');
  const wrapped = `<!-- bench:${name}:start -->\n${section}\n<!-- bench:${name}:end -->`;
  const re = new RegExp(
    `<!-- bench:${name}:start -->[\\s\\S]*?<!-- bench:${name}:end -->`,
  );
  text = re.test(text)
    ? text.replace(re, wrapped)
    : `${text.trimEnd()}\n\n${wrapped}\n`;
  fs.writeFileSync(file, text);
}

/**
 * A SQL expression giving `errorExpr` (a SQL expression whose value is one
 * of `texts`) its error group, as the backend computes it (errorGroup of
 * the built dead-letter-common), so rows inserted straight into the
 * database need no backfill by the backend while it is measured.
 */
function errorGroupSql(errorExpr, texts) {
  const { errorGroup } = require(path.join(
    dist,
    'node_modules/@internal/plugin-dead-letter-common',
  ));
  const literal = text => `'${String(text).replace(/'/g, "''")}'`;
  const cases = [...new Set(texts)]
    .map(t => `when ${literal(t)} then ${literal(errorGroup(t))}`)
    .join(' ');
  return `(case (${errorExpr}) ${cases} end)`;
}

module.exports = {
  root,
  dist,
  errorGroupSql,
  productionEnv,
  request,
  memoryMb,
  median,
  cpuSeconds,
  resetDatabases,
  startBackend,
  benchAccess,
  writeGuestConfig,
  guestToken,
  pluginDatabase,
  runMain,
  machine,
  measuredOn,
  writeSection,
};
