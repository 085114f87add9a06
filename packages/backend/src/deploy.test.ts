import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * The Kubernetes manifests (deploy/): every overlay renders offline with
 * kustomize and every object is valid against the Kubernetes API schemas
 * (kubernetes-models); the portal's own rules hold (probes, resource
 * limits, non-root, read-only root file system, a PDB and an HPA for the
 * Deployment, config identical to the repository's, every config variable
 * provided and documented).
 */
const root = path.resolve(__dirname, '../../..');
const overlays = fs.readdirSync(path.join(root, 'deploy/overlays'));
type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [key: string]: any;
};

function hasKubectl() {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const kubectl = hasKubectl();
if (!kubectl) {
  if (process.env.CI) {
    throw new Error('kubectl is required in CI to render deploy/ (kustomize)');
  }
  // eslint-disable-next-line no-console
  console.warn('kubectl is missing: the deploy/ tests are SKIPPED');
}

function render(overlay: string): K8sObject[] {
  const out = execFileSync(
    'kubectl',
    ['kustomize', path.join(root, 'deploy/overlays', overlay)],
    { encoding: 'utf8' },
  );
  return parseAllDocuments(out).map(d => d.toJSON());
}

/**
 * Validates objects against the Kubernetes API schemas with
 * kubernetes-models (an ES module package, so in a Node child process):
 * one message per invalid object.
 */
function schemaProblems(objects: K8sObject[]): string[] {
  const script = `
    const objects = JSON.parse(await new Response(process.stdin).text());
    const problems = [];
    for (const obj of objects) {
      const [group, version] = obj.apiVersion.includes('/')
        ? obj.apiVersion.split('/') : ['', obj.apiVersion];
      const name = obj.kind + '/' + obj.metadata?.name;
      try {
        const mod = await import(
          group ? 'kubernetes-models/' + group + '/' + version
                : 'kubernetes-models/' + version);
        if (!mod[obj.kind]) throw new Error('unknown kind');
        new mod[obj.kind](obj).validate();
      } catch (e) {
        problems.push(name + ': ' + e.message);
      }
    }
    process.stdout.write(JSON.stringify(problems));`;
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', script],
    { cwd: __dirname, input: JSON.stringify(objects), encoding: 'utf8' },
  );
  return JSON.parse(out);
}

/** Problems with the rendered objects; empty when all is well. */
function checkManifests(objects: K8sObject[]): string[] {
  const problems = schemaProblems(objects);
  const deployments = objects.filter(o => o.kind === 'Deployment');
  if (deployments.length !== 1) problems.push('expected one Deployment');
  for (const d of deployments) {
    const pod = d.spec.template.spec;
    const podLabels = d.spec.template.metadata.labels ?? {};
    const matches = (selector: Record<string, string> = {}) =>
      Object.keys(selector).length > 0 &&
      Object.entries(selector).every(([k, v]) => podLabels[k] === v);
    if ((d.spec.replicas ?? 1) < 2) problems.push('fewer than 2 replicas');
    if (d.spec.strategy?.rollingUpdate?.maxUnavailable !== 0) {
      problems.push('a rolling update may take a replica away');
    }
    for (const c of pod.containers) {
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        if (!c[probe]) problems.push(`container ${c.name}: no ${probe}`);
      }
      for (const kind of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) {
          if (!c.resources?.[kind]?.[resource]) {
            problems.push(`container ${c.name}: no ${resource} ${kind}`);
          }
        }
      }
      const runAsNonRoot =
        c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
      const user =
        c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
      if (runAsNonRoot !== true || user === 0) {
        problems.push(`container ${c.name}: may run as root`);
      }
      if (c.securityContext?.readOnlyRootFilesystem !== true) {
        problems.push(`container ${c.name}: writable root file system`);
      }
      if (c.securityContext?.allowPrivilegeEscalation !== false) {
        problems.push(`container ${c.name}: privilege escalation allowed`);
      }
    }
    const pdb = objects.find(o => o.kind === 'PodDisruptionBudget');
    if (!pdb || !matches(pdb.spec.selector?.matchLabels)) {
      problems.push('no PodDisruptionBudget selecting the pods');
    }
    const hpa = objects.find(o => o.kind === 'HorizontalPodAutoscaler');
    if (
      !hpa ||
      hpa.spec.scaleTargetRef.name !== d.metadata.name ||
      hpa.spec.minReplicas < 2
    ) {
      problems.push('no HorizontalPodAutoscaler for the Deployment (min 2)');
    }
    const service = objects.find(o => o.kind === 'Service');
    if (!service || !matches(service.spec.selector)) {
      problems.push('no Service selecting the pods');
    }
    const policy = objects.find(o => o.kind === 'NetworkPolicy');
    if (
      !policy ||
      !matches(policy.spec.podSelector?.matchLabels) ||
      !['Ingress', 'Egress'].every(t => policy.spec.policyTypes?.includes(t))
    ) {
      problems.push('no NetworkPolicy limiting ingress and egress of the pods');
    }
  }
  return problems;
}

