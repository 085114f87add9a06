import {
  parseShuttleYaml,
  planName,
} from '@internal/plugin-catalog-backend-module-shuttle';
import request from 'supertest';
import { parse } from 'yaml';
import {
  filesOf,
  loadTemplate,
  startLunarBackend,
  userAuth,
  waitForEntityOrThrow,
} from './__testUtils__/backend';

jest.setTimeout(120_000);

describe('templates (dry-run)', () => {
  let backend: Awaited<ReturnType<typeof startLunarBackend>>;

  beforeAll(async () => {
    backend = await startLunarBackend({});
    await waitForEntityOrThrow(backend.server, 'group:default/squad-nasa');
    await waitForEntityOrThrow(backend.server, 'template:default/go-service');
  });
  afterAll(() => backend?.stop());

  async function dryRun(name: string, values: Record<string, unknown>) {
    const { template, directoryContents } = loadTemplate(name);
    return request(backend.server)
      .post('/api/scaffolder/v2/dry-run')
      .set(userAuth)
      .send({ template, values, directoryContents });
  }

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
