/** A service's catalog component, owned by `owner`. */
export function serviceComponent(name: string, owner: string) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { type: 'service', owner },
  };
}
