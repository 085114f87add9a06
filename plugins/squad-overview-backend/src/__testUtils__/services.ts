// The local PostgreSQL and RabbitMQ, shared by every plugin's tests.
export {
  AMQP_URL,
  POSTGRES_URL,
  requirePostgres,
  requireRabbitMq,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
