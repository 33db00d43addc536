/**
 * Process-wide registry of secret values. Every byte tform prints or writes to an artifact passes
 * through `redact`, so a secret registered here cannot leak through later code.
 */
const secrets = new Set<string>();
let pattern: RegExp | null = null;

export const SECRET_ENV_PREFIXES = ['TFORM_ENV_SECRET_', 'DBT_ENV_SECRET_'];
export const MASK = '*****';

export function registerSecret(value: unknown): void {
  if (typeof value !== 'string' && typeof value !== 'number') return;
  const s = String(value);
  // Very short values would mask ordinary text everywhere; they are not meaningful secrets.
  if (s.length < 3 || secrets.has(s)) return;
  secrets.add(s);
  pattern = null;
}

/** Register the values of all secret-prefixed environment variables. */
export function registerSecretEnv(env: NodeJS.ProcessEnv = process.env): void {
  for (const [k, v] of Object.entries(env)) {
    if (v && SECRET_ENV_PREFIXES.some((p) => k.startsWith(p))) registerSecret(v);
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function redact(text: string): string {
  if (secrets.size === 0) return text;
  if (!pattern) {
    const sorted = [...secrets].sort((a, b) => b.length - a.length).map(escapeRe);
    pattern = new RegExp(sorted.join('|'), 'g');
  }
  return text.replace(pattern, MASK);
}

/** Bigints (counts from the warehouse) as numbers when they fit, else as text, as artifacts write them. */
export const bigintAsJson = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v);

/** Deep-redact any JSON-able value (artifacts); bigints come back as numbers (or text beyond 2^53). */
export function redactJson<T>(value: T): T {
  if (secrets.size === 0) return value;
  return JSON.parse(redact(JSON.stringify(value, bigintAsJson))) as T;
}
