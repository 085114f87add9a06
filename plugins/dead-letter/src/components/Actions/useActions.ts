import { useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  DeadLetterSelection,
  RedeliveryJob,
  RedeliveryRateStep,
  deadLetterMessageDeletePermission,
  deadLetterMessageRedeliverPermission,
} from '@internal/plugin-dead-letter-common';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';
import { useReadOnlyReason } from './readOnly';
import { plural } from '../format';

/** How often a started redelivery job's progress is asked for. */
const FOLLOW_MS = 1_000;

/** The backend's reason when it gave one (a 403 says why), else the message. */
export function reasonOf(e: unknown): string {
  const body = (e as { body?: { error?: { message?: string } } }).body;
  return body?.error?.message || (e as Error).message;
}

/** What the last action did, shown above the table. */
export interface ActionOutcome {
  severity: 'info' | 'warning' | 'error';
  text: string;
  /** Lines under the text: failures and their reasons. */
  details: string[];
  /** The redelivery job the action started, while it is followed. */
  jobId?: string;
}

/** An action waiting for confirmation. */
export interface PendingAction {
  kind: 'redeliver' | 'delete';
  selection: DeadLetterSelection;
  count: number;
}

/** How fast a redelivery job publishes (see CreateRedeliveryRequest). */
export interface RedeliveryPace {
  rate?: number;
  ramp?: RedeliveryRateStep[];
  /** The dry run's token: the job takes exactly what it previewed. */
  previewToken?: string;
}

const FINISHED: RedeliveryJob['state'][] = ['done', 'cancelled', 'failed'];
/** What a redelivery job's state means to the person who started it. */
export function jobOutcome(job: RedeliveryJob): ActionOutcome {
  const p = job.progress;
  const details = Object.entries(p.failedByReason)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${plural(n, 'message')} failed: ${reason}`);
  if (p.refailed > 0)
    details.push(
      `${plural(
        p.refailed,
        'message',
      )} came back dead-lettered after redelivery`,
    );
  if (p.arrivedAfterPreview > 0)
    details.push(
      `${plural(
        p.arrivedAfterPreview,
        'message',
      )} arrived after the preview and were left alone`,
    );
  if (p.goneSincePreview > 0)
    details.push(
      `${plural(
        p.goneSincePreview,
        'previewed message',
      )} were gone (deleted or redelivered by someone else) and skipped`,
    );
  if (p.duplicateWindow > 0)
    details.push(
      `${plural(
        p.duplicateWindow,
        'message',
      )} may have been published twice (a replica stopped mid-publish); they carry the same redelivery id`,
    );
  const failed = p.failed ? `, ${p.failed} failed` : '';
  switch (job.state) {
    case 'done':
      return {
        severity: p.failed ? 'warning' : 'info',
        text: `${p.published} redelivered${failed}.`,
        details,
      };
    case 'cancelled':
      return {
        severity: 'warning',
        text: `Redelivery cancelled: ${p.published} redelivered${failed}, ${p.remaining} left as they were.`,
        details,
      };
    case 'failed':
      return {
        severity: 'error',
        text: `Redelivery failed after ${p.published} messages: ${
          job.error ?? 'unknown error'
        }`,
        details,
      };
    case 'paused':
      if (job.pausedReason)
        return {
          severity: 'warning',
          text: `Redelivery job ${job.id} paused itself after ${p.published} of ${p.total}: ${job.pausedReason}. Resume or cancel it under Redeliveries.`,
          details,
          jobId: job.id,
        };
      return {
        severity: 'info',
        text: `Redelivery job ${job.id} paused after ${p.published} of ${p.total}. Resume or cancel it under Redeliveries.`,
        details,
        jobId: job.id,
      };
    default:
      return {
        severity: 'info',
        text: `Redelivery job ${job.id} ${job.state}: ${p.published} of ${
          p.total
        } redelivered${failed}${
          job.rate ? ` at up to ${job.rate} messages per second` : ''
        }. Follow it under Redeliveries.`,
        details,
        jobId: job.id,
      };
  }
}

/**
 * Why the user may not redeliver or delete messages like `sampleId`
 * (undefined when allowed or not yet known). All of a service's messages
 * belong to the same squad, so one message stands for them all.
 */
export function useActionPermissions(sampleId?: string) {
  const redeliverPermission = usePermission({
    permission: deadLetterMessageRedeliverPermission,
    resourceRef: sampleId,
  });
  const deletePermission = usePermission({
    permission: deadLetterMessageDeletePermission,
    resourceRef: sampleId,
  });
  const readOnly = useReadOnlyReason();
  const denied = (verb: string, p: { loading: boolean; allowed: boolean }) => {
    if (readOnly) return readOnly;
    return !sampleId || p.loading || p.allowed
      ? undefined
      : `You may not ${verb} these messages: only members of the squad that owns the service can.`;
  };
  return {
    redeliver: denied('redeliver', redeliverPermission),
    delete: denied('delete', deletePermission),
  };
}

/**
 * Redeliver and delete, with the permission decisions that enable them,
 * asked for one message of the current page (`sampleId`).
 */
export function useActions(options: { sampleId?: string; onDone: () => void }) {
  const api = useApi(deadLetterApiRef);
  const denied = useActionPermissions(options.sampleId);
  const [pending, setPending] = useState<PendingAction>();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ActionOutcome>();
  const following = useRef<string>();
  useEffect(() => () => (following.current = undefined), []);

  /** Shows a job's progress until it finishes (or another action starts). */
  const follow = async (job: RedeliveryJob) => {
    following.current = job.id;
    let current = job;
    for (;;) {
      if (following.current !== job.id) return;
      setOutcome(jobOutcome(current));
      if (FINISHED.includes(current.state)) break;
      await new Promise(r => setTimeout(r, FOLLOW_MS));
      try {
        current = await api.redelivery(job.id);
      } catch {
        // Shown again on the next poll; the job runs on in the backend.
      }
    }
    following.current = undefined;
    options.onDone();
  };

  const run = async (action: PendingAction, pace: RedeliveryPace = {}) => {
    setBusy(true);
    following.current = undefined;
    try {
      if (action.kind === 'redeliver') {
        const job = await api.createRedelivery({
          ...action.selection,
          ...pace,
        });
        setBusy(false);
        setPending(undefined);
        await follow(job);
        return;
      }
      const result = await api.delete(action.selection);
      setOutcome({
        severity: 'info',
        text: `${result.deleted} deleted.`,
        details: [],
      });
    } catch (e) {
      setOutcome({
        severity: 'error',
        text: `Could not ${action.kind}: ${reasonOf(e)}`,
        details: [],
      });
    } finally {
      setBusy(false);
      setPending(undefined);
    }
    options.onDone();
  };

  return {
    pending,
    busy,
    outcome,
    clearOutcome: () => {
      following.current = undefined;
      setOutcome(undefined);
    },
    /** Asks for confirmation first. */
    request: setPending,
    cancel: () => setPending(undefined),
    /** Runs the pending action; a redelivery at `pace`. */
    confirm: (pace?: RedeliveryPace) => pending && run(pending, pace),
    /** Why the user may not take each action; undefined when allowed. */
    denied,
  };
}
