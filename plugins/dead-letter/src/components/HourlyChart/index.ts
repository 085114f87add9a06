export { HourlyChart, stackHistogram } from './HourlyChart';
export { releaseMarkers } from './releaseMarkers';
export type { ReleaseMarker } from './releaseMarkers';
