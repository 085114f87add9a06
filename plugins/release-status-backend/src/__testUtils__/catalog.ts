import { Entity } from '@backstage/catalog-model';

/**
 * A releasable component of `squad`: release-manager knows it by its name,
 * its source is `file:/repos/<folder>/`.
 */
export function component(
  name: string,
  squad: string,
  folder = name,
  type = 'service',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'lunar.app/release-manager-service': name,
        'backstage.io/source-location': `file:/repos/${folder}/`,
      },
    },
    spec: {
      type,
      owner: `group:default/${squad}`,
      lifecycle: 'production',
    },
    relations: [{ type: 'ownedBy', targetRef: `group:default/${squad}` }],
  };
}
