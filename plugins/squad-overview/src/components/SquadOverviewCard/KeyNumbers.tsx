import { ReactNode } from 'react';
import { Box, Grid, Typography } from '@material-ui/core';
import { Link, WarningPanel } from '@backstage/core-components';
import {
  driftScore,
  formatDrift,
} from '@internal/plugin-release-status-common';
import { SquadOverviewResponse } from '@internal/plugin-squad-overview-common';
import { useEntityLink } from '../links';

function Figure(props: {
  label: string;
  value: number;
  target?: string;
  good?: boolean;
  children?: ReactNode;
}) {
  const { label, value, target, good, children } = props;
  return (
    <Box mb={2}>
      <Typography variant="overline" component="h3">
        {label}
      </Typography>
      <Typography
        variant="h4"
        component="p"
        aria-label={`${label}: ${value}`}
        color={good === false ? 'error' : 'initial'}
      >
        {value.toLocaleString('en-US')}
      </Typography>
      {target && (
        <Typography variant="caption" color="textSecondary">
          Target: {target}
        </Typography>
      )}
      {children}
    </Box>
  );
}

/** The numbers a squad looks at first: services, dead letters, drift. */
export function KeyNumbers(props: {
  squadRef: string;
  data: SquadOverviewResponse;
}) {
  const { squadRef, data } = props;
  const link = useEntityLink();
  const byType = new Map<string, number>();
  for (const s of data.services) {
    byType.set(s.type, (byType.get(s.type) ?? 0) + 1);
  }
  const production =
    data.releases.environments[data.releases.environments.length - 1];
  const behind = data.services
    .filter(
      s =>
        (s.release?.environments.find(e => e.environment === production)?.drift
          ?.commitsBehind ?? 0) > 0,
    )
    .sort(
      (a, b) =>
        driftScore(b.release!, production) - driftScore(a.release!, production),
    );

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} sm={4}>
        <Figure label="Services" value={data.services.length}>
          <Typography variant="body2" color="textSecondary">
            {[...byType]
              .sort((a, b) => b[1] - a[1])
              .map(([t, n]) => `${t}: ${n}`)
              .join(', ') || 'none owned'}
          </Typography>
        </Figure>
      </Grid>
      <Grid item xs={12} sm={4}>
        {data.deadLetters.environments.length
          ? data.deadLetters.environments.map(env => {
              const total = data.services.reduce(
                (n, s) => n + (s.deadLetters[env] ?? 0),
                0,
              );
              return (
                <Figure
                  key={env}
                  label={`Dead letters in ${env}`}
                  value={total}
                  target="0"
                  good={total === 0}
                >
                  <Box>
                    <Link to={link(squadRef, '/dead-letter')}>
                      Open the Dead Letter tab
                    </Link>
                  </Box>
                </Figure>
              );
            })
          : !data.deadLetters.error && (
              <Typography variant="body2" color="textSecondary">
                Dead letters: no environment is configured
                (deadLetter.environments).
              </Typography>
            )}
      </Grid>
      <Grid item xs={12} sm={4}>
        {production ? (
          <Figure
            label={`Behind master in ${production}`}
            value={behind.length}
            target="0"
            good={behind.length === 0}
          >
            <ul
              aria-label={`Services behind in ${production}`}
              style={{ margin: 0, paddingLeft: 16 }}
            >
              {behind.slice(0, 5).map(s => {
                const env = s.release!.environments.find(
                  e => e.environment === production,
                )!;
                return (
                  <li key={s.entityRef}>
                    <Link to={link(s.entityRef, '/releases')}>{s.name}</Link>:{' '}
                    {formatDrift(env.drift!, s.release!.defaultBranch)}
                  </li>
                );
              })}
            </ul>
          </Figure>
        ) : (
          <Typography variant="body2" color="textSecondary">
            Release status is not available.
          </Typography>
        )}
      </Grid>
    </Grid>
  );
}

/** Sections whose source failed; the rest still shows. */
export function PartErrors(props: { data: SquadOverviewResponse }) {
  const { deadLetters, releases } = props.data;
  const parts = [
    { part: 'dead letters', error: deadLetters.error },
    { part: 'release status', error: releases.error },
  ];
  return (
    <>
      {parts.map(({ part, error }) =>
        error ? (
          <Box mb={2} key={part}>
            <WarningPanel
              severity="warning"
              title={`Could not load ${part}`}
              message={error.message}
            />
          </Box>
        ) : null,
      )}
    </>
  );
}
