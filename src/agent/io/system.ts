/** Running Linux tools (ip, sysctl, ping) from the agent. The only process I/O of the agent. */
import { execFile, spawn } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], input?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 127) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) || (err && code === 127 ? err.message : '') });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Run `ip -batch -` with one command per line; returns the failures (line and message). */
export async function ipBatch(commands: string[], force = true): Promise<RunResult> {
  if (commands.length === 0) return { code: 0, stdout: '', stderr: '' };
  return run('ip', [...(force ? ['-force'] : []), '-batch', '-'], commands.join('\n') + '\n');
}

export async function ipJson<T>(args: string[]): Promise<T> {
  const res = await run('ip', ['-j', ...args]);
  if (res.code !== 0) throw new Error(`ip ${args.join(' ')}: ${res.stderr.trim()}`);
  return JSON.parse(res.stdout || '[]') as T;
}

export async function sysctl(key: string, value: string): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(`/proc/sys/${key.replace(/\./g, '/')}`, value).catch(() => undefined);
}

export { spawn };
