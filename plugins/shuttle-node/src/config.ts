import { SQUAD_GROUP_PREFIX } from '@internal/plugin-lunar-common';
import { Config } from '@backstage/config';

/** How one plan maps to a component. */
export interface PlanMapping {
  /** spec.type of the component. */
  type: string;
  /** Tags added to the component, e.g. its language. */
  tags: string[];
  /** spec.lifecycle of its components; the global lifecycle when unset. */
  lifecycle?: string;
}

/** The shuttle processor's settings; see config.d.ts for each key. */
export interface ShuttleProcessorConfig {
  fileNames: string[];
  planFileNames: string[];
  ownerPrefix: string;
  lifecycle: string;
  defaultType: string;
  planOwner: string;
  unknownOwner: 'annotate' | 'error';
  plans: Record<string, PlanMapping>;
  apiDefinitionPaths: string[];
  broker: string;
  brokerOwner: string;
}

/** Lunar's public plans and what they make of a repository. */
export const DEFAULT_PLANS: Record<string, PlanMapping> = {
  'lw-shuttle-go-plan': { type: 'service', tags: ['go'] },
  'lw-shuttle-go-lib-plan': { type: 'library', tags: ['go'] },
  'lw-shuttle-node-plan': { type: 'service', tags: ['node'] },
  'lw-shuttle-infrastructure-plan': { type: 'infrastructure', tags: [] },
  'lw-shuttle-docs-plan': { type: 'documentation', tags: ['docs'] },
};

export const DEFAULT_API_DEFINITION_PATHS = [
  'api/openapi.yaml',
  'api/openapi.yml',
  'api/openapi.json',
  'openapi.yaml',
  'openapi.yml',
  'api/swagger.yaml',
];

function readUnknownOwner(value: string | undefined): 'annotate' | 'error' {
  if (value === undefined || value === 'annotate' || value === 'error') {
    return value ?? 'annotate';
  }
  throw new Error(
    `catalog.shuttle.unknownOwner must be 'annotate' or 'error', got '${value}'`,
  );
}

/** Reads `catalog.shuttle`; every key is optional. */
export function readShuttleProcessorConfig(
  root: Config,
): ShuttleProcessorConfig {
  const config = root.getOptionalConfig('catalog.shuttle');
  const plans = { ...DEFAULT_PLANS };
  const planConfig = config?.getOptionalConfig('plans');
  for (const name of planConfig?.keys() ?? []) {
    const plan = planConfig!.getConfig(name);
    const lifecycle = plan.getOptionalString('lifecycle');
    plans[name] = {
      type: plan.getString('type'),
      tags: plan.getOptionalStringArray('tags') ?? [],
      ...(lifecycle && { lifecycle }),
    };
  }
  return {
    fileNames: config?.getOptionalStringArray('fileNames') ?? ['shuttle.yaml'],
    planFileNames: config?.getOptionalStringArray('planFileNames') ?? [
      'plan.yaml',
    ],
    ownerPrefix: config?.getOptionalString('ownerPrefix') ?? SQUAD_GROUP_PREFIX,
    lifecycle: config?.getOptionalString('lifecycle') ?? 'production',
    defaultType: config?.getOptionalString('defaultType') ?? 'other',
    planOwner: config?.getOptionalString('planOwner') ?? 'group:squad-nasa',
    unknownOwner: readUnknownOwner(config?.getOptionalString('unknownOwner')),
    plans,
    apiDefinitionPaths:
      config?.getOptionalStringArray('apiDefinitionPaths') ??
      DEFAULT_API_DEFINITION_PATHS,
    broker: config?.getOptionalString('broker') ?? 'rabbitmq',
    brokerOwner: config?.getOptionalString('brokerOwner') ?? 'group:squad-nasa',
  };
}
