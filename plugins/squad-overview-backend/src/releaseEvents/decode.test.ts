import {
  decodeReleaseEvent,
  releaseManagerEventPayload,
  serviceOfPod,
} from './decode';

const at = new Date('2026-12-01T08:00:00Z');
const known = async (service: string) =>
  service === 'authentication'
    ? {
        entityRef: 'component:default/authentication',
        owner: 'group:default/squad-nasa',
      }
    : undefined;
const message = (routingKey: string, body: unknown, extra = {}) => ({
  routingKey,
  body: Buffer.isBuffer(body)
    ? body
    : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  ...extra,
});

describe('decodeReleaseEvent', () => {
  it("reads release-manager's released event and finds the squad in the catalog", async () => {
    const event = await decodeReleaseEvent(
      message(
        'release-manager.released',
        {
          name: 'authentication',
          namespace: 'prod',
          artifactId: 'master-1c1508405e-67e9d69164',
          authorEmail: 'ada@lunar.app',
          authorName: 'Ada Lovelace',
          squad: 'aura',
          environment: 'prod',
          intentType: 'Promote',
        },
        { type: 'released', correlationId: 'req-1', timestamp: 1_764_576_000 },
      ),
      known,
      at,
    );
    expect(event).toMatchObject({
      kind: 'released',
      // The catalog's owner wins over the event's squad field.
      squad: 'group:default/squad-nasa',
      entityRef: 'component:default/authentication',
      service: 'authentication',
      environment: 'prod',
      actor: 'Ada Lovelace',
      occurredAt: new Date(1_764_576_000_000).toISOString(),
      summary: 'authentication was released to prod by Ada Lovelace (Promote)',
    });
  });

  it('uses the event squad for services the catalog does not know', async () => {
    const event = await decodeReleaseEvent(
      message('release-manager.releaseFailed', {
        podName: 'payments-7d9f8b6c5d-x2x9z',
        namespace: 'dev',
        errors: ['CrashLoopBackOff: exit code 1'],
        environment: 'dev',
        artifactId: 'master-aaaaaaaaaa-bbbbbbbbbb',
        squad: 'gemini',
      }),
      known,
      at,
    );
    expect(event).toMatchObject({
      kind: 'release-failed',
      squad: 'group:default/squad-gemini',
      entityRef: null,
      service: 'payments',
      occurredAt: at.toISOString(),
      summary:
        'Release of payments master-aaaaaaaaaa-bbbbbbbbbb failed in dev: CrashLoopBackOff: exit code 1',
    });
  });

  it('reads releaseSucceeded and newArtifact', async () => {
    const succeeded = await decodeReleaseEvent(
      message('release-manager.releaseSucceeded', {
        name: 'authentication',
        environment: 'staging',
        artifactId: 'master-1',
        availablePods: 2,
        desiredPods: 3,
      }),
      known,
      at,
    );
    expect(succeeded.summary).toBe(
      'authentication master-1 is running in staging (2/3 pods)',
    );
    const artifact = await decodeReleaseEvent(
      message('release-manager.newArtifact', {
        service: 'authentication',
        artifactId: 'master-2',
      }),
      known,
      at,
    );
    expect(artifact).toMatchObject({
      kind: 'new-artifact',
      environment: null,
      summary: 'New artifact master-2 for authentication',
    });
  });

  it('makes anything else an unreadable event with its body, never an error', async () => {
    for (const [routingKey, body, why] of [
      ['release-manager.released', '{not json', /not JSON/],
      ['release-manager.released', '[1,2]', /not a JSON object/],
      [
        'release-manager.somethingNew',
        '{}',
        /unknown event type 'somethingNew'/,
      ],
      [
        'release-manager.released',
        '{"environment":"dev"}',
        /without a service/,
      ],
    ] as const) {
      const event = await decodeReleaseEvent(
        message(routingKey, body),
        known,
        at,
      );
      expect(event.kind).toBe('unreadable');
      expect(event.squad).toBeNull();
      expect(event.summary).toMatch(why);
      expect(event.raw).toBe(body);
    }
  });

  it('gives a redelivery the same key and a different event another', async () => {
    const body = { name: 'authentication', environment: 'dev' };
    const a = await decodeReleaseEvent(
      message('release-manager.released', body, { correlationId: 'r1' }),
      known,
      at,
    );
    const again = await decodeReleaseEvent(
      message('release-manager.released', body, { correlationId: 'r1' }),
      known,
      new Date(),
    );
    const other = await decodeReleaseEvent(
      message('release-manager.released', body, { correlationId: 'r2' }),
      known,
      at,
    );
    expect(again.dedupKey).toBe(a.dedupKey);
    expect(other.dedupKey).not.toBe(a.dedupKey);
  });

  it('never keeps a NUL character, which PostgreSQL text cannot store', async () => {
    const binary = await decodeReleaseEvent(
      message('release-manager.released', Buffer.from([0x7b, 0x00, 0xff])),
      known,
      at,
    );
    expect(binary.kind).toBe('unreadable');
    expect(binary.raw).not.toContain('\u0000');
    const escaped = await decodeReleaseEvent(
      message('release-manager.released', {
        name: 'authentication',
        environment: 'prod',
        authorName: 'Ada\u0000',
      }),
      known,
      at,
    );
    expect(escaped.actor).toBe('Ada\uFFFD');
    expect(escaped.summary).not.toContain('\u0000');
  });

  it('passes on the type and service of readable events only', async () => {
    const failed = await decodeReleaseEvent(
      message(
        'release-manager.releaseFailed',
        {
          podName: 'payments-7d9f8b6c5d-x2x9z',
          environment: 'dev',
          artifactId: 'master-a',
        },
        { type: 'releaseFailed' },
      ),
      known,
      at,
    );
    expect(releaseManagerEventPayload(failed)).toEqual({
      type: 'releaseFailed',
      service: 'payments',
      environment: 'dev',
      artifactId: 'master-a',
    });
    const artifact = await decodeReleaseEvent(
      message('release-manager.newArtifact', { service: 'authentication' }),
      known,
      at,
    );
    expect(releaseManagerEventPayload(artifact)).toEqual({
      type: 'newArtifact',
      service: 'authentication',
      environment: null,
      artifactId: null,
    });
    const poison = await decodeReleaseEvent(
      message('release-manager.released', '{poison'),
      known,
      at,
    );
    expect(releaseManagerEventPayload(poison)).toBeUndefined();
  });

  it('strips the replica set and pod suffix from a pod name', () => {
    expect(serviceOfPod('bank-account-7d9f8b6c5d-x2x9z')).toBe('bank-account');
    expect(serviceOfPod('single')).toBe('single');
  });
});
