import { DatabaseService } from '@backstage/backend-plugin-api';

type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

/** Who holds an entity ref in the catalog. */
export interface EntityHolder {
  /**
   * The location that stored the entity first and keeps it (the catalog's
   * `location_key`); undefined for entities without one.
   */
  locationKey?: string;
  /** True when no location or provider declares the entity any more. */
  orphan: boolean;
}

/**
 * What the shuttle processor needs to know about the catalog while it
 * processes a location: who already holds the refs it is about to emit, and
 * whether the owner group exists.
 */
export interface CatalogState {
  /** The holders of those refs that exist in the catalog, by ref. */
  holders(entityRefs: string[]): Promise<Map<string, EntityHolder>>;
}

/**
 * Reads the catalog's own processing state (`refresh_state`, the table in
 * which the catalog decides which location holds an entity ref), through
 * the catalog plugin's database: this module is a catalog module and so
 * shares that database. One indexed query per processed location, two when
 * a ref is held elsewhere.
 */
export class DatabaseCatalogState implements CatalogState {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseCatalogState> {
    return new DatabaseCatalogState(await options.database.getClient());
  }

  private constructor(private readonly db: Knex) {}

  async holders(entityRefs: string[]): Promise<Map<string, EntityHolder>> {
    const refs = [
      ...new Set(entityRefs.map(r => r.toLocaleLowerCase('en-US'))),
    ];
    const result = new Map<string, EntityHolder>();
    if (!refs.length) return result;
    const rows: { entity_ref: string; location_key: string | null }[] =
      await this.db('refresh_state')
        .select('entity_ref', 'location_key')
        .whereIn('entity_ref', refs);
    const keyed = rows.filter(r => r.location_key).map(r => r.entity_ref);
    const referenced = new Set<string>();
    if (keyed.length) {
      const refRows: { target_entity_ref: string }[] = await this.db(
        'refresh_state_references',
      )
        .distinct('target_entity_ref')
        .whereIn('target_entity_ref', keyed);
      for (const r of refRows) referenced.add(r.target_entity_ref);
    }
    for (const row of rows) {
      result.set(row.entity_ref, {
        ...(row.location_key && { locationKey: row.location_key }),
        orphan: !!row.location_key && !referenced.has(row.entity_ref),
      });
    }
    return result;
  }
}
