import { createHash } from 'node:crypto';
import type { ValidAnswer } from './types.js';

interface Entry {
  answer: ValidAnswer;
  /** Epoch ms: when it was stored (for the fallback TTL) and the latest it may be used. */
  storedAt: number;
  until: number;
}

/** The cache's name for a key: its SHA-256. The plaintext is never stored. */
export function keyDigest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Valid answers by key digest, then by the call's options (a permission query or a context can
 * change the answer). Entries are dropped per keyId when the feed reports a change of that key.
 */
export class AnswerCache {
  private readonly entries = new Map<string, Map<string, Entry>>();
  private readonly digestsOf = new Map<string, Set<string>>();

  get(digest: string, variant: string, now: number, maxAgeMs: number): ValidAnswer | null {
    const entry = this.entries.get(digest)?.get(variant);
    if (!entry) return null;
    if (now >= entry.until || now - entry.storedAt > maxAgeMs) {
      this.entries.get(digest)!.delete(variant);
      return null;
    }
    return entry.answer;
  }

  set(digest: string, variant: string, answer: ValidAnswer, storedAt: number, until: number): void {
    if (until <= storedAt) return;
    const variants = this.entries.get(digest) ?? new Map<string, Entry>();
    variants.set(variant, { answer, storedAt, until });
    this.entries.set(digest, variants);
    const digests = this.digestsOf.get(answer.keyId) ?? new Set<string>();
    digests.add(digest);
    this.digestsOf.set(answer.keyId, digests);
  }

  dropKey(keyId: string): void {
    for (const digest of this.digestsOf.get(keyId) ?? []) this.entries.delete(digest);
    this.digestsOf.delete(keyId);
  }

  clear(): void {
    this.entries.clear();
    this.digestsOf.clear();
  }

  /** The digests held (tests check that no plaintext is). */
  digests(): string[] {
    return [...this.entries.keys()];
  }
}
