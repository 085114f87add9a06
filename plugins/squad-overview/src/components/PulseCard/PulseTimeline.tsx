import { Box, Typography, useTheme } from '@material-ui/core';
import { PulseEntry } from '@internal/plugin-squad-overview-common';

const HOUR = 3_600_000;
/** The span of the axis: the dead-letter bursts' span (7 days of hours). */
export const TIMELINE_HOURS = 7 * 24;
const WIDTH = 840;
const LANE = 24;

/** The kinds drawn on the axis: releases as markers, bursts as blocks. */
const RELEASE_KINDS: ReadonlyArray<PulseEntry['kind']> = [
  'released',
  'release-failed',
];

/** An entry placed on an environment's lane. */
export interface TimelineMark {
  entry: PulseEntry;
  environment: string;
  /** Left edge in the 840-wide view box. */
  x: number;
  /** Width in the view box: 0 for a release (a line), an hour for a burst. */
  width: number;
}

/**
 * The pulse's releases and dead-letter bursts in the last TIMELINE_HOURS
 * before `now`, one lane per environment: environments in `order` first
 * (release promotion order, then dead-letter environments), then others
 * by name. Entries without an environment (catalog changes) are left out.
 */
export function timelineLanes(
  items: PulseEntry[],
  order: string[],
  now: number,
): Array<{ environment: string; marks: TimelineMark[] }> {
  const start = now - TIMELINE_HOURS * HOUR;
  const scale = WIDTH / (TIMELINE_HOURS * HOUR);
  const lanes = new Map<string, TimelineMark[]>();
  for (const entry of items) {
    const environment = entry.environment;
    if (!environment) continue;
    const release = RELEASE_KINDS.includes(entry.kind);
    if (!release && entry.kind !== 'dead-letter-burst') continue;
    const at = Date.parse(entry.at);
    if (!(at >= start && at <= now)) continue;
    const marks = lanes.get(environment) ?? [];
    marks.push({
      entry,
      environment,
      x: (at - start) * scale,
      width: release ? 0 : HOUR * scale,
    });
    lanes.set(environment, marks);
  }
  const rank = (e: string) => {
    const i = order.indexOf(e);
    return i < 0 ? order.length : i;
  };
  return [...lanes.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([environment, marks]) => ({
      environment,
      marks: marks.sort((a, b) => a.x - b.x),
    }));
}

const utcMinute = (iso: string) =>
  `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * The pulse on a time axis: per environment, a dashed marker per release
 * and a block per dead-letter burst hour, over the same 7 days as the
 * dead-letter hourly chart, so a burst lines up with the release before
 * it. Hovering a mark shows its pulse line and time.
 */
export function PulseTimeline(props: {
  items: PulseEntry[];
  environments: string[];
  now: number;
}) {
  const theme = useTheme();
  const lanes = timelineLanes(props.items, props.environments, props.now);
  if (!lanes.length) return null;
  const height = lanes.length * LANE;
  const label = `Releases and dead-letter bursts per environment, last ${
    TIMELINE_HOURS / 24
  } days`;
  return (
    <Box mb={2}>
      <Typography variant="subtitle2">{label}</Typography>
      <Box display="flex" alignItems="flex-start">
        <Box flex="0 0 auto" mr={1}>
          {lanes.map(l => (
            <Typography
              key={l.environment}
              variant="caption"
              component="div"
              style={{ height: LANE, lineHeight: `${LANE}px` }}
            >
              {l.environment}
            </Typography>
          ))}
        </Box>
        <svg
          role="img"
          aria-label={label}
          viewBox={`0 0 ${WIDTH} ${height}`}
          width="100%"
          height={height}
          preserveAspectRatio="none"
          style={{ flex: 1 }}
        >
          {lanes.map((lane, i) => (
            <g key={lane.environment} data-environment={lane.environment}>
              <line
                x1={0}
                x2={WIDTH}
                y1={(i + 1) * LANE - 0.5}
                y2={(i + 1) * LANE - 0.5}
                stroke={theme.palette.divider}
                vectorEffect="non-scaling-stroke"
              />
              {lane.marks.map(m => {
                const title = `${m.entry.summary} (${utcMinute(m.entry.at)})`;
                if (m.width > 0) {
                  return (
                    <rect
                      key={m.entry.key}
                      data-testid="pulse-burst"
                      data-x={m.x.toFixed(1)}
                      x={m.x}
                      y={i * LANE + 4}
                      width={m.width}
                      height={LANE - 8}
                      fill={theme.palette.error.light}
                    >
                      <title>{title}</title>
                    </rect>
                  );
                }
                return (
                  <g
                    key={m.entry.key}
                    data-testid="pulse-release-marker"
                    data-x={m.x.toFixed(1)}
                  >
                    <title>{title}</title>
                    {/* A wider invisible target, so the tooltip is easy to hover. */}
                    <rect
                      x={m.x - 4}
                      y={i * LANE}
                      width={8}
                      height={LANE}
                      fill="transparent"
                    />
                    <line
                      x1={m.x}
                      x2={m.x}
                      y1={i * LANE + 2}
                      y2={(i + 1) * LANE - 2}
                      stroke={
                        m.entry.kind === 'release-failed'
                          ? theme.palette.error.main
                          : theme.palette.text.primary
                      }
                      strokeWidth={1.5}
                      strokeDasharray="4 3"
                      vectorEffect="non-scaling-stroke"
                    />
                  </g>
                );
              })}
            </g>
          ))}
        </svg>
      </Box>
      <Box display="flex" justifyContent="space-between">
        <Typography variant="caption" color="textSecondary">
          {TIMELINE_HOURS / 24} days ago
        </Typography>
        <Typography variant="caption" color="textSecondary">
          dashed: a release; block: a dead-letter burst hour; hover for details
        </Typography>
        <Typography variant="caption" color="textSecondary">
          now
        </Typography>
      </Box>
    </Box>
  );
}
