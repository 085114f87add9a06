import { PulseEntry, PulseEvent } from '@internal/plugin-squad-overview-common';
import { DeadLetterHistogram } from '@internal/plugin-dead-letter-common';
import { ReleaseOverview } from '@internal/plugin-release-status-common';

/** An hour counts as a burst from this many dead letters of one service... */
export const BURST_MIN = 10;
/** ...when it is at least this many times the service's previous hour. */
export const BURST_FACTOR = 3;

const HOUR = 3_600_000;
/** An AMQP event this close to a reported release is that release. */
const SAME_RELEASE_MS = 5 * 60_000;

const TAB: Record<PulseEntry['kind'], string> = {
  'service-added': '',
  'service-removed': '',
  'owner-changed': '',
  released: '/releases',
  'release-succeeded': '/releases',
  'release-failed': '/releases',
  'new-artifact': '/releases',
  'dead-letter-burst': '/dead-letter',
};

/**
 * A squad's pulse, newest first: the backend's stored events (catalog
 * changes, release-manager's AMQP events), each release release-manager
 * reports for the squad's services, and dead-letter bursts (an hour with
 * at least BURST_MIN dead letters of one service, BURST_FACTOR times its
 * previous hour; not the histogram's first hour, which has none). A
 * release both reported and received as an AMQP `released` event (same
 * artifact, or the same time when ids are missing) is shown once.
 */
export function buildPulse(input: {
  events: PulseEvent[];
  releases?: ReleaseOverview;
  /** Hourly dead letters per service, by environment. */
  deadLetters?: Array<{ environment: string; histogram: DeadLetterHistogram }>;
  /** The component a dead-lettered service is, to link to. */
  refOfService: (service: string) => string | null;
  limit: number;
}): PulseEntry[] {
  const entries: PulseEntry[] = [];

  for (const item of input.releases?.items ?? []) {
    for (const env of item.environments) {
      if (!env.releasedAt) continue;
      const how = env.intent?.type ? ` (${env.intent.type})` : '';
      entries.push({
        key: `release:${item.entityRef}:${env.environment}:${env.releasedAt}`,
        at: env.releasedAt,
        kind: 'released',
        summary: `${item.service} ${
          env.artifactId ?? env.sha?.slice(0, 7) ?? ''
        } was released to ${env.environment}${
          env.releasedBy ? ` by ${env.releasedBy}` : ''
        }${how}`.replace(/\s+/g, ' '),
        entityRef: item.entityRef,
        tab: TAB.released,
        environment: env.environment,
      });
    }
  }

  // The release release-manager reports and the AMQP `released` event it
  // sent for it are the same release: keep one.
  const reported = (e: PulseEvent) =>
    e.kind === 'released' &&
    input.releases?.items.some(
      i =>
        i.service === e.service &&
        i.environments.some(
          env =>
            env.environment === e.environment &&
            !!env.releasedAt &&
            // The same artifact; without ids, a release at the same time.
            (e.artifactId && env.artifactId
              ? e.artifactId === env.artifactId
              : Math.abs(
                  Date.parse(env.releasedAt) - Date.parse(e.occurredAt),
                ) < SAME_RELEASE_MS),
        ),
    );
  for (const e of input.events) {
    if (reported(e)) continue;
    entries.push({
      key: `event:${e.id}`,
      at: e.occurredAt,
      kind: e.kind,
      summary: e.summary,
      entityRef: e.entityRef,
      tab: TAB[e.kind],
      environment: e.environment,
    });
  }

  for (const { environment, histogram } of input.deadLetters ?? []) {
    // The first hour has no previous hour to compare with.
    const first = Date.parse(histogram.from);
    const byService = new Map<string, Map<number, number>>();
    for (const b of histogram.buckets) {
      if (!b.key) continue;
      const hours = byService.get(b.key) ?? new Map<number, number>();
      hours.set(Date.parse(`${b.hour}:00:00Z`), b.count);
      byService.set(b.key, hours);
    }
    for (const [service, hours] of byService) {
      for (const [start, count] of hours) {
        if (start === first) continue;
        const before = hours.get(start - HOUR) ?? 0;
        if (count < BURST_MIN || count < before * BURST_FACTOR) continue;
        entries.push({
          key: `burst:${environment}:${service}:${start}`,
          at: new Date(start).toISOString(),
          kind: 'dead-letter-burst',
          summary: `${count.toLocaleString(
            'en-US',
          )} messages of ${service} were dead-lettered in ${environment} within an hour`,
          entityRef: input.refOfService(service),
          tab: TAB['dead-letter-burst'],
          environment,
        });
      }
    }
  }

  return entries
    .sort((a, b) => b.at.localeCompare(a.at) || a.key.localeCompare(b.key))
    .slice(0, input.limit);
}
