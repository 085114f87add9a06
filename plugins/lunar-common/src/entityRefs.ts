import { CompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

const EXAMPLES = {
  component: 'component:default/card-clearing',
  group: 'group:default/squad-nasa',
};

/**
 * How every Lunar API reads an entity reference from a request parameter:
 * required, the kind defaulting to `defaultKind` and the namespace to
 * `default` (so `squad-nasa` is `group:default/squad-nasa`), and, with
 * `kindRequired`, of that kind only. A bad value is an InputError (400)
 * that names the parameter and shows an example.
 */
export function parseEntityRefParameter(
  value: unknown,
  options: {
    name: string;
    defaultKind: 'component' | 'group';
    kindRequired?: boolean;
  },
): CompoundEntityRef {
  const { name, defaultKind } = options;
  const example = EXAMPLES[defaultKind];
  if (typeof value !== 'string' || !value.trim()) {
    throw new InputError(`${name} is required, e.g. ${example}`);
  }
  let ref: CompoundEntityRef;
  try {
    ref = parseEntityRef(value.trim(), {
      defaultKind,
      defaultNamespace: 'default',
    });
  } catch (e) {
    throw new InputError(
      `${name} '${value}' is not an entity reference: ${(e as Error).message}`,
    );
  }
  if (
    options.kindRequired &&
    ref.kind.toLocaleLowerCase('en-US') !== defaultKind
  ) {
    throw new InputError(
      `${name} must be a ${defaultKind}${
        defaultKind === 'group' ? ' (a squad)' : ''
      }, e.g. ${example}, not '${value}'`,
    );
  }
  return ref;
}
