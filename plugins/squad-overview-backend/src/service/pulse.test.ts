import { PulseEvent } from '@internal/plugin-squad-overview-common';
import { ReleaseOverview } from '@internal/plugin-release-status-common';
import { buildPulse } from './pulse';

const event = (over: Partial<PulseEvent>): PulseEvent => ({
  id: '1',
  kind: 'service-added',
  occurredAt: '2026-12-01T08:00:00.000Z',
  squad: 'group:default/squad-nasa',
  entityRef: 'component:default/payments',
  service: 'payments',
  environment: null,
  actor: null,
  artifactId: null,
  summary: 'payments was added to the catalog',
  ...over,
});

const releases = {
  environments: ['dev', 'prod'],
  items: [
    {
      entityRef: 'component:default/authentication',
      service: 'authentication',
      environments: [
        {
          environment: 'prod',
          artifactId: 'master-1c1508405e-67e9d69164',
          sha: '1c1508405e',
          releasedAt: '2026-12-01T07:00:00.000Z',
          releasedBy: 'Ada',
          intent: { type: 'Promote', fromEnvironment: 'dev' },
        },
        // Known only from git: no release time, so not in the pulse.
        { environment: 'dev', sha: 'abc', releasedAt: null },
      ],
    },
  ],
} as unknown as ReleaseOverview;

const hour = (h: number) => `2026-11-30T${String(h).padStart(2, '0')}`;

describe('buildPulse', () => {
  it('merges stored events, releases and dead-letter bursts newest first', () => {
    const pulse = buildPulse({
      events: [
        event({}),
        // The same release as release-manager reports: shown once.
        event({
          id: '2',
          kind: 'released',
          service: 'authentication',
          environment: 'prod',
          // Consumed late (a backlog): the artifact id says it is the same.
          occurredAt: '2026-12-01T09:30:00.000Z',
          artifactId: 'master-1c1508405e-67e9d69164',
          summary: 'authentication was released to prod by Ada (Promote)',
        }),
      ],
      releases,
      deadLetters: [
        {
          environment: 'dev',
          histogram: {
            from: `${hour(0)}:00:00Z`,
            hours: 168,
            buckets: [
              // The first hour: nothing before it to call it a burst.
              { hour: hour(0), key: 'dead-letter', count: 50 },
              { hour: hour(9), key: 'card-clearing', count: 4 },
              // A burst: 40 >= 10 and >= 3 x 4.
              { hour: hour(10), key: 'card-clearing', count: 40 },
              // Not a burst: 50 < 3 x 40.
              { hour: hour(11), key: 'card-clearing', count: 50 },
              // Too few to be a burst.
              { hour: hour(12), key: 'dead-letter', count: 9 },
            ],
          },
        },
      ],
      refOfService: s => `component:default/${s}`,
      limit: 10,
    });
    expect(
      pulse.map(e => [e.kind, e.summary, e.entityRef, e.tab, e.environment]),
    ).toEqual([
      [
        'service-added',
        'payments was added to the catalog',
        'component:default/payments',
        '',
        null,
      ],
      [
        'released',
        'authentication master-1c1508405e-67e9d69164 was released to prod by Ada (Promote)',
        'component:default/authentication',
        '/releases',
        'prod',
      ],
      [
        'dead-letter-burst',
        '40 messages of card-clearing were dead-lettered in dev within an hour',
        'component:default/card-clearing',
        '/dead-letter',
        'dev',
      ],
    ]);
    expect(pulse[2].at).toBe('2026-11-30T10:00:00.000Z');
  });

  it('keeps an AMQP release event release-manager does not report, and the limit', () => {
    const pulse = buildPulse({
      events: [
        event({
          id: '3',
          kind: 'released',
          service: 'authentication',
          environment: 'prod',
          occurredAt: '2026-11-20T07:00:00.000Z',
          summary: 'an older release',
        }),
        event({ id: '4', occurredAt: '2026-11-01T00:00:00.000Z' }),
      ],
      releases,
      refOfService: () => null,
      limit: 2,
    });
    expect(pulse.map(e => [e.summary, e.environment])).toEqual([
      [
        'authentication master-1c1508405e-67e9d69164 was released to prod by Ada (Promote)',
        'prod',
      ],
      ['an older release', 'prod'],
    ]);
  });
});
