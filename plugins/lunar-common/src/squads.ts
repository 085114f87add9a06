/**
 * Squads are catalog groups named `squad-<name>` (org.yaml, spec.type
 * squad); shuttle.yaml's `vars.squad` and release-manager's events name them
 * without the prefix (`nasa`).
 */
export const SQUAD_GROUP_PREFIX = 'squad-';

/**
 * A squad's group name from its short or full name: `nasa` and `squad-nasa`
 * are both `squad-nasa` (lower case, as the catalog compares names).
 */
export function squadGroupName(squad: string): string {
  const name = squad.trim().toLocaleLowerCase('en-US');
  return name.startsWith(SQUAD_GROUP_PREFIX)
    ? name
    : `${SQUAD_GROUP_PREFIX}${name}`;
}

/** A squad's group ref from its short or full name: `group:default/squad-nasa`. */
export function squadGroupRef(squad: string): string {
  return `group:default/${squadGroupName(squad)}`;
}

/** `squad-nasa` -> `nasa`; other names are returned as they are. */
export function squadShortName(groupName: string): string {
  return groupName.startsWith(SQUAD_GROUP_PREFIX)
    ? groupName.slice(SQUAD_GROUP_PREFIX.length)
    : groupName;
}
