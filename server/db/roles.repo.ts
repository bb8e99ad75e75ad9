import type { Collections, RoleDoc } from './collections';
import { onlyDuplicates } from './insert-once';

/** A team role as services see it. */
export type StoredRole = Pick<RoleDoc, 'name' | 'permissions' | 'description' | 'memberAssignable' | 'updatedAt'>;

const ROLE_FIELDS = { _id: 0, name: 1, permissions: 1, description: 1, memberAssignable: 1, updatedAt: 1 } as const;
const roleId = (teamId: string, name: string) => `${teamId}:${name}`;
/** Nulls may come back absent from the embedded engine (server/db/README.md). */
const toRole = (d: Partial<StoredRole> & Pick<StoredRole, 'name'>): StoredRole => ({
  name: d.name,
  permissions: d.permissions ?? [],
  description: d.description ?? '',
  memberAssignable: d.memberAssignable ?? false,
  updatedAt: d.updatedAt!,
});

/** Team roles: one document per (team, name); a key holds names, resolved when verify reads the key. */
export function rolesRepo(cols: Collections) {
  return {
    async list(teamId: string): Promise<StoredRole[]> {
      const docs = await cols.roles.find({ teamId }, { projection: ROLE_FIELDS }).sort({ name: 1 }).toArray();
      return docs.map(toRole);
    },

    /** The named roles of a team that exist (verify's cache miss, for a key holding roles). */
    async findMany(teamId: string, names: string[]): Promise<StoredRole[]> {
      if (names.length === 0) return [];
      const docs = await cols.roles.find({ _id: { $in: names.map((n) => roleId(teamId, n)) } }, { projection: ROLE_FIELDS }).toArray();
      return docs.map(toRole);
    },

    /** Creates or replaces a role in one write; returns it as it was before (null: it is new). */
    async upsert(teamId: string, role: Omit<StoredRole, 'updatedAt' | 'description'> & { description: string }, at: Date): Promise<{ before: StoredRole | null; after: StoredRole }> {
      const write = () =>
        cols.roles.findOneAndUpdate(
          { _id: roleId(teamId, role.name) },
          { $set: { permissions: role.permissions, description: role.description, memberAssignable: role.memberAssignable, updatedAt: at }, $setOnInsert: { teamId, name: role.name, createdAt: at } },
          // No projection: FerretDB v1's findAndModify does not take one (toRole keeps the named fields).
          { upsert: true, returnDocument: 'before' },
        );
      let before;
      try {
        before = await write();
      } catch (err) {
        // Two first upserts of one name racing: the loser's insert met the winner's, and the document exists now.
        if (!onlyDuplicates(err)) throw err;
        before = await write();
      }
      return { before: before ? toRole(before) : null, after: { ...role, updatedAt: at } };
    },

    /** Deletes a role; returns it (null: there was none). */
    async delete(teamId: string, name: string): Promise<StoredRole | null> {
      const doc = await cols.roles.findOneAndDelete({ _id: roleId(teamId, name) });
      return doc ? toRole(doc) : null;
    },
  };
}
export type RolesRepo = ReturnType<typeof rolesRepo>;
