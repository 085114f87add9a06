import { InputError } from '@backstage/errors';
import { z } from 'zod';

/**
 * How every Lunar router reads a request's query, params or body: with a
 * zod schema, and a 400 (InputError) that names the first bad field and
 * why, e.g. `limit: Too big: expected number to be <=200`.
 */
export function parseInput<T extends z.ZodTypeAny>(
  schema: T,
  value: unknown,
): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw new InputError(`${where}${issue.message}`);
  }
  return result.data;
}