const describeRendered = kubectl ? describe : describe.skip;

describeRendered.each(overlays)('deploy/overlays/%s', overlay => {
  const objects = render(overlay);

  it('renders valid objects that keep the portal’s rules', () => {
    expect(objects.map(o => o.kind).sort()).toEqual(
      [
        'ConfigMap',
        'ConfigMap',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Ingress',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'Service',
        'ServiceAccount',
      ].sort(),
    );
    expect(checkManifests(objects)).toEqual([]);
  });

  it('mounts the repository’s production config and provides every variable it uses', () => {
    const config = objects.find(
      o => o.kind === 'ConfigMap' && o.data?.['app-config.production.yaml'],
    )!;
    expect(config.data['app-config.production.yaml']).toBe(
      fs.readFileSync(path.join(root, 'app-config.production.yaml'), 'utf8'),
    );
    const settings = objects.find(o => o.kind === 'ConfigMap' && o !== config)!;
    const deployment = objects.find(o => o.kind === 'Deployment')!;
    const container = deployment.spec.template.spec.containers[0];
    expect(container.envFrom).toEqual([
      { secretRef: { name: 'lunar-portal' } },
      { configMapRef: { name: settings.metadata.name } },
    ]);
    const mounted = deployment.spec.template.spec.volumes.find(
      (v: any) => v.configMap,
    );
    expect(mounted.configMap.name).toBe(config.metadata.name);
    const configFiles = container.command.filter((a: string) =>
      a.startsWith('/config/'),
    );
    expect(configFiles).toEqual([
      '/config/app-config.production.yaml',
      '/config/app-config.kubernetes.yaml',
    ]);

    // Every ${VARIABLE} of the mounted files (outside comments) is a
    // setting of the ConfigMap or a key of the Secret documented in
    // docs/operations.md.
    const operations = fs.readFileSync(
      path.join(root, 'docs/operations.md'),
      'utf8',
    );
    const variables = new Set<string>();
    for (const file of Object.values<string>(config.data)) {
      for (const line of file.split('\n')) {
        const code = line.replace(/^\s*#.*$/, '');
        for (const m of code.matchAll(/\$\{(\w+)\}/g)) variables.add(m[1]);
      }
    }
    expect(variables.size).toBeGreaterThan(5);
    const undocumented = [...variables].filter(
      v => !(v in settings.data) && !operations.includes(`\`${v}\``),
    );
    expect(undocumented).toEqual([]);
  });
});

describeRendered('the manifest checks', () => {
  it('catch an invalid field, a missing probe or limit, and a root container', () => {
    const objects = render(overlays[0]);
    const broken = JSON.parse(JSON.stringify(objects)) as K8sObject[];
    const deployment = broken.find(o => o.kind === 'Deployment')!;
    const container = deployment.spec.template.spec.containers[0];
    delete container.readinessProbe;
    delete container.resources.limits.memory;
    container.securityContext.runAsUser = 0;
    container.ports[0].containerPort = 'http-port';
    expect(checkManifests(broken)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Deployment\/lunar-portal: /),
        'container portal: no readinessProbe',
        'container portal: no memory limits',
        'container portal: may run as root',
      ]),
    );
  });
});
