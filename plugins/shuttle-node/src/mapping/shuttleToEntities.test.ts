import fs from 'node:fs';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { readShuttleProcessorConfig } from '../config';
import { parsePlanYaml, parseShuttleYaml } from './parseShuttleYaml';
import {
  RepositoryFacts,
  planToEntity,
  shuttleToEntities,
} from './shuttleToEntities';

const config = readShuttleProcessorConfig(new ConfigReader({}));
const fixtures = path.resolve(__dirname, '../__fixtures__/shuttle');

function map(content: string, repo: Partial<RepositoryFacts> = {}): Entity[] {
  return shuttleToEntities(
    parseShuttleYaml(content),
    { name: 'some-repo', ...repo },
    config,
  );
}

/**
 * Expected result of every real public shuttle.yaml in the fixtures. Most
 * say `plan: false` and nothing about their type, and their repository is
 * not at hand here: they are `other`, not pretended services.
 */
const expectations: Record<
  string,
  | {
      name: string;
      type: string;
      owner: string;
      system?: string;
      domain?: string;
      tags?: string[];
    }
  | { error: RegExp }
> = {
  'lunarway__.github__shuttle.yaml': {
    name: 'github',
    type: 'other',
    owner: 'group:squad-esa',
    domain: 'developer-productivity',
  },
  'lunarway__cluster-identity-controller__shuttle.yaml': {
    name: 'cluster-identity-controller',
    type: 'other',
    owner: 'group:squad-nasa',
  },
  'lunarway__cluster-routing-controller__shuttle.yaml': {
    name: 'cluster-routing-controller',
    type: 'other',
    owner: 'group:squad-esa',
    domain: 'multi-cloud-container-runtime',
  },
  'lunarway__github-ratelimit-exporter__shuttle.yaml': {
    name: 'github-ratelimit-exporter-fork',
    type: 'other',
    owner: 'group:squad-esa',
    domain: 'developer-productivity',
  },
  'lunarway__go-renovate-submodules__shuttle.yaml': {
    name: 'go-renovate-submodules',
    type: 'library',
    owner: 'group:squad-aura',
    domain: 'developer-productivity',
    tags: ['go', 'shuttle'],
  },
  'lunarway__grafana-sidecar__shuttle.yaml': {
    name: 'grafana-sidecar',
    type: 'other',
    owner: 'group:squad-odyssey',
    domain: 'platform-observability',
  },
  'lunarway__humio_exporter__shuttle.yaml': {
    name: 'humio_exporter',
    type: 'other',
    owner: 'group:squad-odyssey',
    system: 'humio',
    domain: 'platform-observability',
  },
  'lunarway__learning-materials__shuttle.yaml': {
    name: 'learning-materials',
    type: 'documentation',
    owner: 'group:squad-aura',
    domain: 'developer-enablement',
    tags: ['docs', 'shuttle'],
  },
  'lunarway__lw-zsh-install__shuttle.yaml': {
    name: 'lw-zsh-install',
    type: 'other',
    owner: 'group:squad-esa',
    domain: 'developer-productivity',
  },
  'lunarway__lw-zsh-versions__shuttle.yaml': {
    name: 'lw-zsh-versions',
    type: 'other',
    owner: 'group:squad-esa',
    domain: 'developer-productivity',
  },
  'lunarway__payments-api-sdk__shuttle.yaml': {
    name: 'payments-api-sdk',
    type: 'other',
    owner: 'group:squad-juno',
    domain: 'merchant-payments',
  },
  'lunarway__payments-plugin-cubecart-6.x__shuttle.yaml': {
    name: 'payments-plugin-cubecart-6.x',
    type: 'other',
    owner: 'group:squad-juno',
  },
  'lunarway__payments-plugin-hikashop__shuttle.yaml': {
    name: 'payments-plugin-hikashop',
    type: 'other',
    owner: 'group:squad-juno',
  },
  'lunarway__shuttle-example-go-plan__shuttle.yaml': {
    name: 'shuttle-example-go-plan',
    type: 'other',
    owner: 'group:squad-aura',
    domain: 'developer-productivity',
  },
  'lunarway__shuttle__cmd__testdata__invalid-yaml__shuttle.yaml': {
    error: /expected a mapping/,
  },
  'lunarway__shuttle__cmd__testdata__project__shuttle.yaml': {
    error: /missing 'vars.squad'/,
  },
  'lunarway__shuttle__examples__no-plan-project__shuttle.yaml': {
    error: /missing 'vars.squad'/,
  },
  'lunarway__shuttle__examples__repo-project__shuttle.yaml': {
    error: /missing 'vars.squad'/,
  },
  // plan: '.' (a local path), no service: the repository name is used.
  'lunarway__shuttle__pkg__config__testdata__valid__shuttle.yaml': {
    name: 'some-repo',
    type: 'other',
    owner: 'group:squad-name',
  },
  'lunarway__shuttle__shuttle.yaml': {
    name: 'shuttle',
    type: 'other',
    owner: 'group:squad-dark-matter',
    domain: 'developer-productivity',
  },
};

