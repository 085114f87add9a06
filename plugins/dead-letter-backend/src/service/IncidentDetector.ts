import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AlertSettings, EnvironmentAlertSettings } from '../config';
import {
  DetectionWindow,
  Incident,
  IncidentCounts,
  IncidentKey,
  IncidentStore,
} from '../database/IncidentStore';
import {
  LOOKBACK_DAYS,
  ServiceAlertSettings,
  evaluateSpike,
  isMuted,
  isNewErrorGroup,
  openIncidentStep,
  serviceAlertSettings,
} from './alertRules';
import { incidentNotification } from './incidentNotifications';
import { SquadNotifier } from './SquadNotifier';
import { serviceEntityRef } from './squads';
import { ReleaseLookup, suspectedRelease } from './releaseCorrelation';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What one run did, for the log and for tests. */
export interface DetectionSummary {
  opened: number;
  resolved: number;
  /** Notifications the notifications backend took (opened, grown, resolved). */
  notified: number;
}

/** What the catalog says about a service: its owner and annotations. */
interface ServiceEntity {
  squad: string | null;
  annotations: Record<string, string> | undefined;
}

const keyOf = (k: Omit<IncidentKey, 'environment'>) =>
  JSON.stringify([k.service, k.kind, k.errorGroup]);

/**
 * Watches an environment's dead letters and tells the owning squad, once
 * per incident: a service's spike (rules in ./alertRules.ts), a new error
 * group of a service, and their resolution. The state of each incident is
 * in the database (dead_letter_incidents), and every change to it is made
 * from the version a run read, so when two runs overlap (two replicas, or
 * a run outliving its schedule) each change, and so each notification, is
 * made once. A notification the notifications backend did not take is
 * sent again by the next run while the incident is open.
 */
export class IncidentDetector {
  private readonly now: () => Date;

  constructor(
    private readonly deps: {
      store: IncidentStore;
      notifier: Pick<SquadNotifier, 'send'>;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      settings: AlertSettings;
      /** Which release runs where (release-status); none: no suspected release. */
      releases?: ReleaseLookup;
      now?: () => Date;
    },
  ) {
    this.now = deps.now ?? (() => new Date());
  }

