/**
 * `openssl speed` in machine-readable mode (-mr): bytes per second of one
 * EVP cipher (encrypt or -decrypt) or one HMAC at one buffer size. DES needs
 * OpenSSL 3's legacy provider (`-provider legacy -provider default`).
 *
 * What it measures: the cipher loop reuses one context over the same buffer
 * (bulk rate, no per-packet setup); the HMAC loop re-initialises the MAC
 * (with the same key) for each buffer, as a per-packet HMAC does.
 *
 * `-elapsed`: by default `openssl speed` divides by the CPU time its process
 * used, which a busy machine does not reduce; our figures are wall-clock
 * time (performance.now()), so the reference is too, and a shared machine's
 * load weighs on both alike.
 */
import { tryRun } from './bench.js';

export interface OpensslSpeedRequest {
  /** "-evp NAME" for ciphers and digests, "-hmac NAME" for HMAC. */
  readonly kind: 'evp' | 'hmac';
  /** OpenSSL name: des-cbc, des-ede3-cbc, aes-128-cbc, md5, sha1, sha256. */
  readonly algorithm: string;
  /** Buffer size in bytes (a multiple of the block size for ciphers). */
  readonly bytes: number;
  readonly decrypt?: boolean;
  readonly seconds: number;
}

const LEGACY = new Set(['des-cbc', 'des-ecb', 'bf-cbc', 'cast5-cbc', 'rc4', 'md4']);

export function opensslSpeedArgs(r: OpensslSpeedRequest): string[] {
  return [
    'speed',
    '-mr',
    '-elapsed',
    '-seconds',
    String(r.seconds),
    '-bytes',
    String(r.bytes),
    ...(LEGACY.has(r.algorithm) ? ['-provider', 'legacy', '-provider', 'default'] : []),
    ...(r.decrypt ? ['-decrypt'] : []),
    r.kind === 'hmac' ? '-hmac' : '-evp',
    r.algorithm,
  ];
}

/** Bytes per second from `-mr` output ("+F:<n>:<name>:<bytes/s>"), or undefined. */
export function parseOpensslSpeed(stdout: string): number | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith('+F:'));
  if (!line) return undefined;
  const value = Number(line.split(':').pop());
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Runs one `openssl speed`; undefined when openssl is missing or refuses the algorithm. */
export async function opensslSpeed(r: OpensslSpeedRequest): Promise<number | undefined> {
  const out = await tryRun('openssl', opensslSpeedArgs(r));
  return out === undefined ? undefined : parseOpensslSpeed(out);
}
