/**
 * A Docker Swarm of two (or more) extra engines on this one machine, for
 * tests and for trying a spread lab without a second machine. Needs root.
 *
 * Each extra dockerd runs in a network namespace of its own (tbsw-eN),
 * started with nsenter (not `ip netns exec`, whose private mount namespace
 * would hide the engine's namespace files from the host), with its own
 * config file, data-root, exec-root, pid file, socket, key file (else all
 * engines share one engine ID) and cgroup parent; the primary engine and its
 * /etc/docker/daemon.json are not touched. The namespaces are joined by
 * veth pairs to a bridge in a namespace of its own (tbsw-hub): a bridge in
 * the host's namespace would meet br_netfilter and the host's FORWARD
 * policy. The underlay carries 9000-byte frames, so overlays take 1500-byte
 * lab frames. Addresses are 198.51.100.0/24 (RFC 5737 documentation range):
 * nothing in the host's namespace has an address or a route there, nothing
 * is published, and the engines' APIs are unix sockets.
 *
 * `localSwarmDown` removes every trace: the engines' containers, the swarm,
 * the processes (by their pid files, then what is left of their
 * containerd), mounts under the engines' directories, cgroups, namespaces
 * (and the veths with them) and the directories. It works after a crash.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

export const LOCAL_SWARM = {
  /** Data roots (overlay2 wants a real filesystem). */
  dataBase: '/var/lib/tbsw',
  /** Exec roots, sockets, pid files, configs, logs (short paths: containerd's socket lives under the exec root). */
  runBase: '/run/tbsw',
  prefix: 'tbsw',
  subnet: '198.51.100',
  mtu: 9000,
} as const;

export interface LocalEngine {
  name: string;
  netns: string;
  address: string;
  socket: string;
  host: string;
  dataRoot: string;
  execRoot: string;
  pidFile: string;
  configFile: string;
}

export function localEngines(count: number): LocalEngine[] {
  const { dataBase, runBase, prefix, subnet } = LOCAL_SWARM;
  return Array.from({ length: count }, (_, i) => {
    const name = `e${i + 1}`;
    const run = join(runBase, name);
    return {
      name,
      netns: `${prefix}-${name}`,
      address: `${subnet}.${i + 1}`,
      socket: join(run, 'docker.sock'),
      host: `unix://${join(run, 'docker.sock')}`,
      dataRoot: join(dataBase, name),
      execRoot: join(run, 'x'),
      pidFile: join(run, 'docker.pid'),
      configFile: join(run, 'daemon.json'),
    };
  });
}

const HUB = `${LOCAL_SWARM.prefix}-hub`;

