import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Keywarden } from './client.js';
import { keyFromHeader, refusalOf, UNAVAILABLE, type Refusal } from './refusal.js';
import { KeywardenUnavailableError, type ValidAnswer } from './types.js';

export interface KeyAuthOptions {
  keywarden: Keywarden;
  /** A permission query every request must satisfy. */
  permissions?: string;
  /** Read the key from this header instead of `Authorization` (Bearer or the bare key). */
  header?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The verify answer of the request's key (set by `keyAuth`). */
    keywarden?: ValidAnswer;
  }
}

/**
 * Express 5 middleware: verifies the request's key and refuses it itself (401, 403, 429, 503 as
 * problem+json); a request through it has the verify answer in `req.keywarden`. The address is
 * `req.ip` (so Express's `trust proxy` setting applies).
 */
export function keyAuth(options: KeyAuthOptions): RequestHandler {
  const header = (options.header ?? 'authorization').toLowerCase();
  const refuse = (res: Response, r: Refusal) => {
    res.status(r.status).set(r.headers).send(JSON.stringify(r.body));
  };
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = keyFromHeader(req.get(header));
    if (!key) return refuse(res, refusalOf({ code: 'MISSING' }));
    const origin = req.get('origin');
    let answer;
    try {
      answer = await options.keywarden.verify(key, {
        ...(options.permissions !== undefined ? { permissions: options.permissions } : {}),
        context: { ...(req.ip ? { ip: req.ip } : {}), ...(origin ? { origin } : {}) },
      });
    } catch (err) {
      if (err instanceof KeywardenUnavailableError) return refuse(res, UNAVAILABLE);
      return next(err);
    }
    if (!answer.valid) return refuse(res, refusalOf(answer));
    req.keywarden = answer;
    next();
  };
}
