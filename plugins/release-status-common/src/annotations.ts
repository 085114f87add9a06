import { LUNAR_ANNOTATIONS } from '@internal/plugin-lunar-common';

/**
 * Component types that are never released to an environment: libraries are
 * consumed as packages and documentation sites are published by TechDocs.
 * The shuttle processor still annotates them (every shuttle.yaml
 * component), so they are left out of the Releases tab, the Release drift
 * card and the overview instead of showing "unknown" states.
 */
export const NON_RELEASABLE_COMPONENT_TYPES: readonly string[] = [
  'library',
  'documentation',
];

/** The parts of a catalog entity that decide whether it is releasable. */
export interface ReleasableEntityLike {
  kind: string;
  metadata: { annotations?: Record<string, string> };
  spec?: object;
}

/**
 * Whether release-manager may release `entity`: a component with the
 * `lunar.app/release-manager-service` annotation whose `spec.type` is not a
 * library or documentation (services, websites, infrastructure, ...).
 */
export function isReleasableComponent(entity: ReleasableEntityLike): boolean {
  if (entity.kind.toLocaleLowerCase('en-US') !== 'component') return false;
  if (!entity.metadata.annotations?.[LUNAR_ANNOTATIONS.releaseManagerService]) {
    return false;
  }
  const type = (entity.spec as { type?: unknown } | undefined)?.type;
  return !(
    typeof type === 'string' &&
    NON_RELEASABLE_COMPONENT_TYPES.includes(type.toLocaleLowerCase('en-US'))
  );
}
