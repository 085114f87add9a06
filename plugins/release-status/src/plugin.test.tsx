import { Entity } from '@backstage/catalog-model';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { releaseDriftCard, releasesContent } from './plugin';

/** A shuttle.yaml component: the processor annotates every one. */
const component = (name: string, type: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'lunar.app/release-manager-service': name },
  },
  spec: { type, lifecycle: 'production', owner: 'group:default/squad-nasa' },
});

describe('release-status entity extensions', () => {
  const filters = {
    'Releases tab': createExtensionTester(releasesContent).get(
      EntityContentBlueprint.dataRefs.filterFunction,
    ),
    'Release drift card': createExtensionTester(releaseDriftCard).get(
      EntityCardBlueprint.dataRefs.filterFunction,
    ),
  };

  it.each(Object.entries(filters))(
    '%s shows on released components only',
    (_, filter) => {
      expect(filter!(component('card-clearing', 'service'))).toBe(true);
      expect(filter!(component('customer-web', 'website'))).toBe(true);
      expect(filter!(component('rabbitmq-cluster', 'infrastructure'))).toBe(
        true,
      );
      // Annotated by the shuttle processor, but never released.
      expect(filter!(component('go-amqp', 'library'))).toBe(false);
      expect(filter!(component('engineering-handbook', 'documentation'))).toBe(
        false,
      );
      // Not a shuttle.yaml component: release-manager does not know it.
      const handWritten = component('hand-written', 'service');
      handWritten.metadata.annotations = {};
      expect(filter!(handWritten)).toBe(false);
    },
  );
});
