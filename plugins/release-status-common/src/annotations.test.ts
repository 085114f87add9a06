import { isReleasableComponent } from './annotations';

const component = (type?: string, annotated = true) => ({
  kind: 'Component',
  metadata: {
    name: 'x',
    annotations: annotated
      ? { 'lunar.app/release-manager-service': 'x' }
      : undefined,
  },
  spec: type === undefined ? {} : { type, owner: 'group:default/squad-nasa' },
});

describe('isReleasableComponent', () => {
  it('takes annotated components that are released to environments', () => {
    for (const type of ['service', 'website', 'infrastructure', 'Service']) {
      expect(isReleasableComponent(component(type))).toBe(true);
    }
    // No type: nothing says it is not released.
    expect(isReleasableComponent(component())).toBe(true);
  });

  it('leaves out libraries and documentation sites', () => {
    expect(isReleasableComponent(component('library'))).toBe(false);
    expect(isReleasableComponent(component('documentation'))).toBe(false);
    expect(isReleasableComponent(component('Library'))).toBe(false);
  });

  it('needs a component with the release-manager annotation', () => {
    expect(isReleasableComponent(component('service', false))).toBe(false);
    expect(
      isReleasableComponent({ ...component('service'), kind: 'API' }),
    ).toBe(false);
  });
});
