#!/usr/bin/env node
/* eslint-disable no-console */
// `yarn start`: the portal with every Lunar feature showing real data on
// embedded defaults, and nothing to configure.
//
// - builds the example git repositories (scripts/example-git-repos.js);
// - starts a local release-manager (scripts/local-release-manager.js) from
//   their environment tags, so Releases shows artifacts, release times and
//   policies;
// - when RabbitMQ answers on AMQP_URL (default the local one): a `dev`
//   dead-letter environment fed by a low, steady stream of failing messages
//   (scripts/dead-letter-traffic.js), and release events published through
//   the broker for the squad pulse, as release-manager does in production;
// - without a broker: a read-only sample environment from a fixture,
//   labelled as sample data;
// - writes that configuration to .local/app-config.quickstart.yaml (ignored,
//   rewritten on every start) and runs `backstage-cli repo start` with it
//   layered on app-config.yaml (and app-config.local.yaml when present).
//
// Env: AMQP_URL, LUNAR_QUICKSTART_TRAFFIC=0 (no dead-letter traffic).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const YAML = require('yaml');
const { buildExampleRepositories } = require('./example-git-repos');
const {
  startLocalReleaseManager,
  publishReleaseEvents,
} = require('./local-release-manager');
const { runContinuously } = require('./dead-letter-traffic');

const ROOT = path.resolve(__dirname, '..');
const LOCAL = path.join(ROOT, '.local');
const GIT_DIR = path.join(LOCAL, 'example-git');
const CONFIG_FILE = path.join(LOCAL, 'app-config.quickstart.yaml');
const AMQP_URL = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
const DEAD_LETTER_QUEUE = 'quickstart-dead-letters';
const PULSE_EXCHANGE = 'release-manager';
const PULSE_QUEUE = 'quickstart-squad-pulse';
const RELEASE_MANAGER_TOKEN = 'quickstart';
const BACKEND = 'http://localhost:7007';

const log = message => console.log(`[quickstart] ${message}`);

/** Whether something accepts TCP connections at the AMQP URL's address. */
function brokerReachable(url) {
  const { hostname, port } = new URL(url);
  return new Promise(resolve => {
    const socket = net.connect({
      host: hostname || '127.0.0.1',
      port: Number(port || 5672),
    });
    const done = ok => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function quickstartConfig({ releaseManagerUrl, broker }) {
  const config = {
    releaseStatus: {
      releaseManager: {
        baseUrl: releaseManagerUrl,
        token: RELEASE_MANAGER_TOKEN,
      },
    },
  };
  if (broker) {
    config.deadLetter = {
      environments: [
        {
          name: 'dev',
          amqp: { url: AMQP_URL, queue: DEAD_LETTER_QUEUE },
          logsUrlTemplate:
            'https://logs.example/search?q=service%3D{service}&from={from}&to={to}',
        },
      ],
    };
    config.squadOverview = {
      releaseEvents: {
        amqp: { url: AMQP_URL, exchange: PULSE_EXCHANGE, queue: PULSE_QUEUE },
      },
    };
  } else {
    config.deadLetter = {
      environments: [
        {
          name: 'sample',
          sample: {
            fixture: path.join(ROOT, 'examples', 'dead-letters.sample.json'),
          },
        },
      ],
    };
  }
  // Message content: the guest (squad-nasa) reads its squad's messages with
  // these values masked, and only the metadata of other squads' messages.
  config.deadLetter.masking = {
    jsonPaths: ['$.cpr', '$.iban', '$..cardNumber', '$.items[*].pan'],
    headers: ['authorization'],
  };
  // A redelivery job that pauses itself notifies the owning squad; messages
  // of services without an owner go to squad-nasa, who run dead-letter.
  config.deadLetter.notifications = { fallbackGroup: 'squad-nasa' };
  return config;
}

/**
 * Resolves once the backend's catalog has the example services (asked as
 * the guest), or after five minutes, or when the portal exits.
 */
async function waitForCatalog(child) {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const session = await fetch(`${BACKEND}/api/auth/guest/refresh`, {
        headers: { 'x-requested-with': 'XMLHttpRequest' },
      });
      const token = (await session.json())?.backstageIdentity?.token;
      const entity = await fetch(
        `${BACKEND}/api/catalog/entities/by-name/component/default/card-clearing`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      if (session.ok && entity.ok) return;
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 2_000));
  }
}

async function main() {
  fs.mkdirSync(LOCAL, { recursive: true });
  buildExampleRepositories(GIT_DIR);
  const releaseManager = await startLocalReleaseManager({
    gitDir: GIT_DIR,
    token: RELEASE_MANAGER_TOKEN,
  });
  log(`local release-manager on ${releaseManager.url}`);

  const broker = await brokerReachable(AMQP_URL);
  if (broker) {
    log(`RabbitMQ answers at ${new URL(AMQP_URL).host}: dead letters in 'dev'`);
  } else {
    log(
      'No RabbitMQ on the local address: the Dead Letter page shows sample ' +
        'data. Start RabbitMQ (or set AMQP_URL) and restart to see real ' +
        'dead letters.',
    );
  }
  fs.writeFileSync(
    CONFIG_FILE,
    `# Written by scripts/quickstart.js on every \`yarn start\`; do not edit.\n${YAML.stringify(
      quickstartConfig({ releaseManagerUrl: releaseManager.url, broker }),
    )}`,
  );

  if (broker) {
    // Both declare the queues the portal reads (with the arguments its
    // consumers use), so nothing is lost while the backend starts.
    try {
      const count = await publishReleaseEvents({
        services: releaseManager.services,
        amqpUrl: AMQP_URL,
        exchange: PULSE_EXCHANGE,
        queue: PULSE_QUEUE,
      });
      log(`published ${count} release events for the squad pulse`);
    } catch (e) {
      log(`could not publish release events: ${e.message}`);
    }
  }

  const configs = ['app-config.yaml', 'app-config.local.yaml']
    .map(f => path.join(ROOT, f))
    .filter(f => fs.existsSync(f));
  configs.push(CONFIG_FILE);
  const child = spawn(
    'yarn',
    [
      'backstage-cli',
      'repo',
      'start',
      ...configs.flatMap(f => ['--config', f]),
      ...process.argv.slice(2),
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );

  let traffic;
  const stop = async () => {
    await traffic?.stop().catch(() => {});
    await releaseManager.close();
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      child.kill(signal);
    });
  }
  child.on('exit', async code => {
    // Stop the helpers, but never hang on a broker or a client that went
    // away with the portal.
    await Promise.race([
      stop(),
      new Promise(resolve => setTimeout(resolve, 5_000)),
    ]);
    process.exit(code ?? 0);
  });

  if (broker && process.env.LUNAR_QUICKSTART_TRAFFIC !== '0') {
    // Dead letters are stored with their squad when the catalog already
    // knows their service, so the traffic starts once it does.
    await waitForCatalog(child);
    if (child.exitCode === null) {
      traffic = runContinuously({
        amqpUrl: AMQP_URL,
        queue: DEAD_LETTER_QUEUE,
        prefix: 'dev',
        log,
      });
    }
  }
}

if (require.main === module) {
  main().catch(e => {
    console.error(`[quickstart] ${e.message}`);
    process.exit(1);
  });
}

module.exports = { brokerReachable, quickstartConfig };
