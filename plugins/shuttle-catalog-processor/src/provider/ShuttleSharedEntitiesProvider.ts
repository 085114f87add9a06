import {
  AuthService,
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  CatalogService,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { ANNOTATIONS } from '@internal/plugin-shuttle-node';
import { SHARED_LOCATION, sharedEntitiesFrom } from './sharedEntities';

/**
 * Emits the systems, domains and RabbitMQ resources that the shuttle
 * components reference, once each (see sharedEntitiesFrom).
 */
export class ShuttleSharedEntitiesProvider implements EntityProvider {
  private connection?: EntityProviderConnection;

  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      taskRunner: SchedulerServiceTaskRunner;
      broker: string;
      brokerOwner: string;
    },
  ) {}

  getProviderName(): string {
    return 'shuttle-shared-entities';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.options.taskRunner.run({
      id: `${this.getProviderName()}:refresh`,
      fn: () => this.refresh(),
    });
  }

  /** Reads the shuttle components and replaces the shared entities. */
  async refresh(): Promise<void> {
    if (!this.connection) throw new Error('not connected');
    const { catalog, auth, logger } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const { items: components } = await catalog.getEntities(
      {
        filter: {
          kind: 'component',
          [`metadata.annotations.${ANNOTATIONS.plan}`]: CATALOG_FILTER_EXISTS,
        },
        fields: ['kind', 'metadata.name', 'metadata.annotations', 'spec'],
      },
      { credentials },
    );
    const { items: existing } = await catalog.getEntities(
      {
        filter: { kind: ['system', 'domain'] },
        fields: ['kind', 'metadata.name', 'metadata.annotations'],
      },
      { credentials },
    );
    const elsewhere = existing.filter(
      e =>
        e.metadata.annotations?.['backstage.io/managed-by-location'] !==
        SHARED_LOCATION,
    );
    const names = (kind: string) =>
      new Set(
        elsewhere
          .filter(e => e.kind.toLocaleLowerCase('en-US') === kind)
          .map(e => e.metadata.name),
      );
    const entities = sharedEntitiesFrom(components, {
      broker: this.options.broker,
      brokerOwner: this.options.brokerOwner,
      existing: { systems: names('system'), domains: names('domain') },
    });
    await this.connection.applyMutation({
      type: 'full',
      entities: entities.map(entity => ({
        entity,
        locationKey: this.getProviderName(),
      })),
    });
    logger.info(
      `Shuttle shared entities: ${entities.length} from ${components.length} components`,
    );
  }
}
