import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { deadLetterPermissions } from '@internal/plugin-dead-letter-common';
import {
  DEFAULT_ARCHIVE_RETENTION_DAYS,
  DEFAULT_RETENTION_DAYS,
  hasBroker,
  readAlertSettings,
  readDeadLetterConfig,
  readNotificationSettings,
} from './config';
import { DeadLetterConsumer } from './consumer/DeadLetterConsumer';
import { DatabaseDeadLetterStore } from './database/DatabaseDeadLetterStore';
import { createRouter } from './service/router';
import { RedeliveryPublishers } from './consumer/RedeliveryPublisher';
import { RedeliveryService } from './service/RedeliveryService';
import { RedeliveryRunner } from './service/RedeliveryRunner';
import { DatabaseRedeliveryJobStore } from './database/DatabaseRedeliveryJobStore';
import { createSquadResolver, fillMissingSquads } from './service/squads';
import { backfillSquads } from './service/backfillSquads';
import { backfillErrorGroups } from './service/backfillErrorGroups';
import { purgeExpired, purgeExpiredArchive } from './service/retention';
import { SquadNotifier } from './service/SquadNotifier';
import { RedeliveryNotifications } from './service/redeliveryNotifications';
import { IncidentDetector } from './service/IncidentDetector';
import { ReleaseStatusLookup } from './service/releaseCorrelation';
import { DatabaseIncidentStore } from './database/DatabaseIncidentStore';
import { SampleEnvironment } from './service/sampleEnvironment';
import {
  deadLetterMessageResourceRef,
  deadLetterPermissionRules,
} from './permissions';
import {
  createConditionAuthorizer,
  createConditionTransformer,
} from '@backstage/plugin-permission-node';
import {
  databaseReadinessCheck,
  readinessChecksServiceRef,
  withReadRetries,
} from '@internal/plugin-lunar-node';

/**
 * Consumes dead-lettered RabbitMQ messages into the database and serves
 * them at /api/dead-letter for listing, redelivery and deletion.
 */
