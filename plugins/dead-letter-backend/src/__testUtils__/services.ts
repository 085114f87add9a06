// The real-service checks live in @internal/plugin-lunar-test-utils, and
// serviceComponent in ./catalog; tests import them from there. This
// re-export remains only for the database/ and redelivery tests, which are
// being changed elsewhere: delete it once they import those directly.
export {
  AMQP_URL,
  POSTGRES_URL,
  requirePostgres,
  requireRabbitMq,
  useBrokerAndDatabase,
  useLocalPostgresForTestDatabases,
} from '@internal/plugin-lunar-test-utils';
export { serviceComponent } from './catalog';
