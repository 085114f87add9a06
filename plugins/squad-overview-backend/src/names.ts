import { Entity, stringifyEntityRef } from '@backstage/catalog-model';

/** `group:default/squad-nasa` -> `squad-nasa`. */
export function nameOf(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/** The owner of an entity from its ownedBy relation, lower case. */
export function ownerOf(entity: Entity): string | null {
  const rel = entity.relations?.find(r => r.type === 'ownedBy');
  return rel ? rel.targetRef.toLocaleLowerCase('en-US') : null;
}

/** The entity's ref, lower case as the catalog compares them. */
export function refOf(entity: Entity): string {
  return stringifyEntityRef(entity).toLocaleLowerCase('en-US');
}
