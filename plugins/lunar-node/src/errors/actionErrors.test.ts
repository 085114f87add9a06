import { mockServices } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { guardActionErrors } from './actionErrors';

describe('guardActionErrors', () => {
  const run = async (error: unknown) => {
    const logger = mockServices.logger.mock();
    const handler = guardActionErrors('lunar:test', logger, async () => {
      throw error;
    });
    const thrown = await handler().catch(e => e);
    return { thrown: thrown as Error, logger };
  };

  it('keeps a safe error but drops its stack frames, which the task log would show', async () => {
    const { thrown } = await run(new InputError('name is taken'));
    expect(thrown.name).toBe('InputError');
    expect(thrown.message).toBe('name is taken');
    expect(thrown.stack).toBe('InputError: name is taken');
  });

  it('replaces SQL with a reference that the backend log has', async () => {
    const { thrown, logger } = await run(
      new Error(
        'catalog answered 500: select "entity_id" from "refresh_state" - boom',
      ),
    );
    expect(thrown.message).not.toMatch(/select|refresh_state/);
    const ref = /reference ([0-9a-f]{12})/.exec(thrown.message)![1];
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining(ref),
      expect.objectContaining({
        message: expect.stringContaining('refresh_state'),
      }),
    );
    expect(thrown.stack).not.toMatch(/\n\s+at /);
  });

  it('says the database is unavailable without naming it', async () => {
    const { thrown } = await run(
      Object.assign(
        new Error('connect ECONNREFUSED postgresql://u:pw@db:5432/x'),
        { code: 'ECONNREFUSED' },
      ),
    );
    expect(thrown.name).toBe('ServiceUnavailableError');
    expect(thrown.message).toMatch(/database is unavailable/);
    expect(thrown.message).not.toMatch(/pw|5432/);
  });
});
