import path from 'node:path';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { readReleaseStatusConfig } from './config';
import { GithubSource } from './sources/GithubSource';
import { LocalGitSource } from './sources/LocalGitSource';
import { ReleaseManagerClient } from './sources/ReleaseManagerClient';
import { GitSource } from './sources/types';
import { ReleaseStatusService } from './service/ReleaseStatusService';
import { createRouter } from './service/router';

/**
 * Serves /api/release-status: what each component runs in each environment
 * (release-manager) and how far that is behind the default branch (git).
 */
export const releaseStatusPlugin = createBackendPlugin({
  pluginId: 'release-status',
  register(reg) {
    reg.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        cache: coreServices.cache,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        catalog: catalogServiceRef,
      },
      async init({ rootConfig, logger, cache, httpRouter, httpAuth, catalog }) {
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
          cache,
          ttlMs: config.cacheSeconds * 1000,
          logger,
        });
        logger.info(
          `Release status: environments ${config.environments.join(
            ', ',
          )}; release-manager ${
            config.releaseManager ? 'configured' : 'not configured'
          }; git sources: ${gitSources.map(s => s.kind).join(', ') || 'none'}`,
        );
        httpRouter.use(
          await createRouter({ service, catalog, httpAuth, logger }),
        );
      },
    });
  },
});
