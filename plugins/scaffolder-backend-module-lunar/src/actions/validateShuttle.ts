import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import {
  Entity,
  EntityPolicies,
  EntityPolicy,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  parseShuttleYaml,
  readShuttleProcessorConfig,
  shuttleToEntities,
} from '@internal/plugin-shuttle-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import { dnsLabelProblem, errorMessage } from '../names';

const policy: EntityPolicy = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
]);

/** The kind validators of the entities the shuttle processor emits. */
const kindValidators: Record<string, { check(e: Entity): Promise<boolean> }> = {
  Component: componentEntityV1alpha1Validator,
  Resource: resourceEntityV1alpha1Validator,
  API: apiEntityV1alpha1Validator,
};

/**
 * Checks a shuttle.yaml the way the catalog will: the shuttle processor's own
 * parser and mapping (with this backend's `catalog.shuttle` settings), then
 * the catalog's entity policies. Returns the entities, or throws a
 * ShuttleFileError / InputError saying what is wrong.
 */
export async function checkShuttleYaml(
  content: string,
  opts: { name: string; rootConfig: Config },
): Promise<Entity[]> {
  const file = parseShuttleYaml(content);
  const entities = shuttleToEntities(
    file,
    { name: opts.name },
    readShuttleProcessorConfig(opts.rootConfig),
  );
  for (const entity of entities) {
    const ref = stringifyEntityRef(entity);
    try {
      await policy.enforce(entity);
      const validator = kindValidators[entity.kind];
      if (validator) await validator.check(entity);
    } catch (e) {
      throw new InputError(`${ref} is not a valid entity: ${errorMessage(e)}`);
    }
  }
  return entities;
}

/**
 * `lunar:shuttle:validate`: checks the generated shuttle.yaml in the
 * workspace before anything is published, so a file the catalog would
 * reject fails the run while there is still nothing to clean up (in
 * production, before `publish:github` creates the repository).
 */
export function createValidateShuttleAction(opts: { rootConfig: Config }) {
  const { rootConfig } = opts;
  return createTemplateAction({
    id: 'lunar:shuttle:validate',
    description:
      "Checks the workspace's shuttle.yaml with the shuttle processor's parser before publishing",
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z
            .string()
            .describe(
              'The repository name; the file must yield component:default/<name>',
            ),
        filePath: z =>
          z
            .string()
            .optional()
            .describe('File in the workspace. Default: shuttle.yaml'),
        entityRef: z =>
          z
            .string()
            .optional()
            .describe('Expected entity. Default: component:default/<name>'),
      },
      output: {
        entityRef: z => z.string().describe('The component the file yields'),
        entityRefs: z =>
          z.array(z.string()).describe('Every entity the file yields'),
      },
    },
    async handler(ctx) {
      const { name, filePath = 'shuttle.yaml' } = ctx.input;
      const problem = dnsLabelProblem(name);
      if (problem) throw new InputError(problem);
      const expected = (
        ctx.input.entityRef ?? `component:default/${name}`
      ).toLocaleLowerCase('en-US');
      const target = resolveSafeChildPath(ctx.workspacePath, filePath);

      let content: string;
      try {
        content = await fs.readFile(target, 'utf8');
      } catch (e) {
        throw new InputError(
          `${filePath} could not be read from the workspace: ${errorMessage(
            e,
          )}`,
        );
      }
      let refs: string[];
      try {
        const entities = await checkShuttleYaml(content, { name, rootConfig });
        refs = entities.map(e =>
          stringifyEntityRef(e).toLocaleLowerCase('en-US'),
        );
      } catch (e) {
        throw new InputError(
          `${filePath} would be rejected by the catalog: ${errorMessage(
            e,
          )}; nothing was published`,
        );
      }
      if (!refs.includes(expected)) {
        throw new InputError(
          `${filePath} yields ${refs.join(
            ', ',
          )}, not ${expected}; nothing was published`,
        );
      }
      ctx.logger.info(`${filePath} is valid: ${refs.join(', ')}`);
      ctx.output('entityRef', expected);
      ctx.output('entityRefs', refs);
    },
  });
}
