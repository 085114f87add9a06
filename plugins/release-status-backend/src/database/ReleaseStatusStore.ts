import { ReleaseStatus } from '@internal/plugin-release-status-common';

/** A component's stored release status and how it got there. */
export interface StoredReleaseStatus {
  /** Lower-case component entity ref. */
  entityRef: string;
  /** Null until the component was computed once. */
  status: ReleaseStatus | null;
  /** The sources' versions when `status` was computed; see `Fingerprint`. */
  fingerprint: string | null;
  /** When `status` was computed (ISO). */
  computedAt: string | null;
  /** When a refresh last looked at the component (ISO). */
  checkedAt: string | null;
  /** Why the last refresh of this component failed, or a source failed. */
  lastError: string | null;
  lastErrorAt: string | null;
}

/** Where the scheduled refresh keeps release statuses. */
export interface ReleaseStatusStore {
  get(entityRef: string): Promise<StoredReleaseStatus | undefined>;
  /** Stored statuses by (lower-case) entity ref; missing ones are absent. */
  getMany(entityRefs: string[]): Promise<Map<string, StoredReleaseStatus>>;
  /**
   * Stored statuses by (lower-case) entity ref of the components the last
   * refresh saw owned by `ownerRef`, or of all components without one. A
   * component whose owner changed since is missing or extra here: callers
   * take the catalog's list as the truth and ask `getMany` for the rest.
   */
  listByOwner(ownerRef?: string): Promise<Map<string, StoredReleaseStatus>>;
  /**
   * A freshly computed status; `error` says which source failed, if one did.
   * Each write records the component's owner (`ownerRef`, null for none).
   */
  saveComputed(entry: {
    entityRef: string;
    ownerRef: string | null;
    status: ReleaseStatus;
    fingerprint: string | null;
    at: Date;
    error: string | null;
  }): Promise<void>;
  /** A refresh found the sources unchanged: the stored status stands. */
  markChecked(
    entityRef: string,
    at: Date,
    ownerRef: string | null,
  ): Promise<void>;
  /** A refresh failed: the last status stays, with why and when. */
  saveError(
    entityRef: string,
    message: string,
    at: Date,
    ownerRef: string | null,
  ): Promise<void>;
  /** Entity refs of every stored component. */
  listEntityRefs(): Promise<string[]>;
  /** Forgets components (no longer in the catalog). */
  remove(entityRefs: string[]): Promise<void>;
}
