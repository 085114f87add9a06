// Generates N synthetic Lunar repositories twice: once described by
// shuttle.yaml (as the shuttle module reads them) and once by plain
// catalog-info.yaml files holding the very entities the module would emit,
// plus one shared.yaml for systems, domains and RabbitMQ resources.
const fs = require('node:fs');
const path = require('node:path');
const yaml = require('yaml');

const SQUADS = [
  'nasa',
  'gemini',
  'mercury',
  'odyssey',
  'aura',
  'apollo',
  'juno',
  'esa',
  'vostok',
  'soyuz',
  'artemis',
  'hubble',
  'kepler',
  'voyager',
  'pioneer',
  'cassini',
  'galileo',
  'rosetta',
  'luna',
  'mariner',
];
const DOMAINS = [
  'banking',
  'cards',
  'lending',
  'savings',
  'onboarding',
  'identity',
  'payments',
  'platform',
  'investments',
  'insurance',
  'pensions',
  'crypto',
  'support',
  'fraud',
  'compliance',
  'reporting',
  'notifications',
  'pricing',
  'subscriptions',
  'marketing',
];
const PLANS = [
  ['git://git@github.com:lunarway/lw-shuttle-go-plan.git', 'service', ['go']],
  ['git://git@github.com:lunarway/lw-shuttle-go-plan.git', 'service', ['go']],
  ['git://git@github.com:lunarway/lw-shuttle-go-plan.git', 'service', ['go']],
  [
    'git://git@github.com:lunarway/lw-shuttle-go-lib-plan.git',
    'library',
    ['go'],
  ],
  [
    'git://git@github.com:lunarway/lw-shuttle-node-plan.git',
    'service',
    ['node'],
  ],
  [
    'git://git@github.com:lunarway/lw-shuttle-infrastructure-plan.git',
    'infrastructure',
    [],
  ],
];
const OPENAPI = name => `openapi: 3.0.3
info: { title: ${name}, version: 1.0.0 }
paths:
  /v1/${name}/{id}:
    get:
      operationId: get-${name}
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses: { '200': { description: OK } }
`;

/** Deterministic facts of repository i. */
function repo(i) {
  const name = `svc-${String(i).padStart(5, '0')}`;
  const [plan, type, tags] = PLANS[i % PLANS.length];
  const squad = SQUADS[i % SQUADS.length];
  const domain = DOMAINS[(i * 7) % DOMAINS.length];
  const system = `${domain}-system-${i % 10}`;
  const needs = i % 3 === 0; // a third use db, rabbitmq and ingress
  const api = i % 10 === 0; // a tenth have an OpenAPI file
  return {
    i,
    name,
    plan,
    type,
    tags,
    squad,
    domain,
    system,
    needs,
    api,
    exchange: `${domain}-events`,
    queue: `${domain}-events_${name}`,
  };
}

function shuttleYaml(r) {
  const vars = {
    service: r.name,
    squad: r.squad,
    domain: r.domain,
    system: r.system,
    goVersion: '1.22.5',
    docker: { 'builder-image': 'golang:1.22.5' },
  };
  if (r.needs)
    Object.assign(vars, {
      db: true,
      ingress: true,
      rabbitmq: { exchanges: [r.exchange], queues: [r.queue] },
    });
  return yaml.stringify({
    plan: r.plan,
    vars,
    scripts: {
      test: { description: 'Run tests', actions: [{ shell: 'go test ./...' }] },
    },
  });
}