describe('shuttleToEntities on the public shuttle.yaml files', () => {
  const files = fs.readdirSync(fixtures).filter(f => f.endsWith('.yaml'));

  it('has an expectation for every fixture', () => {
    expect(files.sort()).toEqual(Object.keys(expectations).sort());
  });

  const invalid = files.filter(f => 'error' in expectations[f]);
  const valid = files.filter(f => !invalid.includes(f));

  it.each(invalid)('%s is rejected with a reason', file => {
    const { error } = expectations[file] as { error: RegExp };
    const content = fs.readFileSync(path.join(fixtures, file), 'utf8');
    expect(() => map(content)).toThrow(error);
  });

  it.each(valid)('%s', file => {
    const expected = expectations[file] as Exclude<
      (typeof expectations)[string],
      { error: RegExp }
    >;
    const content = fs.readFileSync(path.join(fixtures, file), 'utf8');
    const [component, ...rest] = map(content);
    expect(rest).toEqual([]);
    expect(component.kind).toBe('Component');
    expect(component.metadata.name).toBe(expected.name);
    expect(component.spec).toMatchObject({
      type: expected.type,
      owner: expected.owner,
      lifecycle: 'production',
    });
    expect(component.spec?.system).toBe(expected.system);
    expect(component.metadata.annotations?.['lunar.app/domain']).toBe(
      expected.domain,
    );
    expect(
      component.metadata.annotations?.['lunar.app/release-manager-service'],
    ).toBe(expected.name);
    expect(component.metadata.tags).toEqual(expected.tags ?? ['shuttle']);
  });
});

