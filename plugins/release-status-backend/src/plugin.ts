import path from 'node:path';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { RELEASE_MANAGER_EVENTS_TOPIC } from '@internal/plugin-lunar-common';
import { readReleaseStatusConfig } from './config';
import { GithubSource } from './sources/GithubSource';
import { LocalGitSource } from './sources/LocalGitSource';
import { ReleaseManagerClient } from './sources/ReleaseManagerClient';
import { GitSource } from './sources/types';
import { ReleaseStatusService } from './service/ReleaseStatusService';
import { ReleaseStatusRefresher } from './service/ReleaseStatusRefresher';
import { ReleaseEventTrigger } from './service/ReleaseEventTrigger';
import { createRouter } from './service/router';
import { DatabaseReleaseStatusStore } from './database/DatabaseReleaseStatusStore';
import { releaseStatusPermissions } from '@internal/plugin-release-status-common';

/** The scheduled task that computes every component's status ahead. */
export const REFRESH_TASK_ID = 'release-status-refresh';

/**
 * Serves /api/release-status: what each component runs in each environment
 * (release-manager) and how far that is behind the default branch (git),
 * computed ahead by a scheduled refresh and answered from the database.
 */
export const releaseStatusPlugin = createBackendPlugin({
  pluginId: 'release-status',
  register(reg) {
    reg.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
        lifecycle: coreServices.lifecycle,
      },
      async init({
        rootConfig,
        logger,
        database,
        scheduler,
        auth,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
        auditor,
        catalog,
        events,
        lifecycle,
      }) {
        const config = readReleaseStatusConfig(rootConfig);
        const gitSources: GitSource[] = [];
        // Only an integration configured on purpose: the implicit
        // anonymous github.com one would hit GitHub's rate limit at once.
        const github =
          rootConfig.has('integrations.github') &&
          GithubSource.fromIntegrations(
            ScmIntegrations.fromConfig(rootConfig),
            config.git.githubHost,
            config.git.defaultBranch,
          );
        if (github) gitSources.push(github);
        if (config.git.localDirectory) {
          gitSources.push(
            new LocalGitSource(
              path.resolve(config.git.localDirectory),
              config.git.defaultBranch,
            ),
          );
        }
        const service = new ReleaseStatusService({
          environments: config.environments,
          releaseManager:
            config.releaseManager &&
            new ReleaseManagerClient(config.releaseManager),
          gitSources,
          logger,
        });
        const store = await DatabaseReleaseStatusStore.create({ database });
        const refresher = new ReleaseStatusRefresher({
          service,
          store,
          catalog,
          auth,
          logger,
          concurrency: config.refresh.concurrency,
          maxAgeMs: config.refresh.maxAgeSeconds * 1000,
        });
        const frequency = { seconds: config.refresh.frequencySeconds };
        await scheduler.scheduleTask({
          id: REFRESH_TASK_ID,
          // One replica runs each refresh; every replica reads the result.
          scope: 'global',
          frequency,
          timeout: { seconds: Math.max(600, config.refresh.frequencySeconds) },
          initialDelay: { seconds: 15 },
          fn: async () => {
            await refresher.refreshAll();
          },
        });
        // release-manager's events (squad-overview-backend consumes them
        // from the broker and passes them on) recompute their service now.
        const trigger = new ReleaseEventTrigger({
          refresher,
          catalog,
          auth,
          logger,
          delayMs: config.refresh.releaseEventDelaySeconds * 1000,
        });
        lifecycle.addStartupHook(() =>
          events.subscribe({
            id: 'release-status-refresh',
            topics: [RELEASE_MANAGER_EVENTS_TOPIC],
            onEvent: params => trigger.onEvent(params),
          }),
        );
        lifecycle.addShutdownHook(() => trigger.stop());
        permissionsRegistry.addPermissions(releaseStatusPermissions);
        logger.info(
          `Release status: environments ${config.environments.join(
            ', ',
          )}; release-manager ${
            config.releaseManager ? 'configured' : 'not configured'
          }; git sources: ${
            gitSources.map(s => s.kind).join(', ') || 'none'
          }; refreshed every ${config.refresh.frequencySeconds} s`,
        );
        httpRouter.use(
          await createRouter({
            environments: config.environments,
            store,
            refresher,
            catalog,
            httpAuth,
            permissions,
            auditor,
            logger,
          }),
        );
      },
    });
  },
});
