// Favorite drinks as an observed-remove set (DESIGN §3): an add carries a
// fresh tag, a remove carries the tags it saw, so an add at one store and a
// concurrent remove at another end the same way everywhere (the add wins),
// and adding a favorite already there makes no second one.
import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import type { ReplicationApi } from '../../core/context.js';
import { FAVORITE_ADD, FAVORITE_REMOVE, applyFavoriteAdd, applyFavoriteRemove, userTopic } from './events.js';
import { accountFavorites } from './schema.js';

export interface Favorite {
  drinkId: string;
}

export class FavoriteService {
  constructor(
    private readonly db: Db,
    private readonly replication: ReplicationApi,
  ) {}

  async list(userId: string): Promise<Favorite[]> {
    const rows = await this.db
      .selectDistinct({ drinkId: accountFavorites.drinkId })
      .from(accountFavorites)
      .where(and(eq(accountFavorites.userId, userId), eq(accountFavorites.removed, false)))
      .orderBy(asc(accountFavorites.drinkId));
    return rows;
  }

  private async liveTags(userId: string, drinkId: string): Promise<string[]> {
    const rows = await this.db
      .select({ tag: accountFavorites.tag })
      .from(accountFavorites)
      .where(and(eq(accountFavorites.userId, userId), eq(accountFavorites.drinkId, drinkId), eq(accountFavorites.removed, false)));
    return rows.map((r) => r.tag).sort();
  }

  /** Adds a favorite; true when it was not one already. */
  async add(userId: string, drinkId: string): Promise<boolean> {
    if ((await this.liveTags(userId, drinkId)).length > 0) return false;
    await this.replication.subscribe(userTopic(userId));
    await this.replication.transaction(async (tx, emit) => {
      const ev = await emit({ topic: userTopic(userId), type: FAVORITE_ADD, payload: { userId, drinkId, tag: randomUUID() } });
      await applyFavoriteAdd(tx, ev);
    });
    return true;
  }

  /** Removes a favorite as this node sees it; true when it was one. */
  async remove(userId: string, drinkId: string): Promise<boolean> {
    const tags = await this.liveTags(userId, drinkId);
    if (tags.length === 0) return false;
    await this.replication.subscribe(userTopic(userId));
    await this.replication.transaction(async (tx, emit) => {
      const ev = await emit({ topic: userTopic(userId), type: FAVORITE_REMOVE, payload: { userId, drinkId, tags } });
      await applyFavoriteRemove(tx, ev);
    });
    return true;
  }
}