describe('shuttleToEntities', () => {
  const goService = `
plan: git://git@github.com:lunarway/lw-shuttle-go-plan.git#v2
vars:
  service: bankaccount
  squad: mercury
  system: accounts
  domain: banking
  db: true
  ingress: true
  rabbitmq:
    exchanges: [bankaccount]
    queues: [card-clearing_settlement_bankaccount]
`;

  it('maps platform needs to resources and annotations', () => {
    const [component, db] = map(goService, {
      sourceLocation:
        'url:https://github.com/lunarway/bankaccount/tree/master/',
      projectSlug: 'lunarway/bankaccount',
      techdocsRef: 'dir:.',
    });
    expect(component.spec).toEqual({
      type: 'service',
      lifecycle: 'production',
      owner: 'group:squad-mercury',
      system: 'accounts',
      dependsOn: [
        'component:lw-shuttle-go-plan',
        'resource:bankaccount-db',
        'resource:rabbitmq',
        'resource:rabbitmq-exchange-bankaccount',
        'resource:rabbitmq-queue-card-clearing_settlement_bankaccount',
      ],
    });
    expect(component.metadata.annotations).toEqual({
      'lunar.app/shuttle-plan':
        'git://git@github.com:lunarway/lw-shuttle-go-plan.git#v2',
      'lunar.app/release-manager-service': 'bankaccount',
      'lunar.app/shuttle-type-source': 'plan',
      'lunar.app/shuttle-plan-name': 'lw-shuttle-go-plan',
      'lunar.app/shuttle-plan-ref': 'v2',
      'backstage.io/source-location':
        'url:https://github.com/lunarway/bankaccount/tree/master/',
      'github.com/project-slug': 'lunarway/bankaccount',
      'backstage.io/techdocs-ref': 'dir:.',
      'lunar.app/ingress': 'true',
      'lunar.app/domain': 'banking',
      'lunar.app/rabbitmq-exchanges': 'bankaccount',
      'lunar.app/rabbitmq-queues': 'card-clearing_settlement_bankaccount',
    });
    expect(component.metadata.tags).toEqual(['go', 'shuttle']);
    expect(db).toMatchObject({
      kind: 'Resource',
      metadata: { name: 'bankaccount-db' },
      spec: {
        type: 'database',
        owner: 'group:squad-mercury',
        system: 'accounts',
      },
    });
  });

  it('emits an API the component provides when an OpenAPI file exists', () => {
    const entities = map(goService, {
      apiDefinition: { path: 'api/openapi.yaml', content: 'openapi: 3.0.3' },
    });
    const api = entities.find(e => e.kind === 'API')!;
    expect(api.metadata.name).toBe('bankaccount-http');
    expect(api.spec).toMatchObject({
      type: 'openapi',
      definition: 'openapi: 3.0.3',
      owner: 'group:squad-mercury',
    });
    expect(entities[0].spec?.providesApis).toEqual(['api:bankaccount-http']);
  });

  it('uses vars.type without a plan and website for node websites', () => {
    expect(
      map(
        'plan: false\nvars: {service: handbook, squad: nasa, type: documentation}',
      )[0].spec?.type,
    ).toBe('documentation');
    expect(
      map('plan: false\nvars: {service: x, squad: nasa}')[0].spec?.type,
    ).toBe('other');
    expect(
      map(
        'plan: git://git@github.com:lunarway/lw-shuttle-node-plan.git\nvars: {service: web, squad: apollo, type: website}',
      )[0].spec?.type,
    ).toBe('website');
  });

  describe('spec.type when the plan says nothing', () => {
    const typeOf = (content: string, repo: Partial<RepositoryFacts> = {}) => {
      const [component] = map(content, repo);
      return [
        component.spec?.type,
        component.metadata.annotations?.['lunar.app/shuttle-type-source'],
      ];
    };
    it.each([
      [
        'vars.type',
        'vars: {service: a, squad: b, type: tool}',
        {},
        'tool',
        'vars.type',
      ],
      [
        'vars.pkg without service',
        'vars: {pkg: a, squad: b}',
        {},
        'library',
        'repository',
      ],
      [
        'a database',
        'vars: {service: a, squad: b, db: true}',
        {},
        'service',
        'repository',
      ],
      [
        'an ingress',
        'vars: {service: a, squad: b, ingress: true}',
        {},
        'service',
        'repository',
      ],
      [
        'RabbitMQ',
        'vars: {service: a, squad: b, rabbitmq: {queues: [q]}}',
        {},
        'service',
        'repository',
      ],
      [
        'a Dockerfile',
        'vars: {service: a, squad: b}',
        { hasDockerfile: true },
        'service',
        'repository',
      ],
      [
        'an OpenAPI file',
        'vars: {service: a, squad: b}',
        { apiDefinition: { path: 'openapi.yaml', content: 'openapi: 3.0.0' } },
        'service',
        'repository',
      ],
      ['nothing', 'vars: {service: a, squad: b}', {}, 'other', 'default'],
    ])('%s', (_what, vars, repo, type, source) => {
      expect(typeOf(`plan: false\n${vars}`, repo)).toEqual([type, source]);
      // An unknown plan says nothing either.
      expect(
        typeOf(`plan: https://example.com/acme/acme-plan.git\n${vars}`, repo),
      ).toEqual([type, source]);
    });

    it('uses the configured default type and per-plan lifecycle', () => {
      const custom = readShuttleProcessorConfig(
        new ConfigReader({
          catalog: {
            shuttle: {
              defaultType: 'unknown',
              plans: {
                'lab-plan': { type: 'service', lifecycle: 'experimental' },
              },
            },
          },
        }),
      );
      const [plain] = shuttleToEntities(
        parseShuttleYaml('plan: false\nvars: {service: a, squad: b}'),
        { name: 'a' },
        custom,
      );
      expect(plain.spec).toMatchObject({
        type: 'unknown',
        lifecycle: 'production',
      });
      const [lab] = shuttleToEntities(
        parseShuttleYaml(
          'plan: git://git@github.com:acme/lab-plan.git#main\nvars: {service: a, squad: b}',
        ),
        { name: 'a' },
        custom,
      );
      expect(lab.spec).toMatchObject({
        type: 'service',
        lifecycle: 'experimental',
        dependsOn: ['component:lab-plan'],
      });
      expect(lab.metadata.annotations).toMatchObject({
        'lunar.app/shuttle-plan-name': 'lab-plan',
        'lunar.app/shuttle-plan-ref': 'main',
      });
    });
  });

  it('honours configured owner prefix, lifecycle and plans', () => {
    const custom = readShuttleProcessorConfig(
      new ConfigReader({
        catalog: {
          shuttle: {
            ownerPrefix: 'team-',
            lifecycle: 'experimental',
            plans: { 'my-rust-plan': { type: 'service', tags: ['rust'] } },
          },
        },
      }),
    );
    const [component] = shuttleToEntities(
      parseShuttleYaml(
        'plan: https://example.com/org/my-rust-plan.git\nvars: {service: a, squad: b}',
      ),
      { name: 'a' },
      custom,
    );
    expect(component.spec).toMatchObject({
      owner: 'group:team-b',
      lifecycle: 'experimental',
    });
    expect(component.metadata.tags).toEqual(['rust', 'shuttle']);
  });

  it.each([
    [
      'unknown top-level keys',
      'plan: false\nvars: {service: a, squad: b}\nname: a',
      /unknown top-level key 'name'/,
    ],
    ['a missing plan', 'vars: {service: a, squad: b}', /missing 'plan'/],
    [
      'a plan that is not a reference',
      'plan: 42\nvars: {service: a, squad: b}',
      /'plan' must be/,
    ],
    ['invalid YAML', 'plan: false\nvars: [unclosed', /invalid YAML/],
    [
      'duplicate keys',
      'plan: false\nplan: false\nvars: {service: a, squad: b}',
      /invalid YAML/,
    ],
    [
      'vars that are not a mapping',
      'plan: false\nvars: [a]',
      /'vars' must be a mapping/,
    ],
    [
      'a missing squad',
      'plan: false\nvars: {service: a}',
      /missing 'vars.squad'/,
    ],
    [
      'an invalid service name',
      'plan: false\nvars: {service: "Bad Name!", squad: b}',
      /component name 'Bad Name!' is not a valid entity name/,
    ],
    [
      'an invalid squad',
      'plan: false\nvars: {service: a, squad: "x y"}',
      /owner 'squad-x y'/,
    ],
    ['an empty file', '', /expected a mapping/],
    [
      'a squad that is a number',
      'plan: false\nvars: {service: a, squad: 7}',
      /^vars\.squad must be a string, got number \(quote it: squad: "7"\)$/,
    ],
    [
      'a service that is a number (no fallback to the folder name)',
      'plan: false\nvars: {service: 2048, squad: b}',
      /^vars\.service must be a string, got number/,
    ],
    [
      'a system that is a list',
      'plan: false\nvars: {service: a, squad: b, system: [x]}',
      /^vars\.system must be a string, got a list$/,
    ],
    [
      'a type that is a mapping',
      'plan: false\nvars: {service: a, squad: b, type: {x: 1}}',
      /^vars\.type must be a string, got a mapping$/,
    ],
    [
      'a plan that is a number',
      'plan: 42\nvars: {service: a, squad: b}',
      /'plan' must be a plan reference or false, got number/,
    ],
    [
      'a pkg that is a number next to a service',
      'plan: false\nvars: {service: a, pkg: 7, squad: b}',
      /^vars\.pkg must be a string, got number \(quote it: pkg: "7"\)$/,
    ],
    [
      'a quoted db: "true"',
      'plan: false\nvars: {service: a, squad: b, db: "true"}',
      /^vars\.db must be true or false, got the string 'true' \(write db: true, without quotes\)$/,
    ],
    [
      'db: yes (a string in YAML 1.2)',
      'plan: false\nvars:\n  service: a\n  squad: b\n  db: yes\n',
      /^vars\.db must be true or false, got the string 'yes' \(write db: true, without quotes\)$/,
    ],
    [
      'db: 1',
      'plan: git://git@github.com:lunarway/lw-shuttle-go-plan.git\nvars: {service: a, squad: b, db: 1}',
      /^vars\.db must be true or false, got the number 1$/,
    ],
    [
      'a quoted ingress: "true"',
      'plan: false\nvars: {service: a, squad: b, ingress: "true"}',
      /^vars\.ingress must be true or false, got the string 'true' \(write ingress: true, without quotes\)$/,
    ],
    [
      'a quoted rabbitmq: "false"',
      'plan: false\nvars: {service: a, squad: b, rabbitmq: "false"}',
      /^vars\.rabbitmq must be true, false or a mapping with exchanges and queues, got the string 'false' \(write rabbitmq: false, without quotes\)$/,
    ],
    [
      'rabbitmq as a list',
      'plan: false\nvars: {service: a, squad: b, rabbitmq: [x]}',
      /^vars\.rabbitmq must be true, false or a mapping with exchanges and queues, got a list$/,
    ],
    [
      'exchanges that are one string',
      'plan: false\nvars: {service: a, squad: b, rabbitmq: {exchanges: a}}',
      /^vars\.rabbitmq\.exchanges must be a list of names, got the string 'a' \(write exchanges: \[a\]\)$/,
    ],
    [
      'queues that are a mapping',
      'plan: false\nvars: {service: a, squad: b, rabbitmq: {queues: {q: 1}}}',
      /^vars\.rabbitmq\.queues must be a list of names, got a mapping$/,
    ],
    [
      'a queue that is a number',
      'plan: false\nvars: {service: a, squad: b, rabbitmq: {queues: [q, 7]}}',
      /^vars\.rabbitmq\.queues\[1\] must be a name, got the number 7$/,
    ],
  ])('rejects %s', (_what, content, error) => {
    expect(() => map(content)).toThrow(error);
  });
});

