import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/**
 * GitHub's side of the secret-scanning partner protocol, on loopback: a key
 * list in GitHub's shape (`{ public_keys: [{ key_identifier, key, is_current }] }`,
 * PEM) and a signer that signs a raw body as GitHub does (DER ECDSA P-256 over
 * SHA-256, base64). No test reaches the internet.
 */
export interface GitHubKeysServer {
  url: string;
  identifier: string;
  /** How many times the key list was fetched. */
  fetches(): number;
  /** Adds a key pair to the published list (rotation) and returns its identifier. */
  addKey(): string;
  signature(body: string, identifier?: string): string;
  /** Headers a GitHub report carries for `body`. */
  headers(body: string, identifier?: string): Record<string, string>;
  stop(): Promise<void>;
}

export async function startGitHubKeys(): Promise<GitHubKeysServer> {
  const pairs = new Map<string, { publicKey: KeyObject; privateKey: KeyObject }>();
  let fetches = 0;
  const addKey = () => {
    const identifier = `${pairs.size + 1}`.padStart(2, '0') + 'a'.repeat(62);
    pairs.set(identifier, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }));
    return identifier;
  };
  const identifier = addKey();
  const server: Server = createServer((req, res) => {
    fetches++;
    const public_keys = [...pairs].map(([key_identifier, p], i) => ({
      key_identifier,
      key: p.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      is_current: i === pairs.size - 1,
    }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ public_keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const signature = (body: string, id = identifier) => sign('sha256', Buffer.from(body), pairs.get(id)!.privateKey).toString('base64');
  return {
    url: `http://127.0.0.1:${port}/meta/public_keys/secret_scanning`,
    identifier,
    fetches: () => fetches,
    addKey,
    signature,
    headers: (body, id = identifier) => ({
      'content-type': 'application/json',
      'github-public-key-identifier': id,
      'github-public-key-signature': signature(body, id),
    }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
