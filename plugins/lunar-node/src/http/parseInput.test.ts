import { z } from 'zod';
import { parseInput } from './parseInput';

describe('parseInput', () => {
  const schema = z
    .object({ limit: z.coerce.number().int().min(1).max(200).default(50) })
    .strict();

  it('returns the parsed value with defaults', () => {
    expect(parseInput(schema, {})).toEqual({ limit: 50 });
    expect(parseInput(schema, { limit: '7' })).toEqual({ limit: 7 });
  });

  it('throws an InputError naming the field and the reason', () => {
    expect(() => parseInput(schema, { limit: '500' })).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: expect.stringMatching(/^limit: .*200/),
      }),
    );
    expect(() => parseInput(schema, { other: 1 })).toThrow(
      expect.objectContaining({ name: 'InputError' }),
    );
  });
});
