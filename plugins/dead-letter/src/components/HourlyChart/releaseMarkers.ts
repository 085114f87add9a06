import { useApiHolder } from '@backstage/frontend-plugin-api';
import {
  ReleaseOverview,
  releaseLabel,
} from '@internal/plugin-release-status-common';
import { releaseStatusApiRef } from '@internal/plugin-release-status-react';
import useAsync from 'react-use/esm/useAsync';

/** A release drawn on the hourly chart. */
export interface ReleaseMarker {
  service: string;
  entityRef: string;
  /** Short sha, else the artifact id. */
  version: string;
  /** When it was released (ISO). */
  at: string;
  /** Where it goes on the time axis: 0 is the chart's start, 1 its end. */
  position: number;
  releasedBy: string | null;
}

/**
 * The releases of `overview` to `environment` that fall inside the chart's
 * window (`from`, `hours` long), oldest first. Each component's current
 * release per environment is drawn (not the one before it, `previous`), so
 * a service has at most one marker.
 */
export function releaseMarkers(
  overview: ReleaseOverview,
  environment: string,
  window: { from: string; hours: number },
): ReleaseMarker[] {
  const start = Date.parse(window.from);
  const span = window.hours * 3_600_000;
  const markers: ReleaseMarker[] = [];
  for (const item of overview.items) {
    const release = item.environments.find(e => e.environment === environment);
    if (!release?.releasedAt) continue;
    const at = Date.parse(release.releasedAt);
    if (!(at >= start && at < start + span)) continue;
    markers.push({
      service: item.service,
      entityRef: item.entityRef,
      version: releaseLabel(release) ?? '(unknown version)',
      at: new Date(at).toISOString(),
      position: (at - start) / span,
      releasedBy: release.releasedBy,
    });
  }
  return markers.sort(
    (a, b) => a.at.localeCompare(b.at) || a.service.localeCompare(b.service),
  );
}

/** What the chart knows about releases: nothing yet, an overview, or why not. */
export type ReleasesState =
  | { state: 'loading' }
  | { state: 'ok'; overview: ReleaseOverview }
  | { state: 'unavailable'; message: string };

/**
 * The release status of the chart's components (one squad's, or every
 * component's), from the release-status backend. Optional: without the
 * release-status plugin in the app, or when its backend fails, the chart
 * is drawn without markers.
 */
export function useReleases(squad: string | undefined): ReleasesState {
  const api = useApiHolder().get(releaseStatusApiRef);
  const { value, loading, error } = useAsync(async () => {
    if (!api) return undefined;
    return api.overview(squad ? { owner: squad } : {});
  }, [api, squad]);
  if (!api) {
    return {
      state: 'unavailable',
      message: 'the release-status plugin is not installed',
    };
  }
  if (loading) return { state: 'loading' };
  if (error || !value) {
    return {
      state: 'unavailable',
      message: error?.message ?? 'no answer from release-status',
    };
  }
  return { state: 'ok', overview: value };
}
