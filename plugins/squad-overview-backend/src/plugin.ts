import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { CatalogChangeTracker } from './catalog/CatalogChangeTracker';
import { readSquadOverviewConfig } from './config';
import {
  databaseReadinessCheck,
  readinessChecksServiceRef,
  withReadRetries,
} from '@internal/plugin-lunar-node';
import { DatabasePulseStore } from './database/DatabasePulseStore';
import { PullRequestsService } from './github/PullRequestsService';
import { ReleaseEventConsumer } from './releaseEvents/ReleaseEventConsumer';
import { createRouter } from './service/router';
import { SquadOverviewService } from './service/SquadOverviewService';
import { deadLetterSource, releaseStatusSource } from './sources/sources';

const DAY_MS = 86_400_000;

/**
 * Serves /api/squad-overview: a squad's overview in one answer (its
 * components joined with the dead-letter and release-status backends,
 * open pull requests from GitHub and the stored pulse), every squad's
 * numbers for the Squads page, and the pulse and pull requests alone.
 */
export const squadOverviewPlugin = createBackendPlugin({
  pluginId: 'squad-overview',
  register(reg) {
    reg.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        cache: coreServices.cache,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        catalog: catalogServiceRef,
        readiness: readinessChecksServiceRef,
        events: eventsServiceRef,
      },
      async init(deps) {
        const { rootConfig, logger, scheduler, lifecycle, catalog } = deps;
        const config = readSquadOverviewConfig(rootConfig);
        // Reads are retried once on a fresh connection when the database
        // dropped theirs; writes are not (see withReadRetries).
        const store = withReadRetries(
          await DatabasePulseStore.create({ database: deps.database }),
          ['listForSquad', 'snapshot', 'findService'],
          { logger },
        );
        deps.readiness.add(
          databaseReadinessCheck('squad-overview database', () =>
            deps.database.getClient(),
          ),
        );

        const tracker = new CatalogChangeTracker({
          store,
          catalog,
          auth: deps.auth,
          logger,
        });
        await scheduler.scheduleTask({
          id: 'squad-overview-catalog-changes',
          scope: 'global',
          frequency: { seconds: config.catalogChanges.frequencySeconds },
          initialDelay: { seconds: config.catalogChanges.initialDelaySeconds },
          timeout: { minutes: 5 },
          fn: async () => {
            await tracker.run();
          },
        });
        await scheduler.scheduleTask({
          id: 'squad-overview-prune',
          scope: 'global',
          frequency: { hours: 6 },
          initialDelay: { minutes: 5 },
          timeout: { minutes: 5 },
          fn: async () => {
            const removed = await store.prune(
              new Date(Date.now() - config.retentionDays * DAY_MS),
            );
            if (removed) logger.info(`squad pulse: pruned ${removed} entries`);
          },
        });

        if (config.releaseEvents) {
          const consumer = new ReleaseEventConsumer(config.releaseEvents, {
            store,
            logger,
            // release-status recomputes the service's components.
            events: deps.events,
          });
          lifecycle.addStartupHook(() => consumer.start());
          lifecycle.addShutdownHook(() => consumer.stop());
        }

        const pullRequests = PullRequestsService.fromConfig({
          integrations: ScmIntegrations.fromConfig(rootConfig),
          // Only an integration configured on purpose: the implicit
          // anonymous github.com one would hit GitHub's rate limit at once.
          configured: rootConfig.has('integrations.github'),
          githubHost: config.pullRequests.githubHost,
          catalog,
          cache: deps.cache,
          cacheSeconds: config.pullRequests.cacheSeconds,
          perRepository: config.pullRequests.perRepository,
        });
        logger.info(
          `Squad overview: release events ${
            config.releaseEvents ? 'consumed' : 'not configured'
          }; pull requests ${
            rootConfig.has('integrations.github')
              ? `from ${config.pullRequests.githubHost}`
              : 'not configured'
          }`,
        );
        const { discovery, auth } = deps;
        const overview = new SquadOverviewService({
          catalog,
          store,
          pullRequests,
          deadLetters: deadLetterSource({ discovery, auth }),
          releases: releaseStatusSource({ discovery, auth }),
          releaseEvents: !!config.releaseEvents,
          logger,
        });
        deps.httpRouter.use(
          await createRouter({
            overview,
            pullRequests,
            catalog,
            httpAuth: deps.httpAuth,
            releaseEvents: !!config.releaseEvents,
            logger,
          }),
        );
      },
    });
  },
});