describe('platform vars', () => {
  const needs = (vars: string) => {
    const [component, ...rest] = map(
      `plan: false\nvars: {service: a, squad: b, ${vars}}`,
    );
    return {
      type: component.spec?.type,
      dependsOn: component.spec?.dependsOn ?? [],
      ingress: component.metadata.annotations?.['lunar.app/ingress'],
      resources: rest.map(e => e.metadata.name),
    };
  };

  it('reads false as false', () => {
    expect(needs('db: false, ingress: false, rabbitmq: false')).toEqual({
      type: 'other',
      dependsOn: [],
      ingress: undefined,
      resources: [],
    });
  });

  it('reads rabbitmq: true as the broker alone', () => {
    expect(needs('rabbitmq: true')).toEqual({
      type: 'service',
      dependsOn: ['resource:rabbitmq'],
      ingress: undefined,
      resources: [],
    });
  });

  it('reads an empty var (db:, rabbitmq:) as absent', () => {
    expect(needs('db: null, rabbitmq: null')).toMatchObject({
      type: 'other',
      dependsOn: [],
    });
  });
});

describe('vars.deadLetterAlerts', () => {
  const alerts = (settings: string) =>
    map(
      `plan: false\nvars:\n  service: card-clearing\n  squad: gemini\n  deadLetterAlerts:\n${settings}`,
    )[0].metadata.annotations;

  it("becomes the annotations dead-letter-backend reads over the environment's thresholds", () => {
    expect(
      alerts(
        '    floor: 50\n    multiplier: 2.5\n    mutedUntil: 2026-12-24T08:00:00Z\n',
      ),
    ).toMatchObject({
      'lunar.app/dead-letter-alert-floor': '50',
      'lunar.app/dead-letter-alert-multiplier': '2.5',
      'lunar.app/dead-letter-alert-muted-until': '2026-12-24T08:00:00Z',
    });
    // One setting alone leaves the others to the environment.
    const floorOnly = alerts('    floor: 0\n');
    expect(floorOnly?.['lunar.app/dead-letter-alert-floor']).toBe('0');
    expect(Object.keys(floorOnly ?? {})).not.toContain(
      'lunar.app/dead-letter-alert-multiplier',
    );
  });

  it.each([
    ['    flor: 50\n', /deadLetterAlerts.flor is not a setting/],
    ["    floor: '50'\n", /floor must be a whole number.*the string '50'/],
    ['    floor: 2.5\n', /floor must be a whole number/],
    ['    multiplier: 0.5\n', /multiplier must be a number of at least 1/],
    ['    multiplier: .inf\n', /multiplier must be a number of at least 1/],
    ['    mutedUntil: tomorrow\n', /mutedUntil must be a time/],
  ])('refuses %j with a reason', (settings, error) => {
    expect(() => alerts(settings)).toThrow(error);
  });

  it('refuses a value that is not a mapping', () => {
    expect(() =>
      map('plan: false\nvars: {service: a, squad: b, deadLetterAlerts: 50}'),
    ).toThrow(/deadLetterAlerts must be a mapping/);
  });
});

