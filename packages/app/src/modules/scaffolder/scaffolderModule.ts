import { createFrontendModule } from '@backstage/frontend-plugin-api';
import {
  FormFieldBlueprint,
  createFormField,
} from '@backstage/plugin-scaffolder-react/alpha';

/**
 * `ui:field: LunarServiceName`: a name that must be a DNS label starting with
 * a letter and free in the catalog, checked when the user leaves the form
 * step. Its own name (not EntityNamePicker) because a built-in field of the
 * same name would win.
 */
export const lunarServiceNameField = FormFieldBlueprint.make({
  name: 'lunar-service-name',
  params: {
    field: () =>
      import('./LunarServiceName').then(m =>
        createFormField({
          name: 'LunarServiceName',
          component: m.LunarServiceName,
          validation: m.validateLunarServiceName,
          schema: m.LunarServiceNameSchema,
        }),
      ),
  },
});

/** Lunar's scaffolder form fields. */
export const scaffolderModule = createFrontendModule({
  pluginId: 'scaffolder',
  extensions: [lunarServiceNameField],
});
