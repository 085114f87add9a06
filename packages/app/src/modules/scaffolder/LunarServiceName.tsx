import { ApiHolder } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  CustomFieldValidator,
  makeFieldSchema,
} from '@backstage/plugin-scaffolder-react';
import TextField from '@material-ui/core/TextField';

/**
 * A DNS label starting with a letter: what the templates' pattern and the
 * backend's lunar:validate:name accept.
 */
const NAME_PATTERN = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** `ui:options.kind`: the kind the name must be free for (default Component). */
export const LunarServiceNameSchema = makeFieldSchema({
  output: z => z.string(),
  uiOptions: z =>
    z.object({
      kind: z
        .string()
        .optional()
        .describe('Kind the name must be free for. Default: Component'),
    }),
});

/** A plain text field; the checks run in the validator. */
export function LunarServiceName(props: typeof LunarServiceNameSchema.TProps) {
  const { onChange, formData, rawErrors, required, schema, idSchema } = props;
  return (
    <TextField
      id={idSchema?.$id}
      label={schema.title ?? 'Name'}
      helperText={schema.description}
      required={required}
      value={formData ?? ''}
      onChange={e => onChange(e.target.value || undefined)}
      error={(rawErrors?.length ?? 0) > 0}
      margin="normal"
      fullWidth
      inputProps={{ autoComplete: 'off' }}
    />
  );
}

/** Why `name` cannot be used, or undefined; shared with the tests. */
export async function lunarServiceNameProblem(
  name: string | undefined,
  kind: string,
  apiHolder: ApiHolder,
): Promise<string | undefined> {
  if (!name) return undefined; // `required` reports a missing name
  if (name.length > 63) {
    return `At most 63 characters (this one has ${name.length})`;
  }
  if (!/^[a-z]/i.test(name)) {
    return 'The name must start with a letter (e.g. payment-events)';
  }
  if (!NAME_PATTERN.test(name)) {
    return "Use lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (e.g. payment-events)";
  }
  const catalogApi = apiHolder.get(catalogApiRef);
  if (!catalogApi) return undefined; // the backend checks again
  const existing = await catalogApi.getEntityByRef({
    kind,
    namespace: 'default',
    name,
  });
  if (existing) {
    return `"${name}" is already taken in the catalog${
      existing.spec?.owner ? ` (owned by ${existing.spec.owner})` : ''
    }; choose another name`;
  }
  return undefined;
}

/** Runs when the user presses Next or Review. */
export const validateLunarServiceName: CustomFieldValidator<
  string,
  { kind?: string }
> = async (value, validation, { apiHolder, uiSchema }) => {
  const problem = await lunarServiceNameProblem(
    value,
    uiSchema?.['ui:options']?.kind ?? 'Component',
    apiHolder,
  );
  if (problem) validation.addError(problem);
};
