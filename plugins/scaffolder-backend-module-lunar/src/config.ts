import { Config } from '@backstage/config';
import path from 'node:path';

/** Lunar scaffolder settings, read once at startup. */
export interface LunarScaffolderConfig {
  /** Absolute folder for locally published repositories; unset in production. */
  localGitDirectory?: string;
}

/** Reads `lunarScaffolder`; relative paths resolve against `cwd`. */
export function readLunarScaffolderConfig(
  config: Config,
  cwd: string = process.cwd(),
): LunarScaffolderConfig {
  // getOptional, not getOptionalString: '' (app-config.production.yaml)
  // means unset, and getOptionalString rejects empty strings.
  const dir = config.getOptional('lunarScaffolder.localGitDirectory');
  if (dir !== undefined && dir !== null && typeof dir !== 'string') {
    throw new Error('lunarScaffolder.localGitDirectory must be a string');
  }
  return { localGitDirectory: dir ? path.resolve(cwd, dir) : undefined };
}