/** The entities the shuttle module emits for r, as catalog-info.yaml. */
function catalogInfoYaml(r, dir) {
  const owner = `group:squad-${r.squad}`;
  const annotations = {
    'lunar.app/shuttle-plan': r.plan,
    'lunar.app/release-manager-service': r.name,
    'backstage.io/source-location': `file:${dir}/`,
    'lunar.app/domain': r.domain,
  };
  const dependsOn = [];
  const docs = [];
  if (r.needs) {
    annotations['lunar.app/ingress'] = 'true';
    annotations['lunar.app/rabbitmq-exchanges'] = r.exchange;
    annotations['lunar.app/rabbitmq-queues'] = r.queue;
    dependsOn.push(
      `resource:${r.name}-db`,
      'resource:rabbitmq',
      `resource:rabbitmq-exchange-${r.exchange}`,
      `resource:rabbitmq-queue-${r.queue}`,
    );
    docs.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: `${r.name}-db`,
        description: `PostgreSQL database of ${r.name}`,
      },
      spec: { type: 'database', owner, system: r.system },
    });
  }
  const spec = {
    type: r.type,
    lifecycle: 'production',
    owner,
    system: r.system,
  };
  if (dependsOn.length) spec.dependsOn = dependsOn;
  if (r.api) {
    spec.providesApis = [`api:${r.name}-http`];
    docs.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'API',
      metadata: { name: `${r.name}-http`, tags: ['openapi'] },
      spec: {
        type: 'openapi',
        lifecycle: 'production',
        owner,
        system: r.system,
        definition: OPENAPI(r.name),
      },
    });
  }
  docs.unshift({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: r.name, annotations, tags: [...r.tags, 'shuttle'] },
    spec,
  });
  return docs.map(d => yaml.stringify(d)).join('---\n');
}

/** Systems, domains, broker, exchanges and queues, once each. */
function sharedYaml(repos) {
  const docs = [];
  const seen = new Set();
  const once = (key, doc) => {
    if (!seen.has(key)) {
      seen.add(key);
      docs.push(doc);
    }
  };
  for (const r of repos) {
    const owner = `group:squad-${r.squad}`;
    once(`system:${r.system}`, {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: { name: r.system },
      spec: { owner, domain: r.domain },
    });
    once(`domain:${r.domain}`, {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Domain',
      metadata: { name: r.domain },
      spec: { owner },
    });
    if (r.needs) {
      once('broker', {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: { name: 'rabbitmq' },
        spec: { type: 'message-broker', owner: 'group:squad-nasa' },
      });
      once(`ex:${r.exchange}`, {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: { name: `rabbitmq-exchange-${r.exchange}` },
        spec: {
          type: 'rabbitmq-exchange',
          owner,
          dependsOn: ['resource:rabbitmq'],
        },
      });
      once(`q:${r.queue}`, {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: { name: `rabbitmq-queue-${r.queue}` },
        spec: {
          type: 'rabbitmq-queue',
          owner,
          dependsOn: ['resource:rabbitmq'],
        },
      });
    }
  }
  return docs.map(d => yaml.stringify(d)).join('---\n');
}

/**
 * Writes `<out>/shuttle/<repo>/` and `<out>/catalog-info/<repo>/` and
 * returns the entity counts expected in the catalog for each kind.
 */
function generate(out, count) {
  const repos = Array.from({ length: count }, (_, i) => repo(i));
  for (const r of repos) {
    const s = path.join(out, 'shuttle', r.name);
    const c = path.join(out, 'catalog-info', r.name);
    fs.mkdirSync(path.join(s, 'api'), { recursive: true });
    fs.mkdirSync(c, { recursive: true });
    fs.writeFileSync(path.join(s, 'shuttle.yaml'), shuttleYaml(r));
    if (r.api)
      fs.writeFileSync(path.join(s, 'api', 'openapi.yaml'), OPENAPI(r.name));
    fs.writeFileSync(path.join(c, 'catalog-info.yaml'), catalogInfoYaml(r, s));
  }
  fs.writeFileSync(
    path.join(out, 'catalog-info', 'shared.yaml'),
    sharedYaml(repos),
  );
  const uniq = f => new Set(repos.filter(r => r.needs).map(f)).size;
  return {
    component: count,
    api: repos.filter(r => r.api).length,
    resource:
      repos.filter(r => r.needs).length +
      (repos.some(r => r.needs) ? 1 : 0) +
      uniq(r => r.exchange) +
      uniq(r => r.queue),
    system: new Set(repos.map(r => r.system)).size,
    domain: new Set(repos.map(r => r.domain)).size,
  };
}

module.exports = { generate };
