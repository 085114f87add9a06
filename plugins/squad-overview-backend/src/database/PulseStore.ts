import {
  PulseEvent,
  PulseEventKind,
} from '@internal/plugin-squad-overview-common';

/** A pulse event to store; `dedupKey` makes storing it idempotent. */
export interface NewPulseEvent {
  dedupKey: string;
  kind: PulseEventKind | 'unreadable';
  occurredAt: string;
  squad: string | null;
  entityRef: string | null;
  service: string;
  environment: string | null;
  actor: string | null;
  artifactId?: string | null;
  summary: string;
  /** The message body of an event that could not be read. */
  raw?: string;
}

/** A component as the catalog tracker last saw it. */
export interface SnapshotEntry {
  entityRef: string;
  name: string;
  service: string;
  owner: string | null;
}

/** Where the pulse and the catalog snapshot live. */
export interface PulseStore {
  /** Stores events; ones already stored (same dedup key) are skipped. Returns how many were new. */
  insertEvents(events: NewPulseEvent[]): Promise<number>;
  /** A squad's events, newest first. */
  listForSquad(squad: string, limit: number): Promise<PulseEvent[]>;
  snapshot(): Promise<SnapshotEntry[]>;
  /** Replaces snapshot entries and stores their events in one transaction. */
  applyCatalogChanges(changes: {
    upserts: SnapshotEntry[];
    removals: string[];
    events: NewPulseEvent[];
  }): Promise<void>;
  /** The component (and owner) release-manager's service name belongs to. */
  findService(service: string): Promise<SnapshotEntry | undefined>;
  /** Deletes events older than `before`; returns how many. */
  prune(before: Date): Promise<number>;
}
