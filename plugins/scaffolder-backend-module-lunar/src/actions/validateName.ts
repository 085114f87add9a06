import {
  SQUAD_GROUP_PREFIX,
  squadShortName,
} from '@internal/plugin-lunar-common';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs';
import { LunarScaffolderConfig } from '../config';
import { dnsLabelProblem, goPackageProblem, localRepoPaths } from '../names';

/** The group an owner ref names, or undefined when it is not a ref. */
function parseGroupRef(ref: string) {
  try {
    const parsed = parseEntityRef(ref.trim(), {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
    return { ...parsed, kind: parsed.kind.toLocaleLowerCase('en-US') };
  } catch {
    return undefined;
  }
}

/**
 * `lunar:validate:name`: the first step of every Lunar template. Fails with a
 * clear message before anything is created when the name is not a DNS label
 * starting with a letter, is a Go keyword once '-' is removed (`goPackage`,
 * for the library template), is taken in the catalog or by a local
 * repository, or the owner is not a squad. Tells the template where to publish (`localPublish`) and the squad
 * for shuttle.yaml (`squad`, without the `squad-` prefix).
 */
export function createValidateNameAction(opts: {
  catalog: CatalogService;
  config: LunarScaffolderConfig;
}) {
  const { catalog, config } = opts;
  return createTemplateAction({
    id: 'lunar:validate:name',
    description:
      'Checks that a new repository name is a free DNS label and the owner is a squad',
    supportsDryRun: true,
    schema: {
      input: {
        name: z => z.string().describe('The new component and repository name'),
        kind: z =>
          z
            .string()
            .optional()
            .describe('Kind the name must be free for. Default: Component'),
        owner: z =>
          z
            .string()
            .optional()
            .describe(
              'Owning group ref; must be a squad (group:default/squad-x)',
            ),
        goPackage: z =>
          z
            .boolean()
            .optional()
            .describe(
              'The name, without "-", becomes a Go package name: refuse Go keywords. Default: false',
            ),
      },
      output: {
        localPublish: z =>
          z
            .boolean()
            .describe('True when lunarScaffolder.localGitDirectory is set'),
        squad: z =>
          z.string().describe('The owner squad without the squad- prefix'),
      },
    },
    async handler(ctx) {
      const { name, kind = 'Component', owner, goPackage } = ctx.input;
      const problem =
        dnsLabelProblem(name) ??
        (goPackage ? goPackageProblem(name) : undefined);
      if (problem) throw new InputError(problem);

      const credentials = await ctx.getInitiatorCredentials();
      const existing = await catalog.getEntityByRef(
        { kind, namespace: 'default', name },
        { credentials },
      );
      if (existing) {
        throw new InputError(
          `${kind} "${name}" already exists in the catalog (owner ${
            existing.spec?.owner ?? 'unknown'
          }); choose another name`,
        );
      }

      if (config.localGitDirectory) {
        const { bare, workingCopy } = localRepoPaths(
          config.localGitDirectory,
          name,
        );
        if (fs.existsSync(bare) || fs.existsSync(workingCopy)) {
          throw new InputError(
            `A repository named "${name}" already exists in the local git folder; choose another name`,
          );
        }
      }

      let squad = '';
      if (owner) {
        const ref = parseGroupRef(owner);
        if (
          !ref ||
          ref.kind !== 'group' ||
          !ref.name.startsWith(SQUAD_GROUP_PREFIX)
        ) {
          throw new InputError(
            `Owner "${owner}" is not a squad; pick a group named ${SQUAD_GROUP_PREFIX}<name>`,
          );
        }
        const group = await catalog.getEntityByRef(
          { kind: 'Group', namespace: ref.namespace, name: ref.name },
          { credentials },
        );
        if (!group) {
          throw new InputError(
            `Owner "${owner}" is not a group in the catalog`,
          );
        }
        squad = squadShortName(ref.name);
      }

      ctx.output('localPublish', Boolean(config.localGitDirectory));
      ctx.output('squad', squad);
    },
  });
}
