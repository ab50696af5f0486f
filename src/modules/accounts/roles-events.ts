// Role assignments replicate on the `global` topic, so every node can check
// every grant without asking anyone. They form an observed-remove set keyed
// by role id: a grant adds its id, a revoke removes that id for good. A
// revoke that arrives before its grant leaves a revoked row behind, which
// the late grant fills in but cannot revive. Each event carries its audit
// note, written by the applier, so the log replicates with the change.
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import type { RoleType } from '../../http/auth.js';
import type { ReplicatedEvent, ReplicationApi } from '../../core/context.js';
import { writeAudit, type AuditNote } from './audit.js';
import { roleAssignments } from './schema.js';

export const ROLE_GRANT = 'role.grant';
export const ROLE_REVOKE = 'role.revoke';
export const ROLES_TOPIC = 'global';

export interface RoleGrantPayload {
  roleId: string;
  userId: string;
  roleType: RoleType;
  storeId?: string;
  regionCode?: string;
  supplyHubId?: string;
  audit: AuditNote;
}

export interface RoleRevokePayload {
  roleId: string;
  /** Lets a revoke that outruns its grant still name whose role it was. */
  userId?: string;
  audit: AuditNote;
}

type ApplyEvent = Pick<ReplicatedEvent, 'origin' | 'topic' | 'seq' | 'hlc' | 'payload'>;

export async function applyRoleGrant(tx: Tx, event: ApplyEvent): Promise<void> {
  const p = event.payload as RoleGrantPayload;
  const grant = {
    userId: p.userId,
    roleType: p.roleType,
    storeId: p.storeId ?? null,
    regionCode: p.regionCode ?? null,
    supplyHubId: p.supplyHubId ?? null,
    grantedBy: p.audit.actor,
    grantedAt: new Date(p.audit.at),
    grantedHlc: event.hlc,
  };
  // On conflict only the grant's own columns change: a revoke already there stays.
  await tx
    .insert(roleAssignments)
    .values({ roleId: p.roleId, ...grant })
    .onConflictDoUpdate({ target: roleAssignments.roleId, set: grant });
  await writeAudit(tx, event, p.audit);
}

export async function applyRoleRevoke(tx: Tx, event: ApplyEvent): Promise<void> {
  const p = event.payload as RoleRevokePayload;
  const revoke = { revokedBy: p.audit.actor, revokedAt: new Date(p.audit.at), revokedHlc: event.hlc };
  // One upsert, so a grant applied concurrently cannot slip between a read and a write. With no
  // grant yet, the row's grant columns stay empty until it arrives, and it cannot undo this.
  // Two admins may revoke the same role at once: every node keeps the earliest revoke.
  const earlier = sql.raw('role_assignments.revoked_hlc is null or excluded.revoked_hlc collate "C" < role_assignments.revoked_hlc collate "C"');
  const pick = (column: 'revoked_by' | 'revoked_at' | 'revoked_hlc') => sql`case when ${earlier} then ${sql.raw(`excluded.${column}`)} else ${sql.raw(`role_assignments.${column}`)} end`;
  await tx
    .insert(roleAssignments)
    .values({ roleId: p.roleId, userId: p.userId ?? '', roleType: '', ...revoke })
    .onConflictDoUpdate({
      target: roleAssignments.roleId,
      set: { revokedBy: pick('revoked_by'), revokedAt: pick('revoked_at'), revokedHlc: pick('revoked_hlc') },
    });
  await writeAudit(tx, event, p.audit);
}

export function registerRoleAppliers(replication: Pick<ReplicationApi, 'on'>): void {
  replication.on(ROLE_GRANT, applyRoleGrant);
  replication.on(ROLE_REVOKE, applyRoleRevoke);
}
