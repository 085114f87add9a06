#!/usr/bin/env node
/* eslint-disable no-console */
// A small local release-manager for the quick start (scripts/quickstart.js):
// it answers the HTTP API the release-status backend reads (GET /status,
// /describe/release/:service/:environment, /policies; release-manager's
// response shapes) from the example git repositories' environment tags
// (scripts/example-git-repos.js), and publishes a `released` event per
// release through RabbitMQ the way release-manager does, so the squad pulse
// shows them.
//
// Usage: local-release-manager.js [port]   (serves until stopped)
// Env: RELEASE_MANAGER_TOKEN (default local), AMQP_URL (events; optional).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const YAML = require('yaml');

const ROOT = path.resolve(__dirname, '..');
const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const PLAN_SHA = '67e9d69164a1b2c3d4e5f60718293a4b5c6d7e8f';
/** Minutes between a commit and its release in each environment. */
const RELEASE_DELAY = { dev: 10, staging: 40, prod: 90 };
const INTENTS = {
  dev: { type: 'AutoRelease', releaseBranch: {}, promote: {}, rollback: {} },
  staging: {
    type: 'ReleaseBranch',
    releaseBranch: { branch: 'master' },
    promote: {},
    rollback: {},
  },
  prod: {
    type: 'Promote',
    releaseBranch: {},
    promote: { fromEnvironment: 'staging' },
    rollback: {},
  },
};

function git(dir, args) {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
}

/**
 * Reads every repository under `gitDir`: its service and squad from
 * shuttle.yaml and, per environment tag, the release it stands for.
 */
function readReleases(gitDir) {
  const services = new Map();
  for (const name of fs.readdirSync(gitDir)) {
    const dir = path.join(gitDir, name);
    const shuttleFile = path.join(dir, 'shuttle.yaml');
    if (!fs.existsSync(shuttleFile)) continue;
    const vars = YAML.parse(fs.readFileSync(shuttleFile, 'utf8'))?.vars ?? {};
    const service = typeof vars.service === 'string' ? vars.service : name;
    const tags = git(dir, ['tag', '--list']).split('\n').filter(Boolean);
    const releases = {};
    for (const env of ENVIRONMENTS.filter(e => tags.includes(e))) {
      // The tagged commit is the release; its parent, the one before.
      const [current, before] = git(dir, [
        'log',
        '-2',
        '--first-parent',
        '--format=%H%x00%an%x00%ae%x00%s%x00%ct',
        `refs/tags/${env}`,
      ])
        .split('\n')
        .map(line => {
          const [sha, authorName, authorEmail, subject, committedAt] =
            line.split('\0');
          const committed = Number(committedAt) * 1000;
          return {
            sha,
            artifactId: `master-${sha.slice(0, 10)}-${PLAN_SHA.slice(0, 10)}`,
            authorName,
            authorEmail,
            message: subject,
            committedAt: committed,
            releasedAt: Math.min(
              Date.now(),
              committed + RELEASE_DELAY[env] * 60_000,
            ),
          };
        });
      releases[env] = current;
      if (before) {
        current.previous = {
          ...before,
          releasedAt: Math.min(before.releasedAt, current.releasedAt - 60_000),
        };
      }
    }
    services.set(service, {
      service,
      squad: typeof vars.squad === 'string' ? vars.squad : undefined,
      repository: name,
      releases,
    });
  }
  return services;
}

function artifactSpec(entry, r) {
  return {
    id: r.artifactId,
    application: {
      sha: r.sha,
      authorName: r.authorName,
      authorEmail: r.authorEmail,
      committerName: r.authorName,
      committerEmail: r.authorEmail,
      message: r.message,
      name: entry.service,
      url: `https://github.com/lunarway/${entry.repository}/commit/${r.sha}`,
      provider: 'GitHub',
    },
    ci: {
      jobUrl: `https://ci.example/job/${entry.service}/${r.artifactId}`,
      start: new Date(r.committedAt + 60_000).toISOString(),
      end: new Date(r.committedAt + 5 * 60_000).toISOString(),
    },
    squad: entry.squad,
    shuttle: {
      plan: {
        sha: PLAN_SHA,
        message: 'Bump plan',
        url: 'git://git@github.com:lunarway/lw-shuttle-go-plan.git',
      },
      shuttleVersion: 'v0.23.0',
    },
    stages: [
      {
        id: 'build',
        name: 'Build',
        data: {
          image: `quay.io/lunarway/${entry.service}`,
          tag: r.artifactId,
        },
      },
    ],
  };
}

