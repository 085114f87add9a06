import { containsUnsafeDetail } from './unsafeText';

describe('containsUnsafeDetail', () => {
  it.each([
    'select "id", "environment" from "dead_letters" where "id" = $1 - boom',
    'insert into "pulse_events" ("a") values ($1) - duplicate key',
    'update "dead_letters" set "squad" = $1 where "service" = $2',
    'delete from "dead_letters" where "id" in ($1)',
    'Error: boom\n    at Object.<anonymous> (/srv/app/index.js:1:1)',
    'connect to postgresql://backstage:s3cret@db.internal:5432/backstage failed',
    'amqp://guest:guest@127.0.0.1:5672 refused',
    'relation "dead_letters" does not exist',
    'column "nope" does not exist',
  ])('flags %j', text => {
    expect(containsUnsafeDetail(text)).toBe(true);
  });

  it.each([
    "unknown environment 'prod'",
    'limit must be a whole number from 1 to 200',
    'No group group:default/squad-nasa in the catalog',
    'lunar:publish:local failed: A repository named "x" already exists',
  ])('lets %j through', text => {
    expect(containsUnsafeDetail(text)).toBe(false);
  });
});
