import { useState } from 'react';
import {
  Box,
  Button,
  Chip,
  LinearProgress,
  Tooltip,
  Typography,
} from '@material-ui/core';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { RedeliveryJob } from '@internal/plugin-dead-letter-common';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';
import { duration } from '../format';
import { reasonOf } from '../Actions';
import { useReadOnlyReason } from '../Actions/readOnly';
import { useRedeliveryJobs } from './useRedeliveryJobs';

type Control = 'pause' | 'resume' | 'cancel';

/** Which controls a job in each state offers. */
const CONTROLS: Record<RedeliveryJob['state'], Control[]> = {
  queued: ['pause', 'cancel'],
  running: ['pause', 'cancel'],
  paused: ['resume', 'cancel'],
  cancelled: [],
  done: [],
  failed: [],
};

const STATE_COLOR: Record<
  RedeliveryJob['state'],
  'default' | 'primary' | 'secondary'
> = {
  queued: 'default',
  running: 'primary',
  paused: 'secondary',
  cancelled: 'default',
  done: 'default',
  failed: 'secondary',
};

/** What was selected: "3 messages" or the filter's fields. */
export function describeSelection(job: RedeliveryJob): string {
  if ('ids' in job.selection)
    return `${job.selection.ids} selected message${
      job.selection.ids === 1 ? '' : 's'
    }`;
  const fields = Object.entries(job.selection.filter).filter(
    ([, v]) => v !== undefined && v !== '',
  );
  return fields.length
    ? fields.map(([k, v]) => `${k}: ${v}`).join(', ')
    : 'every message';
}

const userName = (ref: string) => {
  try {
    return parseEntityRef(ref).name;
  } catch {
    return ref;
  }
};

