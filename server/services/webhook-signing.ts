import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signing secrets. A secret (`whsec_` + base64 of 32 random
 * bytes) is shown once at creation; the server keeps it only encrypted
 * (AES-256-GCM under a key derived from the pepper, which never sits in the
 * database), and decrypts it into a `SigningSecret` that redacts itself if it
 * is ever logged or serialised.
 */
const PREFIX = 'whsec_';

export class SigningSecret {
  readonly #key: Buffer;
  constructor(secret: string) {
    this.#key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  }
  /** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, as the Standard Webhooks specification signs. */
  sign(id: string, timestamp: number, body: string): string {
    return `v1,${createHmac('sha256', this.#key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
  }
  toString() {
    return '[signing secret]';
  }
  toJSON() {
    return '[signing secret]';
  }
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return '[signing secret]';
  }
}

export const newSigningSecret = (): string => `${PREFIX}${randomBytes(32).toString('base64')}`;

const storageKey = (pepper: string) => createHmac('sha256', pepper).update('keywarden webhook signing secrets v1').digest();

export function sealSecret(pepper: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', storageKey(pepper), iv);
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `v1.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${sealed.toString('base64url')}`;
}

export function openSecret(pepper: string, stored: string): SigningSecret {
  const [version, iv, tag, sealed] = stored.split('.');
  if (version !== 'v1' || !iv || !tag || !sealed) throw new Error('unreadable webhook secret');
  const decipher = createDecipheriv('aes-256-gcm', storageKey(pepper), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return new SigningSecret(Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8'));
}

/** The Standard Webhooks headers for one attempt; every valid secret signs (rotation keeps the old one for a while). */
export function signedHeaders(id: string, body: string, secrets: SigningSecret[], now: Date): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => s.sign(id, timestamp, body)).join(' '),
  };
}
