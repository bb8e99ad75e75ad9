import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TargetAddress } from './webhook-target';

/**
 * One POST to an already-checked target. It connects to the approved address
 * (not to whatever the name resolves to by now), while the Host header and
 * the TLS server name stay the URL's host, so certificates are still checked
 * against the name. Redirects are not followed: a 3xx counts as a failure.
 */
export interface PostResult {
  statusCode: number | null;
  error: string | null;
  /** No connection was made (refused, unreachable): another address of the name may work. */
  unreachable?: boolean;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT']);

const MAX_RESPONSE_BYTES = 64 * 1024;

export function postJson(url: URL, target: TargetAddress, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
  const secure = url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = send(
      {
        protocol: url.protocol,
        hostname: target.address,
        family: target.family,
        port: url.port || (secure ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        servername: secure ? url.hostname : undefined,
        headers: {
          ...headers,
          host: url.host,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Keywarden-Webhooks/1',
        },
      },
      (res) => {
        let read = 0;
        // Drain (bounded) so the socket is freed; the body itself is not kept.
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        const status = res.statusCode ?? 0;
        const finish = () => done({ statusCode: status, error: status >= 200 && status < 300 ? null : `the endpoint answered HTTP ${status}` });
        res.on('end', finish);
        res.on('close', finish);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({ statusCode: null, error: `no answer within ${timeoutMs / 1000} s` });
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) =>
      done({ statusCode: null, error: `could not deliver: ${err.message}`, unreachable: UNREACHABLE.has(err.code ?? '') }),
    );
    req.end(body);
  });
}