  /** One detection run over an environment's dead letters. */
  async run(environment: string): Promise<DetectionSummary> {
    const summary: DetectionSummary = { opened: 0, resolved: 0, notified: 0 };
    const settings = this.deps.settings.environment(environment);
    if (!settings.enabled) return summary;
    const { store } = this.deps;
    const now = this.now();
    const windowMs = settings.windowMinutes * 60_000;
    const window: DetectionWindow = {
      to: now,
      windowFrom: new Date(now.getTime() - windowMs),
      lookbackFrom: new Date(now.getTime() - windowMs - LOOKBACK_DAYS * DAY_MS),
    };
    const [services, groups, open] = await Promise.all([
      store.serviceActivity(environment, window),
      store.errorGroupActivity(environment, window),
      store.openIncidents(environment),
    ]);
    const entities = await this.entities([
      ...new Set([
        ...services.map(s => s.service),
        ...groups.filter(isNewErrorGroup).map(g => g.service),
        ...open.map(i => i.service),
      ]),
    ]);
    const serviceSettings = new Map<string, ServiceAlertSettings>();
    const settingsOf = (service: string) => {
      let s = serviceSettings.get(service);
      if (!s) {
        s = serviceAlertSettings(
          settings,
          entities.get(service)?.annotations,
          message =>
            this.deps.logger.warn(
              `dead-letter alerts: component ${service}: ${message}; using ${environment}'s setting`,
            ),
        );
        serviceSettings.set(service, s);
      }
      return s;
    };
    const squadOf = (service: string, stored: string | null | undefined) =>
      entities.get(service)?.squad ?? stored ?? null;
    const openByKey = new Map(open.map(i => [keyOf(i), i]));
    const tally = (r: {
      opened?: boolean;
      resolved?: boolean;
      sent: boolean;
    }) => {
      if (r.opened) summary.opened += 1;
      if (r.resolved) summary.resolved += 1;
      if (r.sent) summary.notified += 1;
    };

    // Spikes: every service with messages in the window, and every open
    // spike (its service may have none any more).
    const serviceActivity = new Map(services.map(s => [s.service, s]));
    for (const activity of services) {
      const key = {
        environment,
        service: activity.service,
        kind: 'spike' as const,
        errorGroup: null,
      };
      if (openByKey.has(keyOf(key))) continue;
      const service = settingsOf(activity.service);
      const spike = evaluateSpike({
        current: activity.current,
        before: activity.before,
        windowMinutes: settings.windowMinutes,
        settings: service,
      });
      if (!spike.spiking || isMuted(service, now)) continue;
      tally(
        await this.open(key, settings, activity.current, {
          squad: squadOf(activity.service, activity.squad),
          firstSeenAt: activity.firstAt,
          lastSeenAt: activity.lastAt,
          windowCount: activity.current,
          peakCount: activity.current,
          total: activity.current,
          baseline: spike.baseline,
          threshold: spike.threshold,
        }),
      );
    }

    // New error groups.
    const groupActivity = new Map(
      groups.map(g => [
        keyOf({
          service: g.service,
          kind: 'error-group',
          errorGroup: g.errorGroup,
        }),
        g,
      ]),
    );
    for (const group of groups) {
      const key = {
        environment,
        service: group.service,
        kind: 'error-group' as const,
        errorGroup: group.errorGroup,
      };
      if (!isNewErrorGroup(group) || openByKey.has(keyOf(key))) continue;
      if (isMuted(settingsOf(group.service), now)) continue;
      tally(
        await this.open(key, settings, group.current, {
          squad: squadOf(group.service, group.squad),
          firstSeenAt: group.firstAt,
          lastSeenAt: group.lastAt,
          windowCount: group.current,
          peakCount: group.current,
          total: group.current,
          baseline: 0,
          threshold: 0,
        }),
      );
    }

    // What was open before this run: grown, or resolved.
    for (const incident of open) {
      const service = settingsOf(incident.service);
      let activity;
      let baseline = 0;
      let threshold = 0;
      let active: boolean;
      if (incident.kind === 'spike') {
        activity = serviceActivity.get(incident.service);
        const spike = evaluateSpike({
          current: activity?.current ?? 0,
          before: activity?.before ?? 0,
          windowMinutes: settings.windowMinutes,
          settings: service,
        });
        ({ baseline, threshold } = spike);
        active = spike.spiking;
      } else {
        activity = groupActivity.get(keyOf(incident));
        active = (activity?.current ?? 0) > 0;
      }
      const windowCount = activity?.current ?? 0;
      const total = await store.countBetween(
        environment,
        incident.service,
        incident.errorGroup,
        new Date(incident.firstSeenAt),
        now,
      );
      tally(
        await this.step(incident, settings, {
          active,
          muted: isMuted(service, now),
          counts: {
            squad: squadOf(incident.service, activity?.squad ?? incident.squad),
            firstSeenAt: incident.firstSeenAt,
            lastSeenAt: activity?.lastAt ?? incident.lastSeenAt,
            windowCount,
            peakCount: Math.max(incident.peakCount, windowCount),
            total,
            baseline: incident.kind === 'spike' ? baseline : 0,
            threshold,
          },
        }),
      );
    }
    if (summary.opened || summary.resolved)
      this.deps.logger.info(
        `dead-letter alerts in ${environment}: ${summary.opened} incidents opened, ${summary.resolved} resolved, ${summary.notified} notifications sent`,
      );
    return summary;
  }

  /** The count a notification reports: a spike's window, a group's total. */
  private static reported(
    incident: Pick<Incident, 'kind'>,
    counts: IncidentCounts,
  ) {
    return incident.kind === 'spike' ? counts.windowCount : counts.total;
  }

