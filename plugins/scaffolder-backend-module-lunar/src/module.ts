import {
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

/**
 * Lunar's scaffolder actions: `lunar:validate:name`, `lunar:publish:local`
 * and `lunar:catalog:register-file`.
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
      },
      async init({ scaffolder, catalog, config }) {
        const settings = readLunarScaffolderConfig(config);
        scaffolder.addActions(
          createValidateNameAction({ catalog, config: settings }),
          createPublishLocalAction({ config: settings }),
          createRegisterFileAction({ catalog, config: settings }),
        );
      },
    });
  },
});

/**
 * Lets the catalog accept `file` locations registered through its API, which
 * `lunar:catalog:register-file` needs; only when local publishing is
 * configured, so production keeps the default (`url` only).
 */
export const catalogModuleLunarFileLocations = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'lunar-file-locations',
  register(reg) {
    reg.registerInit({
      deps: {
        locations: catalogLocationsExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ locations, config }) {
        if (readLunarScaffolderConfig(config).localGitDirectory) {
          locations.setAllowedLocationTypes(['url', 'file']);
        }
      },
    });
  },
});
