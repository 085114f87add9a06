import { EnvironmentRelease } from './types';

/**
 * How a release is named to people: its short commit (`9f3c2a1`), else
 * release-manager's artifact id; null when neither is known.
 */
export function releaseLabel(
  release: Pick<EnvironmentRelease, 'sha' | 'artifactId'>,
): string | null {
  return release.sha?.slice(0, 7) ?? release.artifactId;
}
