// Role assignments: who holds which role, where. Assigning and revoking
// write the change and its `global` event in one transaction and apply it
// here with the same function every other node applies it with; reading is
// local, so a token is checked without asking anyone (DESIGN §5).
import { randomUUID } from 'node:crypto';
import { and, asc, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import type { RoleGrant, RoleType } from '../../http/auth.js';
import { Invalid, NotFound, type FieldError } from '../../http/errors.js';
import type { NodeContext, ReplicationApi } from '../../core/context.js';
import type { AuditNote } from './audit.js';
import { ROLE_GRANT, ROLE_REVOKE, ROLES_TOPIC, applyRoleGrant, applyRoleRevoke, type RoleGrantPayload, type RoleRevokePayload } from './roles-events.js';
import { roleAssignments } from './schema.js';

/** Roles an assignment can give. ACCOUNT_USER comes with every active account; GENERAL_USER is a guest's, held by no account. */
export const assignableRoles = ['MANAGER', 'ADMIN', 'LOGISTICS_MANAGER', 'REPAIR_STAFF', 'SUPER_ADMIN'] as const satisfies readonly RoleType[];
export type AssignableRole = (typeof assignableRoles)[number];

export interface RoleAssignment {
  roleId: string;
  userId: string;
  roleType: RoleType;
  storeId: string | null;
  regionCode: string | null;
  supplyHubId: string | null;
  grantedBy: string | null;
  grantedAt: string | null;
  revokedBy: string | null;
  revokedAt: string | null;
}

export interface AssignInput {
  userId: string;
  roleType: RoleType;
  storeId?: string | undefined;
  regionCode?: string | undefined;
  supplyHubId?: string | undefined;
}

/** What this node knows of another node, to catch a store id that names a hub and the like. */
export type PlaceLookup = (nodeId: string) => { role: 'hub' | 'store'; region: string } | undefined;

type PlaceField = 'storeId' | 'regionCode' | 'supplyHubId';
const placeFields: Record<AssignableRole, { required: PlaceField[]; optional: PlaceField[] }> = {
  MANAGER: { required: ['storeId'], optional: [] },
  ADMIN: { required: ['storeId'], optional: [] },
  LOGISTICS_MANAGER: { required: ['regionCode'], optional: ['supplyHubId'] },
  REPAIR_STAFF: { required: ['regionCode'], optional: [] },
  SUPER_ADMIN: { required: [], optional: [] },
};

const isAssignable = (role: RoleType): role is AssignableRole => (assignableRoles as readonly RoleType[]).includes(role);

/** The shape rules of an assignment: which place each role names. Pure, so the routes and the CLI share it. */
export function assignmentProblems(input: AssignInput, place: PlaceLookup = () => undefined): FieldError[] {
  const { roleType } = input;
  if (!isAssignable(roleType)) {
    const why = roleType === 'ACCOUNT_USER' ? 'every active account holds it already' : 'it is the role of a guest, who has no account';
    return [{ field: 'body.roleType', message: `${roleType} is not assigned (${why}); assign one of ${assignableRoles.join(', ')}` }];
  }
  const rule = placeFields[roleType];
  const problems: FieldError[] = [];
  for (const field of rule.required) {
    if (input[field] === undefined) problems.push({ field: `body.${field}`, message: `${roleType} needs ${field}` });
  }
  for (const field of ['storeId', 'regionCode', 'supplyHubId'] as const) {
    if (input[field] !== undefined && !rule.required.includes(field) && !rule.optional.includes(field)) {
      const takes = [...rule.required, ...rule.optional];
      problems.push({ field: `body.${field}`, message: `${roleType} takes ${takes.length ? takes.join(' and ') : 'no store or region'}, not ${field}` });
    }
  }
  if (problems.length > 0) return problems;
  if (input.storeId !== undefined && place(input.storeId)?.role === 'hub') {
    problems.push({ field: 'body.storeId', message: `${input.storeId} is a supply hub, not a store` });
  }
  if (input.supplyHubId !== undefined) {
    const hub = place(input.supplyHubId);
    if (hub?.role === 'store') problems.push({ field: 'body.supplyHubId', message: `${input.supplyHubId} is a store, not a supply hub` });
    else if (hub && hub.region !== input.regionCode) {
      problems.push({ field: 'body.supplyHubId', message: `hub ${input.supplyHubId} serves region ${hub.region}, not ${input.regionCode}` });
    }
  }
  return problems;
}

type Row = typeof roleAssignments.$inferSelect;

function toAssignment(r: Row): RoleAssignment {
  return {
    roleId: r.roleId,
    userId: r.userId,
    roleType: r.roleType as RoleType,
    storeId: r.storeId,
    regionCode: r.regionCode,
    supplyHubId: r.supplyHubId,
    grantedBy: r.grantedBy,
    grantedAt: r.grantedAt?.toISOString() ?? null,
    revokedBy: r.revokedBy,
    revokedAt: r.revokedAt?.toISOString() ?? null,
  };
}

/** A grant counts once its grant event is here and no revoke is. */
const active = and(isNotNull(roleAssignments.grantedHlc), isNull(roleAssignments.revokedHlc));

export class RoleService {
  constructor(
    private readonly db: Db,
    private readonly replication: Pick<ReplicationApi, 'transaction'>,
    private readonly now: () => number,
    private readonly place: PlaceLookup = () => undefined,
  ) {}

  /** What the access layer checks a user's token against: their active grants. */
  async grantsOf(userId: string): Promise<RoleGrant[]> {
    const rows = await this.db
      .select({ roleType: roleAssignments.roleType, storeId: roleAssignments.storeId, regionCode: roleAssignments.regionCode })
      .from(roleAssignments)
      .where(and(eq(roleAssignments.userId, userId), active));
    return rows.map((r) => ({
      role: r.roleType as RoleType,
      ...(r.storeId !== null ? { storeId: r.storeId } : {}),
      ...(r.regionCode !== null ? { regionCode: r.regionCode } : {}),
    }));
  }

  /** A user's active assignments, oldest first. */
  async list(userId: string): Promise<RoleAssignment[]> {
    const rows = await this.db
      .select()
      .from(roleAssignments)
      .where(and(eq(roleAssignments.userId, userId), active))
      .orderBy(asc(roleAssignments.grantedAt), asc(roleAssignments.roleId));
    return rows.map(toAssignment);
  }

  /** One assignment, revoked or not; undefined when this node has not seen its grant. */
  async get(roleId: string): Promise<RoleAssignment | undefined> {
    const rows = await this.db.select().from(roleAssignments).where(eq(roleAssignments.roleId, roleId));
    const row = rows[0];
    return row && row.grantedHlc !== null ? toAssignment(row) : undefined;
  }

  /**
   * Gives a role. The same active grant given twice is one grant: the second
   * call returns the first with `created: false` and writes nothing.
   */
  async assign(input: AssignInput, actor: string): Promise<{ assignment: RoleAssignment; created: boolean }> {
    const problems = assignmentProblems(input, this.place);
    if (problems.length > 0) throw new Invalid(problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
    const same = (await this.list(input.userId)).find(
      (a) =>
        a.roleType === input.roleType &&
        a.storeId === (input.storeId ?? null) &&
        a.regionCode === (input.regionCode ?? null) &&
        a.supplyHubId === (input.supplyHubId ?? null),
    );
    if (same) return { assignment: same, created: false };

    const roleId = randomUUID();
    const place = {
      ...(input.storeId !== undefined ? { storeId: input.storeId } : {}),
      ...(input.regionCode !== undefined ? { regionCode: input.regionCode } : {}),
      ...(input.supplyHubId !== undefined ? { supplyHubId: input.supplyHubId } : {}),
    };
    const audit: AuditNote = {
      actor,
      action: ROLE_GRANT,
      target: `user:${input.userId}`,
      at: new Date(this.now()).toISOString(),
      detail: { roleId, roleType: input.roleType, ...place },
    };
    const payload: RoleGrantPayload = { roleId, userId: input.userId, roleType: input.roleType, ...place, audit };
    await this.replication.transaction(async (tx, emit) => {
      await applyRoleGrant(tx, await emit({ topic: ROLES_TOPIC, type: ROLE_GRANT, payload }));
    });
    return { assignment: (await this.get(roleId))!, created: true };
  }

  /** Takes a role away, for good. Revoking a revoked role changes nothing. */
  async revoke(roleId: string, actor: string): Promise<{ assignment: RoleAssignment; revoked: boolean }> {
    const current = await this.get(roleId);
    if (!current) throw new NotFound(`No role assignment ${roleId} here.`);
    if (current.revokedAt !== null) return { assignment: current, revoked: false };
    const audit: AuditNote = {
      actor,
      action: ROLE_REVOKE,
      target: `user:${current.userId}`,
      at: new Date(this.now()).toISOString(),
      detail: {
        roleId,
        roleType: current.roleType,
        ...(current.storeId !== null ? { storeId: current.storeId } : {}),
        ...(current.regionCode !== null ? { regionCode: current.regionCode } : {}),
      },
    };
    const payload: RoleRevokePayload = { roleId, userId: current.userId, audit };
    await this.replication.transaction(async (tx, emit) => {
      await applyRoleRevoke(tx, await emit({ topic: ROLES_TOPIC, type: ROLE_REVOKE, payload }));
    });
    return { assignment: (await this.get(roleId))!, revoked: true };
  }
}

/** The node's role service: its database, its replication, and what its mesh knows of other nodes. */
export function createRoleService(ctx: NodeContext): RoleService {
  const place: PlaceLookup = (nodeId) => {
    if (nodeId === ctx.identity.nodeId) return { role: ctx.config.role, region: ctx.config.region };
    const peer = ctx.mesh.peer(nodeId);
    return peer ? { role: peer.role, region: peer.region } : undefined;
  };
  return new RoleService(ctx.database.db, ctx.replication, () => ctx.clock.now(), place);
}
