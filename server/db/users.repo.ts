import type { Collections, UserDoc } from './collections';

export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
}
const toUser = (d: UserDoc): User => ({ id: d._id, email: d.email, name: d.name, createdAt: d.createdAt });

export function usersRepo(cols: Collections) {
  return {
    async findById(id: string): Promise<User | null> {
      const doc = await cols.users.findOne({ _id: id });
      return doc ? toUser(doc) : null;
    },
    async findByEmail(email: string): Promise<User | null> {
      const doc = await cols.users.findOne({ email });
      return doc ? toUser(doc) : null;
    },
    async findMany(ids: string[]): Promise<User[]> {
      if (ids.length === 0) return [];
      return (await cols.users.find({ _id: { $in: [...new Set(ids)] } }).toArray()).map(toUser);
    },
    /** Records the first sign-in (later ones leave it as it is). */
    async markSignedIn(id: string, at: Date): Promise<void> {
      await cols.users.updateOne({ _id: id, signedInAt: { $exists: false } }, { $set: { signedInAt: at } });
    },
    /**
     * Whether the account has ever signed in: its recorded first sign-in, or, for
     * accounts that signed in before that was recorded, a session of theirs.
     */
    async hasSignedIn(id: string): Promise<boolean> {
      const doc = await cols.users.findOne({ _id: id }, { projection: { signedInAt: 1 } });
      if (doc?.signedInAt) return true;
      return (await cols.sessions.countDocuments({ userId: id }, { limit: 1 })) > 0;
    },
    /** Returns the user with this email, creating it if needed (email is unique). */
    async findOrCreate(candidate: User): Promise<User> {
      const existing = await this.findByEmail(candidate.email);
      if (existing) return existing;
      try {
        await cols.users.insertOne({ _id: candidate.id, email: candidate.email, name: candidate.name, createdAt: candidate.createdAt });
        return candidate;
      } catch (err) {
        const raced = await this.findByEmail(candidate.email);
        if (raced) return raced;
        throw err;
      }
    },
  };
}
export type UsersRepo = ReturnType<typeof usersRepo>;
