import { parseShuttleYaml, planName } from '@internal/plugin-shuttle-node';
import request from 'supertest';
import { parse } from 'yaml';
import fs from 'node:fs';
import path from 'node:path';
import {
  TEMPLATES,
  TEMPLATE_NAMES,
  filesOf,
  loadTemplate,
  loadTemplateFromDir,
  startLunarBackend,
  userAuth,
  waitForEntityOrThrow,
} from './__testUtils__/backend';

/** YAML as a YAML 1.1 reader (Go's yaml.v2, kubectl) sees it: yes/no/on/off are booleans. */
const parse11 = (text: string) => parse(text, { version: '1.1' });

/**
 * Cheap checks of generated Go without a compiler: no template syntax left,
 * balanced brackets, and every import used (Go refuses unused imports).
 */
function goProblems(source: string): string[] {
  const problems: string[] = [];
  if (/\$\{\{|\{%|%\}/.test(source)) problems.push('template syntax left');
  const code = source
    .replace(/\/\/[^\n]*/g, '')
    .replace(/"(?:[^"\\\n]|\\.)*"/g, '""')
    .replace(/`[^`]*`/g, '``');
  for (const [open, close] of ['()', '{}', '[]']) {
    if (code.split(open).length !== code.split(close).length) {
      problems.push(`unbalanced ${open}`);
    }
  }
  const block = /^import \(\n([\s\S]*?)\n\)/m.exec(source);
  const specs = block
    ? block[1]
        .split('\n')
        .map(l => l.trim())
        .filter(Boolean)
    : [...source.matchAll(/^import ("[^"]+")/gm)].map(m => m[1]);
  const body = block ? source.slice(block.index + block[0].length) : source;
  for (const spec of specs) {
    const m = /^(?:(\w+)\s+)?"([^"]+)"$/.exec(spec);
    if (!m) {
      problems.push(`odd import ${spec}`);
      continue;
    }
    const name = m[1] ?? m[2].split('/').pop()!;
    if (!new RegExp(`\\b${name}\\.`).test(body)) {
      problems.push(`unused import ${m[2]}`);
    }
  }
  return problems;
}

/** The step ids of a dry run, by status. */
function stepStatus(body: any): Record<string, string> {
  return Object.fromEntries(
    body.log
      .map((l: any) => l.body)
      .filter((b: any) => b.status === 'completed' || b.status === 'skipped')
      .map((b: any) => [b.stepId, b.status]),
  );
}

jest.setTimeout(120_000);

describe('templates (dry-run)', () => {
  let backend: Awaited<ReturnType<typeof startLunarBackend>>;

  beforeAll(async () => {
    backend = await startLunarBackend({});
    await waitForEntityOrThrow(backend.server, 'group:default/squad-nasa');
    await waitForEntityOrThrow(backend.server, 'template:default/go-service');
  });
  afterAll(() => backend?.stop());

  async function dryRun(
    name: string,
    values: Record<string, unknown>,
    change?: (template: any) => void,
  ) {
    const { template, directoryContents } = loadTemplate(name);
    change?.(template);
    return request(backend.server)
      .post('/api/scaffolder/v2/dry-run')
      .set(userAuth)
      .send({ template, values, directoryContents });
  }
  /** The template's fetch:template step, to set values the form cannot. */
  const fetchStep = (template: any) =>
    template.spec.steps.find((s: any) => s.id === 'fetch');

  describe('go-service', () => {
    const base = {
      name: 'payment-events',
      description: 'Publishes payment events: "quoted" text',
      owner: 'group:default/squad-nasa',
    };

    it('without features has no db, ingress or rabbitmq and no consumer', async () => {
      const res = await dryRun('go-service', base);
      expect(res.status).toBe(200);
      const files = filesOf(res.body);
      const shuttle = parseShuttleYaml(files['shuttle.yaml']);
      expect(planName(shuttle.plan)).toBe('lw-shuttle-go-plan');
      expect(shuttle.vars).toMatchObject({
        service: 'payment-events',
        squad: 'nasa',
        description: 'Publishes payment events: "quoted" text',
      });
      expect(shuttle.vars).not.toHaveProperty('db');
      expect(shuttle.vars).not.toHaveProperty('ingress');
      expect(shuttle.vars).not.toHaveProperty('rabbitmq');
      expect(shuttle.vars).not.toHaveProperty('namespace');
      expect(Object.keys(files)).toEqual(
        expect.arrayContaining([
          'README.md',
          'mkdocs.yml',
          'docs/index.md',
          '.github/workflows/ci.yaml',
          'Dockerfile',
          'go.mod',
          'api/openapi.yaml',
          'release-policies.yaml',
          'cmd/payment-events/main.go',
        ]),
      );
      expect(files['cmd/payment-events/consumer.go']).toBeUndefined();
      expect(files['cmd/payment-events/main.go']).toContain('/health');
      expect(files['cmd/payment-events/main.go']).toContain('syscall.SIGTERM');
      expect(files['cmd/payment-events/main.go']).not.toContain(
        'startConsumer',
      );
      expect(parse(files['mkdocs.yml'])).toMatchObject({
        site_name: 'payment-events',
        theme: { name: 'material', font: false },
      });
      expect(parse(files['api/openapi.yaml']).info.title).toBe(
        'payment-events',
      );
      expect(parse(files['release-policies.yaml'])).toEqual({
        service: 'payment-events',
        namespace: '',
        // The form defaults to [dev]; the API applies no defaults.
        autoRelease: [],
      });
      // No local folder configured: the production steps run (skipped in a dry run).
      const steps = res.body.log
        .map((l: any) => l.body)
        .filter((b: any) => b.status === 'skipped')
        .map((b: any) => b.stepId);
      expect(steps).toEqual(
        expect.arrayContaining([
          'publish-local',
          'register-local',
          'publish',
          'register',
        ]),
      );
      // shuttle.yaml is checked before publishing, in production too.
      expect(stepStatus(res.body)['check-shuttle']).toBe('completed');
      // Release status: asks nothing in a dry run, but runs.
      expect(stepStatus(res.body)['release-status']).toBe('completed');
      expect(goProblems(files['cmd/payment-events/main.go'])).toEqual([]);
      // No broker: no consumer to watch, but the drain delay still applies.
      expect(files['cmd/payment-events/main.go']).not.toContain('consumer');
      expect(files['cmd/payment-events/main.go']).toContain(
        'SHUTDOWN_DRAIN_DELAY',
      );
    });

    it('builds without a generated go.sum: Dockerfile and README run go mod tidy first', async () => {
      const res = await dryRun('go-service', { ...base, rabbitmq: true });
      expect(res.status).toBe(200);
      const files = filesOf(res.body);
      expect(files['go.sum']).toBeUndefined();
      expect(files['go.mod']).toContain(
        'require github.com/rabbitmq/amqp091-go',
      );
      const docker = files.Dockerfile.split('\n');
      const copyAll = docker.indexOf('COPY . .');
      const build = docker.findIndex(l => l.startsWith('RUN '));
      expect(copyAll).toBeGreaterThan(-1);
      expect(docker[build]).toBe(
        'RUN go mod tidy && CGO_ENABLED=0 go build -o /out/payment-events ./cmd/payment-events',
      );
      expect(build).toBeGreaterThan(copyAll);
      // Nothing is built from go.mod alone (that would need go.sum).
      expect(files.Dockerfile).not.toContain('COPY go.mod');
      expect(files.Dockerfile).not.toContain('go mod download');
      const commands = /```sh\n([\s\S]*?)```/
        .exec(files['README.md'])![1]
        .split('\n')
        .filter(Boolean);
      expect(commands[0]).toMatch(/^go mod tidy\b/);
      expect(commands.findIndex(c => c.startsWith('go run'))).toBeGreaterThan(
        0,
      );
      // CI does the same.
      const ci = files['.github/workflows/ci.yaml'];
      expect(ci.indexOf('go mod tidy')).toBeLessThan(ci.indexOf('go vet'));
    });

    it('the consumer watches the connection and main exits non-zero when it drops', async () => {
      const res = await dryRun('go-service', { ...base, rabbitmq: true });
      expect(res.status).toBe(200);
      const files = filesOf(res.body);
      const consumer = files['cmd/payment-events/consumer.go'];
      const main = files['cmd/payment-events/main.go'];
      expect(goProblems(consumer)).toEqual([]);
      expect(goProblems(main)).toEqual([]);
      // The close notification is registered before consuming starts.
      expect(consumer).toContain(
        'connClosed := conn.NotifyClose(make(chan *amqp.Error, 1))',
      );
      expect(consumer.indexOf('conn.NotifyClose')).toBeLessThan(
        consumer.indexOf('ch.ConsumeWithContext'),
      );
      expect(consumer).toContain('c.err = closeReason(connClosed, chClosed)');
      expect(consumer).toContain('func (c *consumer) Done() <-chan struct{}');
      // main: a dropped consumer ends the run with its error (exit 1) ...
      expect(main).toContain('case <-consumer.Done():');
      expect(main).toContain('runErr = consumer.Err()');
      expect(main).toContain('return runErr');
      expect(main).toContain('os.Exit(1)');
      // ... after: not ready, consumer closed, drain delay, HTTP shutdown.
      const order = [
        'ready.Store(false)',
        'consumer.Close()',
        'time.Sleep(drainDelay(logger))',
        'server.Shutdown(shutdownCtx)',
        'return runErr',
      ].map(s => main.indexOf(s));
      expect(order.every(i => i > 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(main).toContain('os.Getenv("SHUTDOWN_DRAIN_DELAY")');
      expect(main).toContain('const fallback = 5 * time.Second');
      expect(files['docs/operations.md']).toContain('SHUTDOWN_DRAIN_DELAY');
      expect(files['docs/operations.md']).toContain('exits with status 1');
    });

    it('with db, ingress and rabbitmq sets the vars and adds the consumer', async () => {
      const res = await dryRun('go-service', {
        ...base,
        namespace: 'payments',
        autoRelease: ['dev', 'staging', 'prod'],
        db: true,
        ingress: true,
        rabbitmq: true,
      });
      expect(res.status).toBe(200);
      const files = filesOf(res.body);
      const shuttle = parseShuttleYaml(files['shuttle.yaml']);
      expect(shuttle.vars).toMatchObject({
        service: 'payment-events',
        squad: 'nasa',
        namespace: 'payments',
        db: true,
        ingress: true,
        rabbitmq: { exchanges: ['payment-events'], queues: ['payment-events'] },
      });
      expect(files['cmd/payment-events/consumer.go']).toContain('package main');
      expect(files['cmd/payment-events/main.go']).toContain('startConsumer');
      expect(files['go.mod']).toContain('amqp091-go');
      expect(parse(files['release-policies.yaml']).autoRelease).toEqual([
        { branch: 'master', environment: 'dev' },
        { branch: 'master', environment: 'staging' },
        { branch: 'master', environment: 'prod' },
      ]);
    });

    it.each([
      ['Payment_Events', 'pattern'],
      ['-leading', 'pattern'],
      ['1payments', 'pattern'],
      ['9', 'pattern'],
      ['a'.repeat(64), 'maxLength'],
    ])('rejects the name %s (%s)', async (name, rule) => {
      const res = await dryRun('go-service', { ...base, name });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain(rule);
    });

    it('rejects an owner that is not a squad', async () => {
      const res = await dryRun('go-service', {
        ...base,
        owner: 'group:default/lunar',
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('is not a squad');
    });
  });

  const owner = 'group:default/squad-gemini';

  it("computes a released component's release status last, after either register step; libraries and docs are never released", () => {
    const lastSteps = Object.fromEntries(
      TEMPLATE_NAMES.map(name => {
        const steps = loadTemplate(name).template.spec.steps;
        return [name, steps.slice(-3).map((s: any) => s.id)];
      }),
    );
    expect(lastSteps).toEqual({
      'go-service': ['publish', 'register', 'release-status'],
      'infrastructure-service': ['publish', 'register', 'release-status'],
      'go-library': ['register-local', 'publish', 'register'],
      'documentation-site': ['register-local', 'publish', 'register'],
    });
    const step = loadTemplate('go-service').template.spec.steps.at(-1);
    expect(step).toMatchObject({
      action: 'lunar:release-status:refresh',
      input: { entityRef: 'component:default/${{ parameters.name }}' },
    });
    expect(step.if).toBeUndefined();
  });

  describe.each(TEMPLATE_NAMES)('%s', name => {
    it('checks shuttle.yaml after generating it and before either publish step', () => {
      const ids = loadTemplate(name).template.spec.steps.map((s: any) => s.id);
      const check = ids.indexOf('check-shuttle');
      expect(check).toBeGreaterThan(ids.indexOf('fetch'));
      for (const publish of ['publish-local', 'publish']) {
        expect(ids.indexOf(publish)).toBeGreaterThan(check);
      }
    });

    it('the name must start with a letter, in the form and in the backend', async () => {
      const { template } = loadTemplate(name);
      const param = template.spec.parameters[0].properties.name;
      expect(param.pattern).toBe('^[a-z]([-a-z0-9]*[a-z0-9])?$');
      expect(param.maxLength).toBe(63);
      expect(param['ui:help']).toContain('must start with a letter');
      const res = await dryRun(name, {
        name: '1st-try',
        description: 'A description',
        owner,
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain('pattern');
    });

    it('refuses a description with a line break', async () => {
      const param =
        loadTemplate(name).template.spec.parameters[0].properties.description;
      expect(param.pattern).toBe('^[^\\r\\n]*$');
      expect(param['ui:help']).toContain('no line breaks');
      for (const description of ['Two\nlines', 'Carriage\rreturn']) {
        const res = await dryRun(name, {
          name: 'two-lines',
          description,
          owner,
        });
        expect(res.status).toBe(400);
        expect(JSON.stringify(res.body)).toContain('pattern');
      }
    });

    it('removes only what publish-local made when registration fails', () => {
      const step = loadTemplate(name).template.spec.steps.find(
        (s: any) => s.id === 'register-local',
      );
      expect(step.input.cleanupPaths).toBe(
        "${{ steps['publish-local'].output.createdPaths }}",
      );
    });
  });

  it('Go comments stay one line even when a description with line breaks gets through', async () => {
    const dropPattern = (template: any) => {
      delete template.spec.parameters[0].properties.description.pattern;
    };
    const description = 'First line\r\nsecond line\nthird';
    const service = await dryRun(
      'go-service',
      { name: 'payment-events', description, owner },
      dropPattern,
    );
    expect(service.status).toBe(200);
    const main = filesOf(service.body)['cmd/payment-events/main.go'];
    expect(main.split('\n').slice(0, 2)).toEqual([
      '// Command payment-events: First line  second line third',
      'package main',
    ]);
    const lib = await dryRun(
      'go-library',
      { name: 'go-retry', description, owner },
      dropPattern,
    );
    expect(lib.status).toBe(200);
    const libFiles = filesOf(lib.body);
    expect(libFiles['go-retry.go'].split('\n').slice(0, 2)).toEqual([
      '// Package goretry: First line  second line third',
      'package goretry',
    ]);
    expect(goProblems(libFiles['go-retry.go'])).toEqual([]);
    // YAML keeps the text, escaped.
    expect(parseShuttleYaml(libFiles['shuttle.yaml']).vars.description).toBe(
      description,
    );
  });

  it('go-library refuses a Go keyword as package name', async () => {
    for (const name of ['type', 'select', 'g-o']) {
      const res = await dryRun('go-library', {
        name,
        description: 'A keyword',
        owner,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('which is a Go keyword');
    }
  });

  describe('names and squads YAML would read as booleans or null stay strings', () => {
    it('go-service "null", namespace "yes", squad "off"', async () => {
      const res = await dryRun(
        'go-service',
        {
          name: 'null',
          description: 'Null service',
          owner,
          namespace: 'yes',
          autoRelease: ['dev'],
          rabbitmq: true,
        },
        t => {
          fetchStep(t).input.values.squad = 'off';
        },
      );
      expect(res.status).toBe(200);
      // The template's own check (the shuttle processor's parser) passed.
      expect(stepStatus(res.body)['check-shuttle']).toBe('completed');
      const files = filesOf(res.body);
      for (const read of [parse, parse11]) {
        expect(read(files['release-policies.yaml'])).toEqual({
          service: 'null',
          namespace: 'yes',
          autoRelease: [{ branch: 'master', environment: 'dev' }],
        });
        const vars = read(files['shuttle.yaml']).vars;
        expect(vars).toMatchObject({
          service: 'null',
          squad: 'off',
          namespace: 'yes',
          rabbitmq: { exchanges: ['null'], queues: ['null'] },
        });
        expect(read(files['mkdocs.yml']).site_name).toBe('null');
        expect(read(files['api/openapi.yaml']).info.title).toBe('null');
      }
      const shuttle = parseShuttleYaml(files['shuttle.yaml']);
      expect(shuttle.vars).toMatchObject({ service: 'null', squad: 'off' });
      expect(files['cmd/null/main.go']).toContain('package main');
    });

    it('infrastructure-service "true", namespace "no", squad "on"', async () => {
      const res = await dryRun(
        'infrastructure-service',
        {
          name: 'true',
          description: 'True infrastructure',
          owner,
          namespace: 'no',
          autoRelease: ['prod'],
        },
        t => {
          fetchStep(t).input.values.squad = 'on';
        },
      );
      expect(res.status).toBe(200);
      expect(stepStatus(res.body)['check-shuttle']).toBe('completed');
      const files = filesOf(res.body);
      for (const read of [parse, parse11]) {
        expect(read(files['release-policies.yaml'])).toEqual({
          service: 'true',
          namespace: 'no',
          autoRelease: [{ branch: 'master', environment: 'prod' }],
        });
        expect(read(files['shuttle.yaml']).vars).toMatchObject({
          service: 'true',
          squad: 'on',
          namespace: 'no',
        });
        expect(read(files['manifests/base/configmap.yaml'])).toEqual({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'true' },
          data: { owner },
        });
        expect(
          read(files['manifests/base/kustomization.yaml']).labels[0].pairs,
        ).toEqual({
          'app.kubernetes.io/name': 'true',
          'lunar.app/squad': 'on',
        });
        for (const env of ['dev', 'staging', 'prod']) {
          expect(
            read(files[`manifests/overlays/${env}/kustomization.yaml`])
              .namespace,
          ).toBe('no');
        }
        expect(read(files['mkdocs.yml']).site_name).toBe('true');
      }
      expect(parseShuttleYaml(files['shuttle.yaml']).vars).toMatchObject({
        service: 'true',
        squad: 'on',
      });
    });

    it('go-library "yes" and documentation-site "false"', async () => {
      const lib = await dryRun(
        'go-library',
        { name: 'yes', description: 'Yes library', owner },
        t => {
          fetchStep(t).input.values.squad = 'no';
        },
      );
      expect(lib.status).toBe(200);
      const libFiles = filesOf(lib.body);
      expect(parse11(libFiles['shuttle.yaml']).vars).toMatchObject({
        pkg: 'yes',
        squad: 'no',
      });
      expect(parse11(libFiles['mkdocs.yml']).site_name).toBe('yes');
      expect(parseShuttleYaml(libFiles['shuttle.yaml']).vars.pkg).toBe('yes');

      const docs = await dryRun('documentation-site', {
        name: 'false',
        description: 'False docs',
        owner,
      });
      expect(docs.status).toBe(200);
      const docFiles = filesOf(docs.body);
      for (const read of [parse, parse11]) {
        expect(read(docFiles['shuttle.yaml']).vars.service).toBe('false');
        expect(read(docFiles['mkdocs.yml']).site_name).toBe('false');
      }
    });

    it('every value written from a name, squad, owner or namespace in skeleton YAML is quoted', () => {
      const unquoted: string[] = [];
      for (const name of TEMPLATE_NAMES) {
        const skeleton = path.join(TEMPLATES, name, 'skeleton');
        const walk = (rel: string) => {
          for (const e of fs.readdirSync(path.join(skeleton, rel), {
            withFileTypes: true,
          })) {
            const r = rel ? `${rel}/${e.name}` : e.name;
            if (e.isDirectory()) walk(r);
            else if (/\.ya?ml$/.test(r)) {
              const lines = fs
                .readFileSync(path.join(skeleton, r), 'utf8')
                .split('\n');
              lines.forEach((line, i) => {
                // A value that is nothing but one expression must be dumped.
                const m =
                  /^\s*(?:- )?[\w./-]+:\s*\[?\$\{\{([^}]*)\}\}\]?\s*$/.exec(
                    line,
                  );
                if (m && !/\|\s*dump\s*$/.test(m[1].trim())) {
                  unquoted.push(`${name}/${r}:${i + 1}: ${line.trim()}`);
                }
              });
            }
          }
        };
        walk('');
      }
      expect(unquoted).toEqual([]);
    });
  });

  it('go-library: lib plan, pkg var, docs, no OpenAPI', async () => {
    const res = await dryRun('go-library', {
      name: 'go-retry',
      description: 'Retries with backoff',
      owner,
    });
    expect(res.status).toBe(200);
    const files = filesOf(res.body);
    const shuttle = parseShuttleYaml(files['shuttle.yaml']);
    expect(planName(shuttle.plan)).toBe('lw-shuttle-go-lib-plan');
    expect(shuttle.vars).toMatchObject({ pkg: 'go-retry', squad: 'gemini' });
    expect(shuttle.vars).not.toHaveProperty('service');
    expect(files['go-retry.go']).toContain('package goretry');
    expect(files['go-retry_test.go']).toContain('package goretry');
    expect(parse(files['mkdocs.yml']).site_name).toBe('go-retry');
    expect(files['docs/index.md']).toContain('Retries with backoff');
    expect(files['.github/workflows/ci.yaml']).toContain('go test');
    expect(files['api/openapi.yaml']).toBeUndefined();
  });

  it('infrastructure-service: infrastructure plan, manifests, release policies', async () => {
    const res = await dryRun('infrastructure-service', {
      name: 'kafka-cluster',
      description: 'Kafka for the data platform',
      owner,
      namespace: 'data',
      autoRelease: ['dev', 'staging'],
    });
    expect(res.status).toBe(200);
    const files = filesOf(res.body);
    const shuttle = parseShuttleYaml(files['shuttle.yaml']);
    expect(planName(shuttle.plan)).toBe('lw-shuttle-infrastructure-plan');
    expect(shuttle.vars).toMatchObject({
      service: 'kafka-cluster',
      squad: 'gemini',
      namespace: 'data',
    });
    expect(
      parse(files['manifests/overlays/prod/kustomization.yaml']).namespace,
    ).toBe('data');
    expect(parse(files['release-policies.yaml']).autoRelease).toEqual([
      { branch: 'master', environment: 'dev' },
      { branch: 'master', environment: 'staging' },
    ]);
    // GitHub Actions expressions survive templating.
    expect(files['.github/workflows/ci.yaml']).toContain('${{ matrix.env }}');
    expect(files['mkdocs.yml']).toBeDefined();
    expect(files['api/openapi.yaml']).toBeUndefined();
  });

  it('infrastructure-service without namespace uses each environment', async () => {
    const res = await dryRun('infrastructure-service', {
      name: 'kafka-cluster',
      description: 'Kafka',
      owner,
    });
    expect(res.status).toBe(200);
    const files = filesOf(res.body);
    expect(parseShuttleYaml(files['shuttle.yaml']).vars).not.toHaveProperty(
      'namespace',
    );
    expect(
      parse(files['manifests/overlays/staging/kustomization.yaml']).namespace,
    ).toBe('staging');
  });

  it('documentation-site: docs plan, TechDocs only', async () => {
    const res = await dryRun('documentation-site', {
      name: 'payments-handbook',
      description: 'How payments work',
      owner,
    });
    expect(res.status).toBe(200);
    const files = filesOf(res.body);
    const shuttle = parseShuttleYaml(files['shuttle.yaml']);
    expect(planName(shuttle.plan)).toBe('lw-shuttle-docs-plan');
    expect(shuttle.vars).toMatchObject({
      service: 'payments-handbook',
      squad: 'gemini',
      type: 'documentation',
    });
    expect(parse(files['mkdocs.yml'])).toMatchObject({
      site_name: 'payments-handbook',
      nav: [{ Welcome: 'index.md' }],
      theme: { name: 'material', font: false },
    });
    expect(files['docs/index.md']).toContain('How payments work');
    expect(files['api/openapi.yaml']).toBeUndefined();
  });

  it('a broken shuttle.yaml fails the check step before anything is published', async () => {
    // The fixture's shuttle.yaml has a key shuttle rejects; with the check
    // step the templates have, the run stops there.
    const dir = path.join(__dirname, '__fixtures__/broken-template');
    const fixture = loadTemplateFromDir(dir);
    const steps = fixture.template.spec.steps;
    steps.splice(
      steps.findIndex((s: any) => s.id === 'publish-local'),
      0,
      {
        id: 'check-shuttle',
        action: 'lunar:shuttle:validate',
        input: { name: '${{ parameters.name }}' },
      },
    );
    const res = await request(backend.server)
      .post('/api/scaffolder/v2/dry-run')
      .set(userAuth)
      .send({
        ...fixture,
        values: { name: 'broken-svc', owner },
      });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      "shuttle.yaml would be rejected by the catalog: unknown top-level key 'owner'; shuttle allows only plan, vars and scripts; nothing was published",
    );
  });

  it('rejects a name that is already a component in the catalog', async () => {
    // template:default/go-service is in the catalog; names are checked per kind.
    const { template, directoryContents } = loadTemplate('documentation-site');
    template.spec.steps[0].input.kind = 'Template';
    const res = await request(backend.server)
      .post('/api/scaffolder/v2/dry-run')
      .set(userAuth)
      .send({
        template,
        values: { name: 'go-service', description: 'Taken', owner },
        directoryContents,
      });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'Template "go-service" already exists in the catalog (owner group:default/squad-nasa); choose another name',
    );
  });
});
