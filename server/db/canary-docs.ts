/** One use of a canary from one address. */
export interface CanarySource {
  ip: string | null;
  userAgent: string | null;
  at: Date;
}

/**
 * The alarm of one canary in one hour (`_id` `<keyId>:<hour>`): inserted once by the first use,
 * which is what decides that the hour's alarm goes out; later uses from other addresses are
 * added to `sources` up to a bound, then only counted in `more`.
 */
export interface CanaryAlarmDoc {
  _id: string;
  teamId: string;
  keyId: string;
  hourStart: Date;
  sources: CanarySource[];
  /** The addresses in `sources` (`-` for none) and their number, so one filter recognises a repeat and the bound. */
  addresses: string[];
  listed: number;
  /** Uses in the hour from addresses past the listed ones. */
  more: number;
  /** When the alarm (notices, emails) was written; null while the first use is still sending it. */
  alertedAt: Date | null;
}
