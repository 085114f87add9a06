import * as amqp from 'amqplib';
import { AMQP_URL, requirePostgres, requireRabbitMq } from './services';

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
