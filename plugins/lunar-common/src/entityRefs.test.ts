import { parseEntityRefParameter } from './entityRefs';

describe('parseEntityRefParameter', () => {
  it('reads short and full references with the default kind and namespace', () => {
    expect(
      parseEntityRefParameter('squad-nasa', {
        name: 'owner',
        defaultKind: 'group',
      }),
    ).toEqual({ kind: 'group', namespace: 'default', name: 'squad-nasa' });
    expect(
      parseEntityRefParameter(' component:lab/card-clearing ', {
        name: 'entityRef',
        defaultKind: 'component',
      }),
    ).toEqual({ kind: 'component', namespace: 'lab', name: 'card-clearing' });
  });

  it('refuses a missing value, a non-reference and, when asked, another kind, naming the parameter', () => {
    const owner = (v: unknown) =>
      parseEntityRefParameter(v, {
        name: 'owner',
        defaultKind: 'group',
        kindRequired: true,
      });
    for (const missing of [undefined, '', '  ', ['a'], 3])
      expect(() => owner(missing)).toThrow(
        /^owner is required, e\.g\. group:default\/squad-nasa$/,
      );
    expect(() => owner('group:default/')).toThrow(
      /^owner 'group:default\/' is not an entity reference/,
    );
    expect(() => owner('user:default/guest')).toThrow(
      "owner must be a group (a squad), e.g. group:default/squad-nasa, not 'user:default/guest'",
    );
    expect(
      parseEntityRefParameter('user:default/guest', {
        name: 'entityRef',
        defaultKind: 'component',
      }).kind,
    ).toBe('user');
  });
});
