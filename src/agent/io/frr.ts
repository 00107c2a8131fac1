/**
 * FRR's processes in the router's container: its daemons run as children of
 * the agent, in the foreground (no systemd, no watchfrr), as root, logging to
 * their stdout, which the agent reads line by line; vtysh talks to them over
 * their sockets in /var/run/frr. FRR's privilege code needs CAP_SYS_ADMIN
 * besides NET_ADMIN and NET_RAW in the container's bounding set (the
 * router2600 kind adds it), or a daemon exits at start.
 */
import { mkdir } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { run, spawn, type RunResult } from './system.js';

export const FRR_DIR = '/usr/lib/frr';
export const FRR_RUN_DIR = '/var/run/frr';

export type FrrDaemonName = 'zebra' | 'ospfd' | 'eigrpd' | 'ripd';

/** Arguments common to every daemon: vty on loopback only, no configuration file, logs on stdout. */
function argsOf(name: FrrDaemonName): string[] {
  const common = ['-A', '127.0.0.1', '-f', '/dev/null', '--log', 'stdout', '--log-level', 'debugging'];
  // zebra: a netlink buffer big enough for a lab's routes arriving at once (the Debian default)
  return name === 'zebra' ? [...common, '-s', '90000000'] : common;
}

export class FrrDaemon {
  private child: ReturnType<typeof spawn> | undefined;
  private exited = false;

  constructor(
    readonly name: FrrDaemonName,
    private readonly onLine: (line: string) => void,
    private readonly onExit: (code: number | null) => void,
  ) {}

  get running(): boolean {
    return this.child !== undefined && !this.exited;
  }

  async start(): Promise<void> {
    await mkdir(FRR_RUN_DIR, { recursive: true });
    await run('chown', ['frr:frr', FRR_RUN_DIR]);
    this.exited = false;
    const child = spawn(`${FRR_DIR}/${this.name}`, argsOf(this.name), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (l) => this.onLine(l));
    }
    child.on('exit', (code) => {
      this.exited = true;
      if (this.child === child) this.onExit(code);
    });
    child.on('error', () => {
      this.exited = true;
    });
  }

  /** Stops the daemon and waits for it to go (zebra withdraws its routes). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.exited) return;
    this.child = undefined;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 3000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
    this.exited = true;
  }
}

/** `vtysh -c LINE ...`: one session, in order. */
export function vtysh(lines: string[]): Promise<RunResult> {
  return run(
    'vtysh',
    lines.flatMap((l) => ['-c', l]),
  );
}

/** A show command's JSON (`show ip route json`); null when vtysh fails or the output is no JSON. */
export async function vtyshJson<T>(command: string): Promise<T | null> {
  const res = await run('vtysh', ['-c', command]);
  if (res.code !== 0) return null;
  try {
    return JSON.parse(res.stdout) as T;
  } catch {
    return null;
  }
}

/** A show command's text; '' when vtysh fails. */
export async function vtyshText(command: string): Promise<string> {
  const res = await run('vtysh', ['-c', command]);
  return res.code === 0 ? res.stdout : '';
}

/** Whether a daemon answers on its vty socket. */
export async function daemonReady(name: FrrDaemonName): Promise<boolean> {
  const res = await run('vtysh', ['-d', name, '-c', 'show version']);
  return res.code === 0;
}

/** Calls `onChange` whenever the kernel's routes change (ip monitor route). Returns a stop function. */
export function watchKernelRoutes(onChange: () => void): () => void {
  let stopped = false;
  let child: ReturnType<typeof spawn> | undefined;
  const startMonitor = () => {
    if (stopped) return;
    child = spawn('ip', ['-o', '-4', 'monitor', 'route'], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout?.on('data', () => onChange());
    child.on('exit', () => setTimeout(startMonitor, 1000));
  };
  startMonitor();
  return () => {
    stopped = true;
    child?.kill();
  };
}
