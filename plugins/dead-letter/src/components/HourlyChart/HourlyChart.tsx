import { Box, Typography, useTheme } from '@material-ui/core';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { DeadLetterHistogram } from '@internal/plugin-dead-letter-common';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';
import { ReleaseMarker, releaseMarkers, useReleases } from './releaseMarkers';

const MAX_SERIES = 6;

/** Bars per hour, stacked by squad or service: the largest few, then "other". */
export function stackHistogram(histogram: DeadLetterHistogram) {
  const totals = new Map<string, number>();
  for (const b of histogram.buckets) {
    const key = b.key ?? '(no owner)';
    totals.set(key, (totals.get(key) ?? 0) + b.count);
  }
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]);
  const named = ranked.slice(0, MAX_SERIES - 1).map(([k]) => k);
  const series = ranked.length > MAX_SERIES - 1 ? [...named, 'other'] : named;
  const start = Date.parse(histogram.from);
  const hours = Array.from({ length: histogram.hours }, (_, i) => ({
    time: new Date(start + i * 3_600_000),
    counts: new Map<string, number>(),
    total: 0,
  }));
  for (const b of histogram.buckets) {
    const i = Math.round((Date.parse(`${b.hour}:00:00Z`) - start) / 3_600_000);
    const hour = hours[i];
    if (!hour) continue;
    const key = b.key ?? '(no owner)';
    const s = named.includes(key) ? key : 'other';
    hour.counts.set(s, (hour.counts.get(s) ?? 0) + b.count);
    hour.total += b.count;
  }
  const total = hours.reduce((sum, h) => sum + h.total, 0);
  return {
    series,
    hours,
    total,
    peak: Math.max(0, ...hours.map(h => h.total)),
  };
}

/** `2026-12-07 14:02 UTC` */
const utcMinute = (iso: string) =>
  `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** The tooltip of a release marker. */
export function describeRelease(m: ReleaseMarker, environment: string) {
  return `${m.service} ${m.version} released to ${environment} at ${utcMinute(
    m.at,
  )}${m.releasedBy ? ` by ${m.releasedBy}` : ''}`;
}

/**
 * Messages dead-lettered per hour over the last 7 days, stacked by squad
 * (environment page) or service (squad tab): spikes stand out at a glance.
 * A vertical marker per release to the environment (of the squad's
 * components on a squad tab, of every component on the environment page)
 * on the same time axis, from the release-status backend, so a step lines
 * up with the release that may have caused it.
 */
export function HourlyChart(props: {
  environment: string;
  groupBy: 'squad' | 'service';
  squad?: string;
  service?: string;
  reloadKey?: number;
}) {
  const { environment, groupBy, squad, service, reloadKey } = props;
  const api = useApi(deadLetterApiRef);
  const theme = useTheme();
  const releases = useReleases(squad);
  const { value, loading, error } = useAsync(
    () => api.histogram(environment, { groupBy, squad, service }),
    [api, environment, groupBy, squad, service, reloadKey],
  );
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) return null;

  const { series, hours, total, peak } = stackHistogram(value);
  const markers =
    releases.state === 'ok'
      ? releaseMarkers(releases.overview, environment, value)
      : [];
  const palette = [
    theme.palette.primary.main,
    theme.palette.secondary.main,
    '#2e7d32',
    '#ef6c00',
    '#6a1b9a',
    theme.palette.grey[500],
  ];
  const color = (s: string) => palette[series.indexOf(s) % palette.length];
  const width = 840;
  const height = 120;
  const barWidth = width / hours.length;
  const label = `Messages dead-lettered per hour, last ${Math.round(
    value.hours / 24,
  )} days: ${total.toLocaleString(
    'en-US',
  )} in total, at most ${peak.toLocaleString('en-US')} in one hour`;

  return (
    <Box>
      <Typography variant="subtitle2">{label}</Typography>
      {total === 0 && (
        <Typography variant="body2" color="textSecondary">
          Nothing was dead-lettered in this period.
        </Typography>
      )}
      {(total > 0 || markers.length > 0) && (
        <>
          <svg
            role="img"
            aria-label={label}
            viewBox={`0 0 ${width} ${height}`}
            width="100%"
            height={height}
            preserveAspectRatio="none"
          >
            {hours.map((h, i) => {
              let y = height;
              return series.map(s => {
                const count = h.counts.get(s) ?? 0;
                if (!count) return null;
                const barHeight = (count / peak) * (height - 4);
                y -= barHeight;
                return (
                  <rect
                    key={`${i}-${s}`}
                    x={i * barWidth}
                    y={y}
                    width={Math.max(barWidth - 1, 1)}
                    height={barHeight}
                    fill={color(s)}
                  >
                    <title>{`${h.time
                      .toISOString()
                      .slice(0, 13)}:00 UTC, ${s}: ${count}`}</title>
                  </rect>
                );
              });
            })}
            {markers.map(m => {
              const x = m.position * width;
              return (
                <g
                  key={`release-${m.entityRef}-${m.at}`}
                  data-testid="release-marker"
                  data-service={m.service}
                  data-x={x.toFixed(1)}
                >
                  <title>{describeRelease(m, environment)}</title>
                  {/* A wider invisible target, so the tooltip is easy to hover. */}
                  <rect
                    x={x - 4}
                    y={0}
                    width={8}
                    height={height}
                    fill="transparent"
                  />
                  <line
                    x1={x}
                    x2={x}
                    y1={0}
                    y2={height}
                    stroke={theme.palette.text.primary}
                    strokeWidth={1.5}
                    strokeDasharray="4 3"
                    vectorEffect="non-scaling-stroke"
                  />
                </g>
              );
            })}
          </svg>
          <Box display="flex" flexWrap="wrap" style={{ gap: 12 }}>
            {series.map(s => (
              <Typography key={s} variant="caption">
                <span
                  style={{
                    display: 'inline-block',
                    width: 10,
                    height: 10,
                    marginRight: 4,
                    background: color(s),
                  }}
                />
                {s}
              </Typography>
            ))}
            {markers.length > 0 && (
              <Typography variant="caption">
                <span
                  style={{
                    display: 'inline-block',
                    width: 0,
                    height: 10,
                    marginRight: 4,
                    borderLeft: `2px dashed ${theme.palette.text.primary}`,
                  }}
                />
                {markers.length === 1
                  ? `1 release to ${environment}`
                  : `${markers.length} releases to ${environment}`}{' '}
                (hover a marker for the service and version)
              </Typography>
            )}
          </Box>
        </>
      )}
      {releases.state === 'unavailable' && (
        <Typography variant="caption" color="textSecondary" role="note">
          Release markers are not shown: {releases.message}
        </Typography>
      )}
    </Box>
  );
}
