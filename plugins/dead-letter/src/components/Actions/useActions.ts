import { useState } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  DeadLetterSelection,
  deadLetterMessageDeletePermission,
  deadLetterMessageRedeliverPermission,
} from '@internal/plugin-dead-letter-common';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';
import { useReadOnlyReason } from './readOnly';

/** The backend's reason when it gave one (a 403 says why), else the message. */
function reasonOf(e: unknown): string {
  const body = (e as { body?: { error?: { message?: string } } }).body;
  return body?.error?.message || (e as Error).message;
}

/** What the last action did, shown above the table. */
export interface ActionOutcome {
  severity: 'info' | 'warning' | 'error';
  text: string;
  failures: Array<{ id: string; reason: string }>;
}

/** An action waiting for confirmation. */
export interface PendingAction {
  kind: 'redeliver' | 'delete';
  selection: DeadLetterSelection;
  count: number;
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

  const run = async (action: PendingAction) => {
    setBusy(true);
    try {
      if (action.kind === 'redeliver') {
        const result = await api.redeliver(action.selection);
        const failed = result.failed.length;
        setOutcome({
          severity: failed ? 'warning' : 'info',
          text: `${result.redelivered} redelivered${
            failed ? `, ${failed} failed` : ''
          }.`,
          failures: result.failed,
        });
      } else {
        const result = await api.delete(action.selection);
        setOutcome({
          severity: 'info',
          text: `${result.deleted} deleted.`,
          failures: [],
        });
      }
    } catch (e) {
      setOutcome({
        severity: 'error',
        text: `Could not ${action.kind}: ${reasonOf(e)}`,
        failures: [],
      });
    } finally {
      setBusy(false);
      setPending(undefined);
      options.onDone();
    }
  };

  return {
    pending,
    busy,
    outcome,
    clearOutcome: () => setOutcome(undefined),
    /** Asks for confirmation first. */
    request: setPending,
    cancel: () => setPending(undefined),
    confirm: () => pending && run(pending),
    /** Why the user may not take each action; undefined when allowed. */
    denied,
  };
}
