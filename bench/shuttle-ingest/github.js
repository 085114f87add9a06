/* eslint-disable no-console */
// GitHub at scale: two refresh cycles of the shuttle module's GitHub
// processor (plugins/shuttle-catalog-processor/src/processor) over 1,000
// repositories on the stand-in GitHub the plugin's tests use (real HTTP,
// GitHub's shapes, ETags and 304s, a rate limit). The first cycle reads
// every repository; the second finds them unchanged. Counts the requests,
// conditional requests, 304s and parses per cycle, and the time.
// Run by ./scripts/bench.sh shuttle-ingest (after the ingestion run).
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
// The plugin's TypeScript sources, compiled on load as `yarn start` does.
require('@backstage/cli-node/config/nodeTransform.cjs');
const plugin = path.join(root, 'plugins/shuttle-catalog-processor/src');
const { ConfigReader } = require('@backstage/config');
const { ScmIntegrations } = require('@backstage/integration');
const { readShuttleProcessorConfig } = require(path.join(
  root,
  'plugins/shuttle-node/src/config',
));
const { createShuttleLocationReader } = require(path.join(
  plugin,
  'parser/createShuttleParser',
));
const { ShuttleGithubProcessor } = require(path.join(
  plugin,
  'processor/ShuttleGithubProcessor',
));
const { STAND_IN_TOKEN, StandInGithub, repositoryFiles } = require(path.join(
  plugin,
  '__testUtils__/standInGithub',
));

const silent = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silent;
  },
};

async function measureGithub(repositories = 1000) {
  const github = new StandInGithub();
  await github.start();
  try {
    for (let i = 0; i < repositories; i++) {
      github.repos.set(`lunarway/repo-${i}`, repositoryFiles(i));
    }
    const integrations = ScmIntegrations.fromConfig(
      new ConfigReader({
        integrations: {
          github: [
            {
              host: 'github.com',
              apiBaseUrl: github.baseUrl,
              token: STAND_IN_TOKEN,
            },
          ],
        },
      }),
    );
    const shuttle = createShuttleLocationReader({
      config: readShuttleProcessorConfig(new ConfigReader({})),
      integrations,
      logger: silent,
    });
    let parses = 0;
    const processor = new ShuttleGithubProcessor({
      shuttle: {
        ...shuttle,
        parse: (...args) => {
          parses += 1;
          return shuttle.parse(...args);
        },
      },
      integrations,
      logger: silent,
    });
    // The catalog keeps a processor's cache per location, as JSON.
    const stored = new Map();
    const cacheFor = target => ({
      get: async key => {
        const text = stored.get(`${target}\0${key}`);
        return text === undefined ? undefined : JSON.parse(text);
      },
      set: async (key, value) => {
        stored.set(`${target}\0${key}`, JSON.stringify(value));
      },
    });
    const cycle = async () => {
      github.resetCounts();
      const parsesBefore = parses;
      const t0 = process.hrtime.bigint();
      let next = 0;
      let entities = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < repositories) {
            const i = next++;
            const target = `https://github.com/lunarway/repo-${i}/blob/main/shuttle.yaml`;
            await processor.readLocation(
              { type: 'url', target },
              false,
              r => {
                if (r.type === 'entity') entities += 1;
              },
              async function* unused() {
                throw new Error('not used');
              },
              cacheFor(target),
            );
          }
        }),
      );
      return {
        ms: Number(process.hrtime.bigint() - t0) / 1e6,
        requests: github.requests,
        conditional: github.conditionalRequests,
        notModified: github.statuses.get(304) ?? 0,
        parses: parses - parsesBefore,
        entities,
      };
    };
    const first = await cycle();
    const second = await cycle();
    return { repositories, first, second };
  } finally {
    await github.stop();
  }
}

module.exports = { measureGithub };

if (require.main === module) {
  measureGithub().then(r => console.log(JSON.stringify(r, null, 2)));
}