/** A job's progress: a bar, the counts, the rate and what is left. */
function JobProgress(props: { job: RedeliveryJob }) {
  const { job } = props;
  const p = job.progress;
  const done = p.published + p.failed;
  const percent = p.total ? (100 * done) / p.total : 100;
  const reasons = Object.entries(p.failedByReason)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${r}: ${n}`)
    .join(', ');
  return (
    <Box minWidth={220}>
      <LinearProgress
        variant="determinate"
        value={percent}
        aria-label={`Job ${job.id}: ${done} of ${p.total} handled`}
      />
      <Typography variant="caption" component="div">
        {p.published.toLocaleString('en-US')} of{' '}
        {p.total.toLocaleString('en-US')} redelivered
        {p.failed > 0 && (
          <Tooltip title={reasons}>
            <span>, {p.failed.toLocaleString('en-US')} failed</span>
          </Tooltip>
        )}
        {p.remaining > 0 && `, ${p.remaining.toLocaleString('en-US')} left`}
        {p.duplicateWindow > 0 &&
          `, ${p.duplicateWindow} possibly twice (same redelivery id)`}
        {p.refailed > 0 &&
          `, ${p.refailed.toLocaleString('en-US')} came back dead-lettered`}
      </Typography>
      {p.arrivedAfterPreview > 0 && (
        <Typography variant="caption" component="div">
          {p.arrivedAfterPreview.toLocaleString('en-US')} arrived after the
          preview, left alone
        </Typography>
      )}
      {p.goneSincePreview > 0 && (
        <Typography variant="caption" component="div">
          {p.goneSincePreview.toLocaleString('en-US')} previewed were gone
          before the job started
        </Typography>
      )}
    </Box>
  );
}

/**
 * An environment's redelivery jobs, live: who started which, how far each
 * got, at what rate, and pause, resume and cancel. `squad` and `service`
 * narrow it to the jobs that redeliver that squad's or service's messages.
 */
export function RedeliveriesTable(props: {
  environment: string;
  squad?: string;
  service?: string;
}) {
  const { environment, squad, service } = props;
  const api = useApi(deadLetterApiRef);
  const readOnly = useReadOnlyReason();
  const { jobs, error, update, refresh } = useRedeliveryJobs(environment);
  const [busy, setBusy] = useState<string>();
  const [refused, setRefused] = useState<string>();

  if (readOnly)
    return (
      <EmptyState
        missing="data"
        title="No redeliveries of sample data"
        description={readOnly}
      />
    );
  if (!jobs && error) return <ResponseErrorPanel error={error} />;
  if (!jobs) return <Progress />;

  const shown = jobs.filter(
    j =>
      (!squad || j.squads.includes(squad)) &&
      (!service || j.services.includes(service)),
  );

  const steer = async (job: RedeliveryJob, action: Control) => {
    setBusy(job.id);
    setRefused(undefined);
    try {
      update(await api.controlRedelivery(job.id, action));
      refresh();
    } catch (e) {
      setRefused(`Could not ${action} job ${job.id}: ${reasonOf(e)}`);
    } finally {
      setBusy(undefined);
    }
  };

  const columns: TableColumn<RedeliveryJob>[] = [
    {
      title: 'Started',
      render: job => (
        <>
          <Typography variant="body2">
            {new Date(job.createdAt).toLocaleString()}
          </Typography>
          <Typography variant="caption" color="textSecondary">
            by {userName(job.createdBy)}
          </Typography>
        </>
      ),
    },
    {
      title: 'Selection',
      render: job => (
        <>
          <Typography variant="body2">{describeSelection(job)}</Typography>
          <Typography variant="caption" color="textSecondary">
            {job.squads.map(s => s ?? '(no owner)').join(', ')}
          </Typography>
        </>
      ),
    },
    {
      title: 'State',
      render: job => (
        <Tooltip title={job.error ?? job.pausedReason ?? ''}>
          <Chip
            size="small"
            label={job.state}
            color={STATE_COLOR[job.state]}
            aria-label={`State of job ${job.id}: ${job.state}`}
          />
        </Tooltip>
      ),
    },
    { title: 'Progress', render: job => <JobProgress job={job} /> },
    {
      title: 'Rate',
      render: job => (
        <Typography variant="body2">
          {job.state === 'running'
            ? `${Math.round(job.progress.currentRate)}/s`
            : '—'}{' '}
          <Typography variant="caption" color="textSecondary">
            (target {job.rate ? `${job.rate}/s` : 'unlimited'}
            {job.ramp?.length ? ', slow start' : ''})
          </Typography>
        </Typography>
      ),
    },
    {
      title: 'ETA',
      render: job =>
        job.progress.etaSeconds !== null
          ? duration(job.progress.etaSeconds)
          : '—',
    },
    {
      title: 'Actions',
      render: job => (
        <Box display="flex" style={{ gap: 4 }}>
          {CONTROLS[job.state].map(action => (
            <Button
              key={action}
              size="small"
              variant="outlined"
              color={action === 'cancel' ? 'secondary' : 'primary'}
              disabled={busy === job.id}
              onClick={() => steer(job, action)}
              aria-label={`${action[0].toUpperCase()}${action.slice(1)} job ${
                job.id
              }`}
            >
              {action}
            </Button>
          ))}
        </Box>
      ),
    },
  ];

  return (
    <>
      {refused && (
        <Box mb={2} role="alert">
          <WarningPanel severity="error" title={refused} />
        </Box>
      )}
      {error && (
        <Box mb={2}>
          <WarningPanel
            severity="warning"
            title="Could not refresh the redelivery jobs; showing the last known state."
          />
        </Box>
      )}
      {shown.length === 0 ? (
        <EmptyState
          missing="data"
          title={`No redeliveries in ${environment}${
            squad ? ` for ${squad}` : ''
          }${service ? ` for ${service}` : ''}`}
          description="Redeliver messages from a table or an error group: each redelivery is a job you can follow, pause and cancel here."
        />
      ) : (
        <Table<RedeliveryJob>
          title={`Redeliveries in ${environment}`}
          options={{
            paging: shown.length > 20,
            pageSize: 20,
            padding: 'dense',
            search: false,
          }}
          columns={columns}
          data={shown}
        />
      )}
    </>
  );
}