async function sh(cmd: string, args: string[], opts: { reject?: boolean; input?: string } = {}) {
  const r = await execa(cmd, args, { reject: false, ...(opts.input !== undefined ? { input: opts.input } : {}) });
  if (opts.reject !== false && r.exitCode !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${String(r.stderr || r.stdout).trim()}`);
  return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const docker = (e: LocalEngine, args: string[], reject = true) => sh('docker', ['-H', e.host, ...args], { reject });

export interface LocalSwarm {
  engines: LocalEngine[];
  /** The manager's Docker host: TESTBED_SWARM. */
  manager: string;
}

/** Bring up `count` engines in namespaces and join them into a swarm (the first is the manager). */
export async function localSwarmUp(count = 2, log: (line: string) => void = () => undefined): Promise<LocalSwarm> {
  if (process.getuid?.() !== 0) throw new Error('a local swarm needs root (network namespaces and extra dockerds)');
  const engines = localEngines(count);
  const hostAddrs = (await sh('ip', ['-4', '-o', 'addr'])).stdout;
  if (hostAddrs.includes(` ${LOCAL_SWARM.subnet}.`))
    throw new Error(`the host already uses ${LOCAL_SWARM.subnet}.0/24; a local swarm needs that range to itself`);
  const existing = (await sh('ip', ['netns', 'list'])).stdout;
  if (existing.includes(`${LOCAL_SWARM.prefix}-`))
    throw new Error(`a local swarm is already up (ip netns list shows ${LOCAL_SWARM.prefix}-*): run localSwarmDown first`);
  try {
    await sh('ip', ['netns', 'add', HUB]);
    await sh('ip', ['-n', HUB, 'link', 'set', 'lo', 'up']);
    await sh('ip', ['-n', HUB, 'link', 'add', 'hub', 'mtu', String(LOCAL_SWARM.mtu), 'type', 'bridge']);
    await sh('ip', ['-n', HUB, 'link', 'set', 'hub', 'up']);
    for (const e of engines) {
      await sh('ip', ['netns', 'add', e.netns]);
      await sh('ip', ['-n', e.netns, 'link', 'set', 'lo', 'up']);
      // the pair is made inside the hub's namespace and one end moved: no veth ever sits in the host's namespace
      await sh('ip', [
        '-n',
        HUB,
        'link',
        'add',
        e.name,
        'mtu',
        String(LOCAL_SWARM.mtu),
        'type',
        'veth',
        'peer',
        'name',
        'u0',
        'mtu',
        String(LOCAL_SWARM.mtu),
        'netns',
        e.netns,
      ]);
      await sh('ip', ['-n', HUB, 'link', 'set', e.name, 'master', 'hub', 'up']);
      await sh('ip', ['-n', e.netns, 'addr', 'add', `${e.address}/24`, 'dev', 'u0']);
      await sh('ip', ['-n', e.netns, 'link', 'set', 'u0', 'up']);
      await startEngine(e);
      log(`${e.name}: dockerd in netns ${e.netns} at ${e.address}, ${e.host}`);
    }
    const [manager, ...workers] = engines;
    await docker(manager!, [
      'swarm',
      'init',
      '--advertise-addr',
      manager!.address,
      '--listen-addr',
      `${manager!.address}:2377`,
      '--data-path-addr',
      manager!.address,
    ]);
    const token = (await docker(manager!, ['swarm', 'join-token', '-q', 'worker'])).stdout.trim();
    for (const w of workers) {
      await docker(w, [
        'swarm',
        'join',
        '--token',
        token,
        '--advertise-addr',
        w.address,
        '--listen-addr',
        `${w.address}:2377`,
        '--data-path-addr',
        w.address,
        `${manager!.address}:2377`,
      ]);
    }
    for (const e of engines) {
      const id = (await docker(e, ['info', '--format', '{{.Swarm.NodeID}}'])).stdout.trim();
      await docker(manager!, ['node', 'update', '--label-add', `testbed.name=${e.name}`, '--label-add', `testbed.engine-host=${e.host}`, id]);
    }
    log(`swarm: ${engines.map((e) => e.name).join(', ')} (manager ${manager!.name})`);
    return { engines, manager: manager!.host };
  } catch (e) {
    await localSwarmDown(count).catch(() => undefined);
    throw e;
  }
}

async function startEngine(e: LocalEngine): Promise<void> {
  const run = join(LOCAL_SWARM.runBase, e.name);
  await mkdir(run, { recursive: true });
  await mkdir(e.dataRoot, { recursive: true });
  const config = {
    'data-root': e.dataRoot,
    'exec-root': e.execRoot,
    pidfile: e.pidFile,
    hosts: [e.host],
    bridge: 'none',
    'cgroup-parent': `/${LOCAL_SWARM.prefix}-${e.name}`,
    'deprecated-key-path': join(run, 'key.json'),
    'containerd-namespace': `${LOCAL_SWARM.prefix}-${e.name}`,
    'containerd-plugins-namespace': `${LOCAL_SWARM.prefix}-${e.name}-plugins`,
    'log-level': 'warn',
  };
  await writeFile(e.configFile, JSON.stringify(config, null, 2));
  const out = openSync(join(run, 'dockerd.log'), 'a');
  const child = spawn('nsenter', [`--net=/run/netns/${e.netns}`, 'dockerd', '--config-file', e.configFile], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  closeSync(out);
  const deadline = Date.now() + 30000;
  for (;;) {
    if ((await docker(e, ['info', '--format', '{{.ID}}'], false)).exitCode === 0) return;
    if (Date.now() > deadline) {
      const logText = await readFile(join(run, 'dockerd.log'), 'utf8').catch(() => '');
      throw new Error(`dockerd ${e.name} did not answer within 30 s: ${logText.split('\n').slice(-5).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface Traces {
  processes: number[];
  namespaces: string[];
  mounts: string[];
  cgroups: string[];
  paths: string[];
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Processes whose executable runs from, or whose command line names, an engine's directories. */
async function enginePids(): Promise<number[]> {
  const out: number[] = [];
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const cmd = await readFile(`/proc/${d}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(`${LOCAL_SWARM.runBase}/`) || cmd.includes(`${LOCAL_SWARM.dataBase}/`)) out.push(Number(d));
  }
  return out.filter((p) => p !== process.pid);
}

/** What is left of a local swarm on this machine (all empty after localSwarmDown). */
export async function localSwarmTraces(): Promise<Traces> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const mounts = mountinfo
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(`${LOCAL_SWARM.runBase}/`) || m.startsWith(`${LOCAL_SWARM.dataBase}/`) || m.startsWith(`/run/netns/${LOCAL_SWARM.prefix}-`));
  const namespaces = (await sh('ip', ['netns', 'list'])).stdout
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(`${LOCAL_SWARM.prefix}-`));
  const cgroups: string[] = [];
  for (const ctl of await readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
    for (const d of await readdir(`/sys/fs/cgroup/${ctl}`).catch(() => [] as string[])) {
      if (d.startsWith(`${LOCAL_SWARM.prefix}-`)) cgroups.push(`/sys/fs/cgroup/${ctl}/${d}`);
    }
  }
  const paths = [LOCAL_SWARM.runBase, LOCAL_SWARM.dataBase].filter((p) => existsSync(p));
  return { processes: await enginePids(), namespaces, mounts, cgroups, paths };
}

async function removeCgroup(dir: string): Promise<void> {
  for (const d of await readdir(dir, { withFileTypes: true }).catch(() => [])) if (d.isDirectory()) await removeCgroup(join(dir, d.name));
  await rmdir(dir).catch(() => undefined);
}

/** Remove every trace of a local swarm of up to `count` engines; returns what is still left (nothing, when all went well). */
export async function localSwarmDown(count = 2, log: (line: string) => void = () => undefined): Promise<Traces> {
  const engines = localEngines(count);
  for (const e of engines) {
    if (!existsSync(e.socket)) continue;
    const ids = (await docker(e, ['ps', '-aq'], false)).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await docker(e, ['rm', '-f', '-v', ...ids], false);
    await docker(e, ['swarm', 'leave', '--force'], false);
  }
  for (const e of engines) {
    const pid = Number((await readFile(e.pidFile, 'utf8').catch(() => '')).trim());
    if (pid > 0 && alive(pid)) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 150 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
      log(`${e.name}: dockerd ${pid} stopped`);
    }
  }
  // containerd and shims an engine started, if any outlived it
  for (const pid of await enginePids()) {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  await new Promise((r) => setTimeout(r, 200));
  const mounts = (await localSwarmTraces()).mounts.sort((a, b) => b.length - a.length);
  for (const m of mounts) await sh('umount', ['-l', m], { reject: false });
  for (const c of (await localSwarmTraces()).cgroups) await removeCgroup(c);
  for (const ns of (await localSwarmTraces()).namespaces) await sh('ip', ['netns', 'del', ns], { reject: false });
  await rm(LOCAL_SWARM.runBase, { recursive: true, force: true });
  await rm(LOCAL_SWARM.dataBase, { recursive: true, force: true });
  return localSwarmTraces();
}
