import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { catalogModelExtensionPoint } from '@backstage/plugin-catalog-node/alpha';
import { readShuttleProcessorConfig } from '@internal/plugin-shuttle-node';
import { DatabaseCatalogState } from './database/CatalogState';
import {
  createShuttleLocationReader,
  createShuttleParser,
} from './parser/createShuttleParser';
import { ShuttleGithubProcessor } from './processor/ShuttleGithubProcessor';
import { ShuttleSharedEntitiesProvider } from './provider/ShuttleSharedEntitiesProvider';

/**
 * Catalog module that reads every repository's shuttle.yaml (file and url
 * locations, e.g. from GitHub discovery with catalogPath /shuttle.yaml) and
 * emits its component, resources and API, plus the shared systems, domains
 * and RabbitMQ resources they reference.
 */
export const catalogModuleShuttle = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'shuttle',
  register(reg) {
    reg.registerInit({
      deps: {
        model: catalogModelExtensionPoint,
        processing: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        reader: coreServices.urlReader,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        database: coreServices.database,
      },
      async init({
        model,
        processing,
        config,
        reader,
        logger,
        scheduler,
        auth,
        catalog,
        database,
      }) {
        const shuttleConfig = readShuttleProcessorConfig(config);
        const integrations = ScmIntegrations.fromConfig(config);
        // The catalog's own database: this is a catalog module.
        const catalogState = await DatabaseCatalogState.create({ database });
        model.setEntityDataParser(
          createShuttleParser({
            config: shuttleConfig,
            reader,
            integrations,
            logger,
            catalogState,
          }),
        );
        // GitHub url locations: one conditional tree request per processing.
        processing.addProcessor(
          new ShuttleGithubProcessor({
            shuttle: createShuttleLocationReader({
              config: shuttleConfig,
              integrations,
              logger,
              catalogState,
            }),
            integrations,
            logger,
          }),
        );
        const scheduleConfig = config.getOptionalConfig(
          'catalog.shuttle.schedule',
        );
        processing.addEntityProvider(
          new ShuttleSharedEntitiesProvider({
            catalog,
            auth,
            logger,
            broker: shuttleConfig.broker,
            brokerOwner: shuttleConfig.brokerOwner,
            taskRunner: scheduler.createScheduledTaskRunner(
              scheduleConfig
                ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
                    scheduleConfig,
                  )
                : {
                    frequency: { seconds: 30 },
                    timeout: { minutes: 5 },
                    initialDelay: { seconds: 10 },
                  },
            ),
          }),
        );
      },
    });
  },
});
