import { createExtensionTester } from '@backstage/frontend-test-utils';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import { lunarServiceNameField, scaffolderModule } from './scaffolderModule';

describe('scaffolderModule', () => {
  it('provides the LunarServiceName field to the scaffolder', async () => {
    const loader = createExtensionTester(lunarServiceNameField).get(
      FormFieldBlueprint.dataRefs.formFieldLoader,
    );
    const field: any = await loader();
    expect(JSON.stringify(field)).toContain('LunarServiceName');
    expect(scaffolderModule.pluginId).toBe('scaffolder');
  });
});
