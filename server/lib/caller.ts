/**
 * Who is calling, decided once for every entry point (CORS in app.ts, the alerts
 * WebSocket in http/alerts.socket.ts): which browser origins are ours, and which
 * address a request counts against.
 */

/**
 * Whether a browser origin is the extension's: one of `allowList` when it is set
 * (EXTENSION_ORIGINS), otherwise any Chrome extension origin or Firefox add-on
 * origin (`moz-extension://<uuid>`: Firefox gives each installation its own).
 */
export function isExtensionOrigin(origin: string, allowList: readonly string[] | null): boolean {
  return allowList ? allowList.includes(origin) : origin.startsWith('chrome-extension://') || origin.startsWith('moz-extension://');
}

/**
 * The client's address: the first `X-Forwarded-For` hop when TRUST_PROXY is on, else the socket's peer.
 * The one rule behind every entry point: Hono routes read it through `callerIp` (http/auth.ts), the
 * alerts socket from its upgrade request.
 */
export function clientIp(forwardedFor: string | string[] | undefined, remoteAddress: string | undefined, trustProxy: boolean): string | null {
  const header = Array.isArray(forwardedFor) ? forwardedFor[0] : forwardedFor;
  return (trustProxy ? header?.split(',')[0]?.trim() : undefined) || remoteAddress || null;
}
