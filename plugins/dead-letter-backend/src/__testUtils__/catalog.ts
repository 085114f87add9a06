/** A service's catalog component, owned by `owner`. */
export function serviceComponent(name: string, owner: string) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { type: 'service', owner },
  };
}

/** A squad's Group with one member, and that member's User. */
export function squadWithMember(squad: string, user: string) {
  return [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: squad, namespace: 'default' },
      spec: { type: 'team', children: [] },
      relations: [{ type: 'hasMember', targetRef: `user:default/${user}` }],
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: user, namespace: 'default' },
      spec: { memberOf: [squad] },
      relations: [{ type: 'memberOf', targetRef: `group:default/${squad}` }],
    },
  ];
}