  /**
   * Opens the incident claiming its first notification, and sends it; a
   * send that fails gives the claim back for the next run.
   */
  private async open(
    key: IncidentKey,
    settings: EnvironmentAlertSettings,
    reported: number,
    counts: IncidentCounts,
  ) {
    const incident = await this.deps.store.open(key, counts, {
      openedAt: this.now().toISOString(),
      notifiedState: 'open',
      notifiedCount: reported,
    });
    // Another run opened it first, and notifies.
    if (!incident) return { sent: false };
    const sent = await this.notify(incident, settings);
    if (!sent)
      await this.deps.store.update(incident.id, incident.version, {
        notifiedState: null,
        notifiedCount: 0,
      });
    return { opened: true, sent };
  }

  /** An open incident measured again: resolved, grown (notified again) or counted. */
  private async step(
    incident: Incident,
    settings: EnvironmentAlertSettings,
    options: { active: boolean; muted: boolean; counts: IncidentCounts },
  ) {
    const { store } = this.deps;
    const reported = IncidentDetector.reported(incident, options.counts);
    let step = openIncidentStep({
      active: options.active,
      count: reported,
      notifiedCount: incident.notifiedCount,
      muted: options.muted,
    });
    // Its first notification was not taken: send it now.
    if (step === 'update' && !incident.notifiedState && !options.muted)
      step = 'grow';
    if (step === 'resolve') {
      const resolved = await store.update(incident.id, incident.version, {
        ...options.counts,
        state: 'resolved',
        resolvedAt: this.now().toISOString(),
        notifiedState: incident.notifiedState ? 'resolved' : null,
      });
      if (!resolved) return { sent: false };
      // Nobody was told it started (muted, or never sent): nothing to close.
      if (!incident.notifiedState) return { resolved: true, sent: false };
      const sent = await this.notify(resolved, settings);
      return { resolved: true, sent };
    }
    if (step === 'update') {
      await store.update(incident.id, incident.version, options.counts);
      return { sent: false };
    }
    const grown = await store.update(incident.id, incident.version, {
      ...options.counts,
      notifiedState: 'open',
      notifiedCount: reported,
    });
    if (!grown) return { sent: false };
    const sent = await this.notify(grown, settings);
    if (!sent)
      await store.update(grown.id, grown.version, {
        notifiedState: incident.notifiedState,
        notifiedCount: incident.notifiedCount,
      });
    return { sent };
  }

  /**
   * Sends the incident's notification, naming the release that reached the
   * environment shortly before its first failure, if there is one.
   */
  private async notify(incident: Incident, settings: EnvironmentAlertSettings) {
    const release = this.deps.releases
      ? await this.deps.releases.current(incident.service, incident.environment)
      : null;
    return this.deps.notifier.send(
      incidentNotification(incident, {
        windowMinutes: settings.windowMinutes,
        suspect: suspectedRelease(
          release,
          incident,
          this.deps.settings.releaseWindowMinutes,
        ),
      }),
    );
  }

  /**
   * The services' catalog components (owner, annotations), looked up in
   * one call; when the catalog cannot be asked, the environment's settings
   * and the stored squads are used.
   */
  private async entities(services: string[]) {
    const result = new Map<string, ServiceEntity>();
    if (services.length === 0) return result;
    try {
      const { items } = await this.deps.catalog.getEntitiesByRefs(
        {
          entityRefs: services.map(serviceEntityRef),
          fields: ['metadata.annotations', 'spec.owner'],
        },
        { credentials: await this.deps.auth.getOwnServiceCredentials() },
      );
      services.forEach((service, i) => {
        const entity = items[i];
        if (!entity) return;
        let squad: string | null = null;
        const owner = entity.spec?.owner;
        if (typeof owner === 'string') {
          try {
            squad = parseEntityRef(owner, { defaultKind: 'group' }).name;
          } catch {
            squad = null;
          }
        }
        result.set(service, {
          squad,
          annotations: entity.metadata?.annotations,
        });
      });
    } catch (e) {
      this.deps.logger.warn(
        `dead-letter alerts: could not look up the components of ${services.length} services (using the environment's thresholds and the stored squads): ${e}`,
      );
    }
    return result;
  }
}
