import {
  LoggerService,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogLocationsExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { readLunarScaffolderConfig } from './config';
import { createValidateNameAction } from './actions/validateName';
import { createPublishLocalAction } from './actions/publishLocal';
import { createRegisterFileAction } from './actions/registerFile';
import { createValidateShuttleAction } from './actions/validateShuttle';
import { createRefreshReleaseStatusAction } from './actions/refreshReleaseStatus';
import { createFileLocationGuard } from './fileLocations';
import { guardActionErrors } from '@internal/plugin-lunar-node';

/**
 * The action with its errors guarded: the scaffolder writes a failed step's
 * error, stack included, into the task log that the template's user reads;
 * guarded, it carries no stack frames, SQL or connection strings.
 */
function guarded<T extends { id: string; handler: (ctx: any) => Promise<any> }>(
  action: T,
  logger: LoggerService,
): T {
  return {
    ...action,
    handler: guardActionErrors(action.id, logger, action.handler),
  };
}

/**
 * Lunar's scaffolder actions: `lunar:validate:name`, `lunar:shuttle:validate`,
 * `lunar:publish:local`, `lunar:catalog:register-file` and
 * `lunar:release-status:refresh`.
 */
export const scaffolderModuleLunar = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'lunar',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
      },
      async init({ scaffolder, catalog, config, logger, auth, discovery }) {
        const settings = readLunarScaffolderConfig(config);
        scaffolder.addActions(
          ...[
            createValidateNameAction({ catalog, config: settings }),
            createValidateShuttleAction({ rootConfig: config }),
            createPublishLocalAction({ config: settings }),
            createRegisterFileAction({ catalog, config: settings }),
            createRefreshReleaseStatusAction({ auth, discovery }),
          ].map(action => guarded(action, logger)),
        );
      },
    });
  },
});

/**
 * Lets the catalog accept `file` locations registered through its API, which
 * `lunar:catalog:register-file` needs; only when local publishing is
 * configured, so production keeps the default (`url` only), and only for
 * files under `lunarScaffolder.localGitDirectory`: a middleware in front of
 * the catalog's router refuses any other `file` target (`..` escapes,
 * patterns and backslashes included) with a 400.
 */
export const catalogModuleLunarFileLocations = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'lunar-file-locations',
  register(reg) {
    reg.registerInit({
      deps: {
        locations: catalogLocationsExtensionPoint,
        config: coreServices.rootConfig,
        httpRouter: coreServices.httpRouter,
      },
      async init({ locations, config, httpRouter }) {
        const dir = readLunarScaffolderConfig(config).localGitDirectory;
        if (dir) {
          // Modules are initialised before their plugin, so this runs before
          // the catalog's own routes.
          httpRouter.use(createFileLocationGuard(dir));
          locations.setAllowedLocationTypes(['url', 'file']);
        }
      },
    });
  },
});