describe('planToEntity', () => {
  const plan = parsePlanYaml(
    'documentation: https://example.com/plan\nscripts:\n  build: {actions: [{shell: make}]}\n  test: {actions: [{shell: make test}]}\n',
  );

  it('makes a shuttle-plan component named after its repository', () => {
    const entity = planToEntity(
      plan,
      { name: 'lw-shuttle-go-plan', squad: 'nasa' },
      config,
    );
    expect(entity).toMatchObject({
      kind: 'Component',
      metadata: {
        name: 'lw-shuttle-go-plan',
        description: 'Shuttle plan with 2 scripts: build, test',
        links: [{ url: 'https://example.com/plan' }],
      },
      spec: { type: 'shuttle-plan', owner: 'group:squad-nasa' },
    });
  });

  it('takes its own configured lifecycle, like the components using it', () => {
    const custom = readShuttleProcessorConfig(
      new ConfigReader({
        catalog: {
          shuttle: {
            lifecycle: 'production',
            plans: {
              'lab-plan': { type: 'service', lifecycle: 'experimental' },
            },
          },
        },
      }),
    );
    expect(planToEntity(plan, { name: 'lab-plan' }, custom).spec).toEqual({
      type: 'shuttle-plan',
      lifecycle: 'experimental',
      owner: 'group:squad-nasa',
    });
    expect(
      planToEntity(plan, { name: 'lw-shuttle-go-plan' }, custom).spec
        ?.lifecycle,
    ).toBe('production');
  });

  it('is owned by its vars.squad, else the configured platform owner', () => {
    const withVars = parsePlanYaml('vars: {squad: esa}\nscripts: {}\n');
    expect(planToEntity(withVars, { name: 'p' }, config).spec?.owner).toBe(
      'group:squad-esa',
    );
    const custom = readShuttleProcessorConfig(
      new ConfigReader({
        catalog: { shuttle: { planOwner: 'group:platform' } },
      }),
    );
    expect(planToEntity(plan, { name: 'p' }, custom).spec?.owner).toBe(
      'group:platform',
    );
  });
});
