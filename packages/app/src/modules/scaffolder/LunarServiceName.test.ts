import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { lunarServiceNameProblem } from './LunarServiceName';

function apis(existing?: object) {
  const catalogApi = { getEntityByRef: jest.fn(async () => existing) };
  return {
    holder: {
      get: (ref: any) => (ref.id === catalogApiRef.id ? catalogApi : undefined),
    } as any,
    catalogApi,
  };
}

describe('lunarServiceNameProblem', () => {
  it('accepts a free DNS label', async () => {
    const { holder, catalogApi } = apis();
    await expect(
      lunarServiceNameProblem('payment-events', 'Component', holder),
    ).resolves.toBeUndefined();
    expect(catalogApi.getEntityByRef).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'payment-events',
    });
  });

  it('explains a taken name', async () => {
    const { holder } = apis({ spec: { owner: 'group:squad-nasa' } });
    await expect(
      lunarServiceNameProblem('dead-letter', 'Component', holder),
    ).resolves.toBe(
      '"dead-letter" is already taken in the catalog (owned by group:squad-nasa); choose another name',
    );
  });

  it.each([
    ['Payment', "Use lowercase letters, digits and '-'"],
    ['-x', 'The name must start with a letter'],
    ['1password', 'The name must start with a letter'],
    ['9', 'The name must start with a letter'],
    ['x-', "Use lowercase letters, digits and '-'"],
    ['a'.repeat(64), 'At most 63 characters (this one has 64)'],
  ])('rejects %s without asking the catalog', async (name, message) => {
    const { holder, catalogApi } = apis();
    await expect(
      lunarServiceNameProblem(name, 'Component', holder),
    ).resolves.toContain(message);
    expect(catalogApi.getEntityByRef).not.toHaveBeenCalled();
  });
});
