import { useState } from 'preact/hooks';

/** Rows with a request out (their buttons disabled meanwhile): `during(id, fn)` marks the row busy while fn runs. */
export function useBusyIds() {
  const [busyIds, setBusyIds] = useState<Set<string>>(new Set());
  const during = async <R,>(id: string, fn: () => Promise<R>): Promise<R> => {
    setBusyIds((s) => new Set(s).add(id));
    try {
      return await fn();
    } finally {
      setBusyIds((s) => {
        const next = new Set(s);
        next.delete(id);
        return next;
      });
    }
  };
  return { busyIds, during };
}