export const deadLetterPlugin = createBackendPlugin({
  pluginId: 'dead-letter',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        lifecycle: coreServices.lifecycle,
        scheduler: coreServices.scheduler,
        discovery: coreServices.discovery,
        catalog: catalogServiceRef,
        readiness: readinessChecksServiceRef,
        signals: signalsServiceRef,
        notifications: notificationService,
      },
      async init(deps) {
        const config = readDeadLetterConfig(deps.config);
        // Reads are retried once on a fresh connection when the database
        // dropped theirs; writes are not (see withReadRetries).
        const deadLetterStore = await DatabaseDeadLetterStore.create({
          database: deps.database,
          archivePolicy: name => {
            const env = config.environments.find(e => e.name === name);
            return {
              days:
                env?.archive.retentionDays ?? DEFAULT_ARCHIVE_RETENTION_DAYS,
              retentionDays: env?.retention.days ?? DEFAULT_RETENTION_DAYS,
            };
          },
        });
        const store = withReadRetries(
          deadLetterStore,
          [
            'list',
            'listArchive',
            'countArchived',
            'get',
            'count',
            'getResources',
            'serviceOverview',
            'squadOverview',
            'errorGroups',
            'histogram',
          ],
          { logger: deps.logger },
        );
        deps.readiness.add(
          databaseReadinessCheck('dead-letter database', () =>
            deps.database.getClient(),
          ),
        );
        // Messages stored before the catalog knew their service's owner
        // (a start drains the queue while the catalog is still filling) get
        // their squad as soon as a lookup finds it, and by the backfill
        // task below for services that send nothing new.
        const resolveSquads = createSquadResolver({
          catalog: deps.catalog,
          auth: deps.auth,
          ttlSeconds: config.squadCacheSeconds,
          onOwnerFound: (service, squad) => {
            store
              .setSquad(service, squad)
              .then(n => {
                if (n > 0)
                  deps.logger.info(
                    `Gave ${n} dead letters of ${service} the squad ${squad}`,
                  );
              })
              .catch(e =>
                deps.logger.warn(
                  `could not give the dead letters of ${service} their squad: ${e}`,
                ),
              );
          },
        });
        // Messages are a permission resource type, so a policy can decide
        // per message, e.g. by the squad that owns its service.
        deps.permissionsRegistry.addResourceType({
          resourceRef: deadLetterMessageResourceRef,
          permissions: deadLetterPermissions,
          rules: Object.values(deadLetterPermissionRules),
          // A message stored before the catalog knew its owner gets it
          // here at the latest, so no decision rests on a missing squad.
          getResources: async ids =>
            fillMissingSquads(await store.getResources(ids), {
              resolveSquads,
              store,
            }),
        });
        const consumers = new Map(
          config.environments.filter(hasBroker).map(env => [
            env.name,
            DeadLetterConsumer.fromConfig(env, {
              store,
              logger: deps.logger.child({ environment: env.name }),
              resolveSquads,
              errorHeader: config.errorHeader,
              servicePattern: config.servicePattern,
            }),
          ]),
        );
        deps.lifecycle.addStartupHook(() => consumers.forEach(c => c.start()));
        // Environments of sample messages (the quick start without a
        // broker): a file that cannot be read stops the start, like bad
        // config.
        const samples = new Map<string, SampleEnvironment>();
        for (const env of config.environments) {
          if (!env.sample) continue;
          samples.set(
            env.name,
            await SampleEnvironment.read(
              { ...env, sample: env.sample },
              {
                store,
                resolveSquads,
                errorHeader: config.errorHeader,
                servicePattern: config.servicePattern,
                logger: deps.logger,
              },
            ),
          );
        }
        deps.lifecycle.addStartupHook(async () => {
          for (const [name, sample] of samples) {
            await sample
              .load()
              .catch(e =>
                deps.logger.error(
                  `sample environment ${name}: could not store the sample messages: ${e.message}`,
                ),
              );
          }
        });
        await deps.scheduler.scheduleTask({
          id: 'dead-letter-backfill-squads',
          frequency: { seconds: 30 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 30 },
          fn: async () => {
            await backfillSquads({
              store,
              resolveSquads,
              logger: deps.logger,
            });
          },
        });
        // Messages stored before error groups existed get theirs (a
        // preview groups by it); a run stops after a minute, the next goes on.
        await deps.scheduler.scheduleTask({
          id: 'dead-letter-error-groups',
          frequency: { minutes: 5 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 20 },
          scope: 'global',
          fn: async () => {
            await backfillErrorGroups({ store, logger: deps.logger });
          },
        });
        // Customer data is not kept longer than each environment's
        // retention. The scheduler runs a task on one replica at a time.
        await deps.scheduler.scheduleTask({
          id: 'dead-letter-retention',
          frequency: { hours: 1 },
          timeout: { minutes: 30 },
          initialDelay: { minutes: 1 },
          fn: async () => {
            await purgeExpired({
              store,
              environments: config.environments,
              logger: deps.logger,
            });
          },
        });
        // One long-lived confirm channel per environment for redelivery.
        const publishers = new RedeliveryPublishers(deps.logger);
        // Archived (deleted, redelivered) messages are restorable until
        // they expire. Deletes only, so a second replica would do no harm.
        await deps.scheduler.scheduleTask({
          id: 'dead-letter-archive-purge',
          frequency: { hours: 1 },
          timeout: { minutes: 30 },
          initialDelay: { minutes: 2 },
          scope: 'global',
          fn: async () => {
            await purgeExpiredArchive({ store, logger: deps.logger });
          },
        });
        // Redelivery jobs: every replica polls for them; a lease in the
        // database lets exactly one run each job.
        const jobs = new DatabaseRedeliveryJobStore(
          await deps.database.getClient(),
          deadLetterStore,
        );
        // Unused dry runs expire after 15 minutes; their recorded message
        // ids go with them.
        await deps.scheduler.scheduleTask({
          id: 'dead-letter-redelivery-previews-purge',
          frequency: { minutes: 15 },
          timeout: { minutes: 10 },
          initialDelay: { minutes: 3 },
          scope: 'global',
          fn: async () => {
            const purged = await jobs.purgeExpiredPreviews(new Date(), 10_000);
            if (purged)
              deps.logger.info(`Removed ${purged} expired redelivery previews`);
          },
        });
        const runner = new RedeliveryRunner({
          jobs,
          publishers,
          environment: name =>
            config.environments.filter(hasBroker).find(e => e.name === name),
          logger: deps.logger,
          auditor: deps.auditor,
        });
        const redeliveries = new RedeliveryService({
          jobs,
          runner,
          publishers,
          signals: deps.signals,
          logger: deps.logger,
        });
        // Progress is pushed through signals as the runner makes it.
        runner.onUpdate = id => void redeliveries.publishUpdate(id);
        // A job that paused itself tells its squads (Backstage
        // notifications), from the replica whose pause took effect.
        const notifier = new SquadNotifier({
          notifications: deps.notifications,
          catalog: deps.catalog,
          auth: deps.auth,
          logger: deps.logger,
          settings: readNotificationSettings(deps.config),
        });
        const redeliveryNotifications = new RedeliveryNotifications({
          jobs,
          notifier,
          logger: deps.logger,
        });
        runner.onAutoPause = id => void redeliveryNotifications.autoPaused(id);
        // On-call alerts: spikes and new error groups per environment, one
        // notification per incident. `global`: one run per schedule across
        // replicas (and the incident rows make overlapping runs harmless).
        const alerts = readAlertSettings(deps.config);
        const detector = new IncidentDetector({
          store: new DatabaseIncidentStore(await deps.database.getClient()),
          notifier,
          catalog: deps.catalog,
          auth: deps.auth,
          logger: deps.logger,
          settings: alerts,
          releases: new ReleaseStatusLookup({
            discovery: deps.discovery,
            auth: deps.auth,
            logger: deps.logger,
          }),
        });
        for (const env of config.environments.filter(hasBroker)) {
          if (!alerts.environment(env.name).enabled) continue;
          await deps.scheduler.scheduleTask({
            id: `dead-letter-alerts-${env.name}`,
            frequency: { seconds: alerts.intervalSeconds },
            timeout: { minutes: 5 },
            // One interval after start, at most 45 s: the consumers and the
            // catalog's owners settle first.
            initialDelay: { seconds: Math.min(45, alerts.intervalSeconds) },
            scope: 'global',
            fn: async () => {
              await detector.run(env.name);
            },
          });
        }
        deps.lifecycle.addStartupHook(() => runner.start());
        deps.lifecycle.addShutdownHook(async () => {
          await Promise.all([...consumers.values()].map(c => c.stop()));
          // Leases are given back, so another replica continues at once.
          await runner.stop();
          await publishers.close();
        });
        const ruleset = deps.permissionsRegistry.getPermissionRuleset(
          deadLetterMessageResourceRef,
        );
        const authorizeResource = createConditionAuthorizer(ruleset);
        deps.httpRouter.use(
          await createRouter({
            config,
            store,
            environmentStatus: name =>
              (consumers.get(name) ?? samples.get(name))?.status(),
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            transformConditions: createConditionTransformer(ruleset),
            authorizeResource: (decision, resource) =>
              authorizeResource(decision, resource),
            auditor: deps.auditor,
            redeliveries,
            resolveSquads,
            logger: deps.logger,
          }),
        );
      },
    });
  },
});
