import type { Deps } from '../server/deps';
import type { Storage } from '../server/db/storage';

/** The benchmarks seed and measure below the services, so they carry the storage handle beside the deps. */
export type BenchDeps = Deps & { storage: Storage };
