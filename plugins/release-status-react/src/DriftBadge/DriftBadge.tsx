import { Chip, Tooltip } from '@material-ui/core';
import { makeStyles } from '@material-ui/core/styles';
import { Link } from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import {
  DEFAULT_DRIFT_THRESHOLDS,
  Drift,
  DriftThresholds,
  driftSeverity,
  formatDrift,
} from '@internal/plugin-release-status-common';

/** releaseStatus.environments in promotion order; the last is production. */
export function useEnvironments(): { all: string[]; production: string } {
  const config = useApi(configApiRef);
  const all = config.getOptionalStringArray('releaseStatus.environments') ?? [
    'dev',
    'staging',
    'prod',
  ];
  return { all, production: all[all.length - 1] };
}

/** releaseStatus.driftThresholds, with the defaults for what is not set. */
export function useDriftThresholds(): DriftThresholds {
  const config = useApi(configApiRef);
  const limit = (level: 'warning' | 'error') => ({
    commits:
      config.getOptionalNumber(
        `releaseStatus.driftThresholds.${level}.commits`,
      ) ?? DEFAULT_DRIFT_THRESHOLDS[level].commits,
    days:
      config.getOptionalNumber(`releaseStatus.driftThresholds.${level}.days`) ??
      DEFAULT_DRIFT_THRESHOLDS[level].days,
  });
  return { warning: limit('warning'), error: limit('error') };
}

const useStyles = makeStyles(theme => ({
  // Long labels wrap instead of widening narrow table columns.
  chip: { height: 'auto', minHeight: 24, maxWidth: '100%' },
  label: { whiteSpace: 'normal', paddingTop: 2, paddingBottom: 2 },
  ok: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  warning: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  error: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
}));

/**
 * "7 commits (13 days) behind master", coloured by the configured
 * thresholds; links to the comparison when there is one.
 */
export function DriftBadge(props: {
  drift: Drift | null;
  branch: string;
  /** Why there is no drift, shown instead. */
  missing?: string;
}) {
  const { drift, branch, missing } = props;
  const classes = useStyles();
  const thresholds = useDriftThresholds();
  if (!drift) {
    return (
      <Tooltip title={missing ?? ''}>
        <Chip size="small" variant="outlined" label="drift unknown" />
      </Tooltip>
    );
  }
  const severity = driftSeverity(drift, thresholds);
  const label = formatDrift(drift, branch);
  const chip = (
    <Chip
      size="small"
      className={classes[severity]}
      label={label}
      data-severity={severity}
      clickable={!!drift.compareUrl}
    />
  );
  return drift.compareUrl ? (
    <Link to={drift.compareUrl} aria-label={`${label}: compare`}>
      {chip}
    </Link>
  ) : (
    chip
  );
}
