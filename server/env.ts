import { z } from 'zod';

/**
 * The only reader of process.env. Parsed once at start-up; a bad value stops
 * the process with a message that names the variable.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const EnvSchema = z.object({
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
  MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, 'letters, digits, _ and - only').default('keywarden'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  DATA_DIR: z.string().min(1).default('./data'),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  MAIL_FROM: z.string().min(3).default('Keywarden <keywarden@localhost>'),
  KEYWARDEN_PEPPER: z.string().min(32, 'must be at least 32 characters of secret').optional(),
  KEYWARDEN_SEED_DEMO: bool.default(true),
  PUBLIC_URL: z.string().url().optional(),
  AUTH_CODE_LIMIT_PER_EMAIL: z.coerce.number().int().min(1).default(10),
  AUTH_CODE_LIMIT_PER_EMAIL_IP: z.coerce.number().int().min(1).default(3),
  AUTH_CODE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(30),
  AUTH_CODE_WINDOW_MINUTES: z.coerce.number().int().min(1).default(15),
  AUTH_CODE_FAILED_LIMIT_PER_DAY: z.coerce.number().int().min(1).default(1000),
  JOB_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(60),
  TRUST_PROXY: bool.default(false),
  EXTENSION_ORIGINS: z
    .string()
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^(chrome-extension:\/\/[a-p]{32}|moz-extension:\/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
            'each origin is chrome-extension://<32-letter id> or moz-extension://<uuid>',
          ),
      ),
    )
    .optional(),
  // Where GitHub publishes the keys that sign secret-scanning reports (POST /v1/leaks/github).
  GITHUB_SECRET_SCANNING_KEYS_URL: z.string().url().default('https://api.github.com/meta/public_keys/secret_scanning'),
  VERIFY_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  USAGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  USAGE_FLUSH_SECONDS: z.coerce.number().min(0.1).max(10, 'at most 10: counts are written at least every 10 seconds').default(10),
  // Request limits per caller (server/http/limits.ts); 0 turns a limit off.
  RATE_LIMIT_PER_SESSION: z.coerce.number().min(0).default(20),
  RATE_LIMIT_PER_IP: z.coerce.number().min(0).default(50),
  RATE_LIMIT_BURST_SECONDS: z.coerce.number().min(1).max(3600).default(3),
  CONCURRENCY_PER_SESSION: z.coerce.number().int().min(0).default(8),
  CONCURRENCY_PER_IP: z.coerce.number().int().min(0).default(32),
  VERIFY_RATE_LIMIT_PER_IP: z.coerce.number().min(0).default(2000),
  VERIFY_CONCURRENCY_PER_IP: z.coerce.number().int().min(0).default(32),
  // Webhook targets (server/services/webhook-target.ts): http:// to loopback for development and tests; private ranges for internal receivers.
  WEBHOOKS_ALLOW_HTTP_LOOPBACK: bool.default(false),
  WEBHOOKS_ALLOW_PRIVATE: bool.default(false),
});

export type Env = z.infer<typeof EnvSchema>;

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = EnvSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new EnvError(`Invalid configuration:\n${lines.join('\n')}`);
}
