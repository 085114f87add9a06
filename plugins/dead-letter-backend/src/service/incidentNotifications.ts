import { createHash } from 'crypto';
import { serviceDeadLettersPath } from '@internal/plugin-dead-letter-common';
import { Incident, IncidentKey } from '../database/IncidentStore';
import { SquadNotification } from './SquadNotifier';
import { SuspectedRelease } from './releaseCorrelation';

/** The notifications' topic: people can mute it in their settings. */
export const INCIDENT_TOPIC = 'dead-letter-alert';

const count = (n: number) => Math.round(n).toLocaleString('en-US');
/** `14:06` (UTC, as the portal's times). */
const clock = (iso: string) => iso.slice(11, 16);
const quote = (group: string) =>
  `"${group.length > 80 ? `${group.slice(0, 79)}…` : group}"`;

/**
 * The notifications scope of an incident: each send for it replaces the
 * notification before (the notifications backend keeps one per scope and
 * person), so an incident is one notification however often it changes,
 * and its recurrence brings the same one back. Long error groups are
 * hashed to keep the scope short.
 */
export function incidentScope(key: IncidentKey): string {
  const base = `dead-letter-incident:${key.environment}:${key.service}:${key.kind}`;
  return key.errorGroup === null
    ? base
    : `${base}:${createHash('sha256')
        .update(key.errorGroup)
        .digest('hex')
        .slice(0, 16)}`;
}

/**
 * The start of an ISO time's minute (or of the next one, `after`): the
 * link's range, whose end is exclusive.
 */
function minute(iso: string, after = false) {
  const m = 60_000;
  const start = Math.floor(new Date(iso).getTime() / m) * m;
  return new Date(after ? start + m : start)
    .toISOString()
    .replace(':00.000Z', ':00Z');
}

/** `30x normal`, or `usually none` for a service without a baseline. */
function againstNormal(current: number, baseline: number) {
  if (baseline <= 0) return 'usually none';
  const ratio = current / baseline;
  return `${ratio >= 10 ? count(ratio) : ratio.toFixed(1)}x normal`;
}

/**
 * The notification of an incident as it stands: the title says what, how
 * bad and since when, the description the rule and what to do, the link
 * goes to the service's dead letters in that environment since the first
 * message (until the last one, once resolved). A suspected release (one
 * that reached the environment shortly before the first failure) leads
 * the description.
 */
export function incidentNotification(
  incident: Incident,
  options: { windowMinutes: number; suspect?: SuspectedRelease | null },
): SquadNotification {
  const { service, environment } = incident;
  const where = `${service} in ${environment}`;
  const window = `${options.windowMinutes} min`;
  const resolved = incident.state === 'resolved';
  const span = resolved
    ? `${clock(incident.firstSeenAt)}–${clock(incident.lastSeenAt)} UTC`
    : `since ${clock(incident.firstSeenAt)} UTC`;
  let title: string;
  let description: string;
  if (incident.kind === 'spike') {
    const rule = `A spike is more than ${count(
      incident.threshold,
    )} dead letters in ${window}: ${
      incident.baseline > 0
        ? `the larger of the floor and a multiple of the service's 7-day average (${incident.baseline.toFixed(
            1,
          )} per ${window})`
        : 'the floor (the service had no dead letters in the 7 days before)'
    }.`;
    if (resolved) {
      title = `Resolved: ${where} is back to normal (${count(
        incident.windowCount,
      )} dead letters in the last ${window}; peak ${count(
        incident.peakCount,
      )}, ${span})`;
      description = `${count(
        incident.total,
      )} dead letters in all. ${rule} Redeliver the messages once their cause is fixed.`;
    } else {
      title = `${where}: ${count(
        incident.windowCount,
      )} dead letters in ${window}, ${againstNormal(
        incident.windowCount,
        incident.baseline,
      )}, ${span}`;
      description = `${count(
        incident.total,
      )} dead letters ${span}; peak ${count(
        incident.peakCount,
      )} in ${window}. ${rule}`;
    }
  } else {
    const group = quote(incident.errorGroup ?? '');
    if (resolved) {
      title = `Resolved: ${where}: no more ${group} for ${window} (${count(
        incident.total,
      )} dead letters, ${span})`;
      description = `The error group ${group} stopped. Redeliver its messages once the cause is fixed.`;
    } else {
      title = `${where}: new error ${group}, ${count(
        incident.total,
      )} dead letter${incident.total === 1 ? '' : 's'} ${span}`;
      description = `The service dead-lettered messages with an error it has not had in the 7 days before (numbers, ids and times left out when comparing errors): ${
        incident.errorGroup
      }. ${count(incident.windowCount)} in the last ${window}.`;
    }
  }
  const { suspect } = options;
  if (suspect) {
    const changes = suspect.link ?? suspect.gitLog;
    description = `Suspected release: ${suspect.sentence}${
      changes ? ` (changes: ${changes})` : ''
    }. ${description}`;
  }
  return {
    squads: [incident.squad],
    environment,
    title,
    description,
    link: serviceDeadLettersPath(service, environment, {
      from: minute(incident.firstSeenAt),
      ...(resolved && { to: minute(incident.lastSeenAt, true) }),
    }),
    scope: incidentScope(incident),
    topic: INCIDENT_TOPIC,
  };
}
