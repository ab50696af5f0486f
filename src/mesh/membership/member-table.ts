// Membership's persistence in a node: the mesh_members table. Kept apart from
// membership.ts so the watching rules can run without a database (the
// simulation gives Membership a MemoryMemberStore instead).
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/database.js';
import type { CertChain } from '../admission/certificate.js';
import type { Member, MemberStore } from './membership.js';
import { meshMembers } from '../schema.js';

export function memberTable(db: Db): MemberStore {
  return {
    async load() {
      const rows = await db.select().from(meshMembers);
      return rows.map((row) => ({ ...row, chain: row.chain as CertChain }));
    },
    async save(m: Member, updatedAt: Date) {
      const values = {
        nodeId: m.nodeId,
        role: m.role,
        region: m.region,
        name: m.name,
        apiBaseUrl: m.apiBaseUrl,
        lat: m.lat,
        lon: m.lon,
        chain: m.chain,
        updatedAt,
      };
      await db.insert(meshMembers).values(values).onConflictDoUpdate({ target: meshMembers.nodeId, set: values });
    },
    async delete(nodeId: string) {
      await db.delete(meshMembers).where(eq(meshMembers.nodeId, nodeId));
    },
  };
}
