/**
 * Test helpers shared by Lunar's backend plugins. Only for devDependencies.
 *
 * @packageDocumentation
 */
export { TcpProxy } from './TcpProxy';
export { postgresThroughProxy } from './postgresThroughProxy';
export {
  AMQP_URL,
  POSTGRES_URL,
  requirePostgres,
  requireRabbitMq,
  useLocalPostgresForTestDatabases,
} from './services';
export { useBrokerAndDatabase } from './brokerAndDatabase';
export * from './openapi';