/** Answers one request; `undefined`: not found. */
function answer(services, url) {
  const error = (status, message) => ({ status, body: { status, message } });
  if (url.pathname === '/status') {
    const entry = services.get(url.searchParams.get('service') ?? '');
    const body = { defaultNamespaces: true };
    for (const [env, r] of Object.entries(entry?.releases ?? {})) {
      body[env] = {
        tag: r.artifactId,
        committer: r.authorName,
        author: r.authorName,
        message: r.message,
        date: r.committedAt,
        buildUrl: `https://ci.example/job/${entry.service}/${r.artifactId}`,
        highVulnerabilities: 0,
        mediumVulnerabilities: 0,
        lowVulnerabilities: 0,
      };
    }
    return { status: 200, body };
  }
  const describe = url.pathname.match(
    /^\/describe\/release\/([^/]+)\/([^/]+)$/,
  );
  if (describe) {
    const [service, env] = describe.slice(1).map(decodeURIComponent);
    const entry = services.get(service);
    const r = entry?.releases[env];
    if (!r) {
      return error(
        404,
        `no releases of service '${service}' available in environment '${env}'`,
      );
    }
    return {
      status: 200,
      body: {
        service,
        environment: env,
        // Newest first, `count` of them (release-manager's default: 1).
        releases: [r, ...(r.previous ? [r.previous] : [])]
          .map((release, i, all) => ({
            releaseIndex: all.length - i,
            artifact: artifactSpec(entry, release),
            releasedAt: new Date(release.releasedAt).toISOString(),
            releasedByEmail: release.authorEmail,
            releasedByName: release.authorName,
            intent: INTENTS[env],
          }))
          .slice(0, Number(url.searchParams.get('count') ?? 1)),
      },
    };
  }
  if (url.pathname === '/policies') {
    const entry = services.get(url.searchParams.get('service') ?? '');
    if (!entry || !entry.releases.dev) return error(404, 'no policies exist');
    return {
      status: 200,
      body: {
        service: entry.service,
        autoReleases: [
          {
            id: 'auto-release-master-dev',
            branch: 'master',
            environment: 'dev',
          },
        ],
        branchRestrictions: [
          {
            id: 'branch-restriction-prod',
            environment: 'prod',
            branchRegex: '^master$',
          },
        ],
      },
    };
  }
  return undefined;
}

/** release-manager's `released` events, oldest first. */
function releasedEvents(services) {
  const events = [];
  for (const entry of services.values()) {
    for (const [env, r] of Object.entries(entry.releases)) {
      events.push({
        at: r.releasedAt,
        correlationId: `${entry.service}-${env}-${r.artifactId}`,
        body: {
          name: entry.service,
          environment: env,
          artifactId: r.artifactId,
          authorName: r.authorName,
          authorEmail: r.authorEmail,
          squad: entry.squad,
          intentType: INTENTS[env].type,
        },
      });
    }
  }
  return events.sort((a, b) => a.at - b.at);
}

/**
 * Publishes every release as release-manager's `released` event on
 * `exchange` (topic, routing key `release-manager.released`). `queue` is
 * declared and bound first, as the pulse's consumer declares it, so events
 * wait there until the portal reads them.
 */
async function publishReleaseEvents({ services, amqpUrl, exchange, queue }) {
  const amqp = require('amqplib');
  const connection = await amqp.connect(amqpUrl);
  try {
    const ch = await connection.createConfirmChannel();
    await ch.assertExchange(exchange, 'topic', { durable: true });
    await ch.assertQueue(queue, { durable: true });
    await ch.bindQueue(queue, exchange, '#');
    const events = releasedEvents(services);
    for (const e of events) {
      ch.publish(
        exchange,
        'release-manager.released',
        Buffer.from(JSON.stringify(e.body)),
        {
          persistent: true,
          type: 'released',
          contentType: 'application/json',
          correlationId: e.correlationId,
          timestamp: Math.floor(e.at / 1000),
        },
      );
    }
    await ch.waitForConfirms();
    return events.length;
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Starts the HTTP API on `port` (0: any free port). */
async function startLocalReleaseManager({ gitDir, port = 0, token }) {
  const services = readReleases(gitDir);
  const server = http.createServer((req, res) => {
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${token}`) {
      reply(401, {
        status: 401,
        message: 'please provide a valid authentication token',
      });
      return;
    }
    const result =
      req.method === 'GET'
        ? answer(services, new URL(req.url ?? '/', 'http://localhost'))
        : undefined;
    if (result) reply(result.status, result.body);
    else reply(404, { status: 404, message: 'not found' });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    services,
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise(resolve => {
        server.close(() => resolve());
        // Keep-alive clients (the portal's backend) would hold it open.
        server.closeAllConnections();
      }),
  };
}

module.exports = {
  startLocalReleaseManager,
  publishReleaseEvents,
  readReleases,
};

if (require.main === module) {
  const gitDir = path.join(ROOT, '.local', 'example-git');
  startLocalReleaseManager({
    gitDir,
    port: Number(process.argv[2] || 0),
    token: process.env.RELEASE_MANAGER_TOKEN || 'local',
  })
    .then(rm => console.log(`local release-manager on ${rm.url}`))
    .catch(e => {
      console.error(`local release-manager failed: ${e.message}`);
      process.exit(1);
    });
}
