// Usernames and emails are unique across the network (DESIGN §3): each name
// has an owner hub, chosen by a stable hash of the name over the hubs, which
// arbitrates it. Pure parts here; the arbiter that talks to hubs is claims.ts.

import { createHash } from 'node:crypto';

/** What a new account asks its owner hubs to record. */
export interface NameClaim {
  userId: string;
  /** Lower-cased username and email. */
  usernameKey: string;
  emailKey: string;
  /** The account's creation stamp (an encoded hlc): the earliest keeps a contested name. */
  stamp: string;
}

export type ClaimOutcome =
  | { outcome: 'confirmed' }
  | { outcome: 'taken'; field: 'username' | 'email' }
  /** No owner hub answered: the account is provisional until a later claim settles it. */
  | { outcome: 'unreachable' };

export interface NameArbiter {
  claim(c: NameClaim): Promise<ClaimOutcome>;
  /** Undoes a claim whose account was never written (a failed sign-up or rename): frees these claim keys of `userId`. */
  release(userId: string, keys: string[]): Promise<void>;
}

/** Where an account a node does not hold can be found, and pulled from (a visitor's first login). */
export interface AccountLocator {
  /** Finds the account's user id at a hub and pulls its `user:<id>` topic here; undefined when no hub knows the name. */
  fetchByUsername(usernameKey: string): Promise<string | undefined>;
}

export const usernameClaimKey = (usernameKey: string): string => `username:${usernameKey}`;
export const emailClaimKey = (emailKey: string): string => `email:${emailKey}`;

/**
 * The owner of a claim key among hub ids: highest random weight (rendezvous)
 * hashing, so adding or removing a hub moves only the names it wins or held.
 */
export function ownerHub(claimKey: string, hubIds: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = '';
  for (const hub of hubIds) {
    const weight = createHash('sha256').update(`${hub}\n${claimKey}`).digest('hex');
    if (best === undefined || weight > bestWeight || (weight === bestWeight && hub < best)) {
      best = hub;
      bestWeight = weight;
    }
  }
  return best;
}
