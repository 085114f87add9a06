import * as amqp from 'amqplib';
import {
  AMQP_URL,
  requirePostgres,
  requireRabbitMq,
} from '@internal/plugin-lunar-test-utils';

export {
  AMQP_URL,
  POSTGRES_URL,
  requirePostgres,
  requireRabbitMq,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';

/**
 * For a describe block whose tests need both servers: checks them before
 * all its tests and, when they are up, opens a broker connection that is
 * closed after them. Tests return early unless `available`.
 */
export function useBrokerAndDatabase() {
  const services: { available: boolean; connection: amqp.ChannelModel } = {
    available: false,
    connection: undefined as unknown as amqp.ChannelModel,
  };
  beforeAll(async () => {
    services.available = (await requirePostgres()) && (await requireRabbitMq());
    if (services.available) services.connection = await amqp.connect(AMQP_URL);
  });
  afterAll(async () => {
    await services.connection?.close().catch(() => {});
  });
  return services;
}

/** A service's catalog component, owned by `owner`. */
export function serviceComponent(name: string, owner: string) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { type: 'service', owner },
  };
}
