/**
 * The one thing a lab changes in the host's firewall: Docker drops routed
 * traffic on --internal networks (its isolation rules drop packets whose
 * addresses are outside the network's subnet, and lab addresses always are),
 * so each lab bridge gets a rule that accepts traffic entering and leaving
 * the same bridge, and nothing else:
 *
 *   iptables -I DOCKER-USER -i BR -o BR -m comment --comment testbed:LAB -j ACCEPT
 *
 * and the same rule again at the top of the chain that holds Docker's own
 * drop rules for that bridge (DOCKER-ISOLATION-STAGE-1 on Docker 20.10).
 * Whenever any network is created, Docker deletes the FORWARD chain's jump
 * to DOCKER-USER and inserts it again at the top; for the milliseconds in
 * between, a packet meets the isolation drops first, and a lab running while
 * another lab (or anything else) creates a network would lose packets.
 * Docker only ever inserts rules for other bridges above ours there and
 * never touches a rule it did not write, so the second copy holds.
 *
 * The comment is how `down` finds the rules again, in every chain, also
 * after a crash. iptables runs directly when we are root, otherwise in a
 * short-lived privileged container on the host's network namespace; a lab's
 * rules go in and out with one iptables-restore each (rule by rule only
 * should that fail).
 */
import { execa } from 'execa';
import type { Engine } from '../docker/engine.js';
import { LAB_LABEL, OWNER_LABEL, OWNER_VALUE, ownerLabels } from '../../contract/labels.js';
import { isFederated, type FederatedEngine } from '../engines/federated.js';
import { firewallComment } from './naming.js';

export interface Firewall {
  /** Accept transit on each of the lab's bridges (idempotent). */
  allowBridges(lab: string, bridges: string[]): Promise<void>;
  /** Remove the rules of one lab, or of every lab when `lab` is undefined. Returns how many were removed. */
  removeRules(lab?: string): Promise<number>;
  listRules(lab?: string): Promise<string[]>;
}

type Runner = (args: string[]) => Promise<{ exitCode: number; stdout: string; stderr: string }>;
/** `iptables-restore -w --noflush` with this input: every line applied in one transaction, or none. */
type Restorer = (input: string) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

export class FirewallError extends Error {
  override name = 'FirewallError';
}

export class IptablesFirewall implements Firewall {
  /**
   * `restore`: where iptables-restore is at hand, a lab's rules go in (and out) in one call: a lab of a
   * hundred bridges has a few hundred rules, and one iptables call each took seconds. Should the batch
   * fail (Docker changed a chain meanwhile, a rule is gone already), the rules go one by one as before.
   */
  constructor(
    private readonly run: Runner,
    private readonly restore?: Restorer,
  ) {}

  /** The rules (iptables arguments without -w) in one iptables-restore transaction; false when that is not possible or failed. */
  private async batch(rules: string[][]): Promise<boolean> {
    if (!this.restore || rules.length < 2) return false;
    const quote = (w: string) => (/[\s"]/.test(w) ? `"${w.replace(/(["\\])/g, '\\$1')}"` : w);
    const input = ['*filter', ...rules.map((r) => r.map(quote).join(' ')), 'COMMIT', ''].join('\n');
    const res = await this.restore(input).catch(() => null);
    return res !== null && res.exitCode === 0;
  }

  /** The filter table as `iptables -S` prints it, one rule per entry. */
  private async table(): Promise<string[]> {
    const res = await this.run(['-w', '-S']);
    if (res.exitCode !== 0) throw new FirewallError(`cannot read the filter table: ${res.stderr.trim() || `iptables exit ${res.exitCode}`}`);
    return res.stdout.split('\n').filter((l) => l.startsWith('-A '));
  }

  async allowBridges(lab: string, bridges: string[]): Promise<void> {
    const rules = (await this.table()).map(splitRule);
    const inserts: { chain: string; bridge: string; rule: string[] }[] = [];
    for (const bridge of bridges) {
      const rule = ['-i', bridge, '-o', bridge, '-m', 'comment', '--comment', firewallComment(lab), '-j', 'ACCEPT'];
      const same = (r: string[], chain: string) => r[1] === chain && r.slice(2).join(' ') === rule.join(' ');
      // the chains where Docker drops packets of this bridge (by -i or -o, alone or with a negated address)
      const dropping = new Set(
        rules.filter((r) => r.at(-1) === 'DROP' && r.some((w, i) => (w === '-i' || w === '-o') && r[i + 1] === bridge)).map((r) => r[1]!),
      );
      dropping.delete('DOCKER-USER');
      // idempotent: only insert where the rule is not there yet
      for (const chain of ['DOCKER-USER', ...dropping]) if (!rules.some((r) => same(r, chain))) inserts.push({ chain, bridge, rule });
    }
    if (await this.batch(inserts.map(({ chain, rule }) => ['-I', chain, '1', ...rule]))) return;
    for (const { chain, bridge, rule } of inserts) {
      const res = await this.run(['-w', '-I', chain, '1', ...rule]);
      if (res.exitCode !== 0) {
        throw new FirewallError(`cannot add the ${chain} rule for bridge ${bridge}: ${res.stderr.trim() || `iptables exit ${res.exitCode}`}`);
      }
    }
  }

  async listRules(lab?: string): Promise<string[]> {
    const rules = await this.table().catch(() => []);
    // iptables -S prints the comment quoted or not, depending on the version
    const comment = (l: string) => /--comment "?([^"\s]+)"?/.exec(l)?.[1] ?? '';
    return rules.filter((l) => (lab ? comment(l) === firewallComment(lab) : comment(l).startsWith('testbed:')));
  }

  async removeRules(lab?: string): Promise<number> {
    const found = await this.listRules(lab);
    if (await this.batch(found.map((rule) => splitRule(rule.replace(/^-A /, '-D '))))) return found.length;
    let removed = 0;
    for (const rule of found) {
      const args = splitRule(rule.replace(/^-A /, '-D '));
      const res = await this.run(['-w', ...args]);
      if (res.exitCode === 0) removed++;
      else if (!/does a matching rule exist|Bad rule/i.test(res.stderr)) {
        throw new FirewallError(`cannot remove "${rule}": ${res.stderr.trim()}`);
      }
    }
    return removed;
  }
}

/** iptables -S quotes comments with spaces; ours have none, but split quoted words properly anyway. */
function splitRule(rule: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(rule); m; m = re.exec(rule)) out.push(m[1] ?? m[2]!);
  return out;
}

/** iptables on the host, directly. */
export function localIptables(): Runner {
  return async (args) => {
    const res = await execa('iptables', args, { reject: false });
    return { exitCode: res.exitCode ?? 1, stdout: String(res.stdout), stderr: String(res.stderr) };
  };
}

/** iptables-restore on the host, directly: the batch of IptablesFirewall. */
export function localIptablesRestore(): Restorer {
  return async (input) => {
    const res = await execa('iptables-restore', ['-w', '--noflush'], { input, reject: false });
    return { exitCode: res.exitCode ?? 1, stdout: String(res.stdout), stderr: String(res.stderr) };
  };
}

/** iptables in a throwaway container on the host network (for users without root). */
export function containerIptables(engine: Engine, image: string): Runner {
  return (args) => inHelper(engine, image, ['iptables', ...args]);
}

/** iptables-restore in such a container: the input goes in as an argument of sh (a few hundred rules are some tens of KB). */
export function containerIptablesRestore(engine: Engine, image: string): Restorer {
  return (input) => inHelper(engine, image, ['sh', '-c', 'printf "%s" "$1" | iptables-restore -w --noflush', 'sh', input]);
}

async function inHelper(engine: Engine, image: string, cmd: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const id = await engine.createContainer({
    name: `tb--iptables-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    hostname: 'iptables',
    image,
    cmd: ['sleep', '60'],
    env: {},
    labels: ownerLabels('-', 'helper'),
    endpoints: [],
    hostNetwork: true,
    capAdd: ['NET_ADMIN', 'NET_RAW'],
    devices: [],
    sysctls: {},
  });
  try {
    await engine.startContainer(id);
    return await engine.exec(id, cmd);
  } finally {
    await engine.removeContainer(id);
  }
}

/**
 * The host gives every bridge an IPv6 link-local address and sends MLD
 * reports from it into the lab's captures; lab segments carry IPv4 only.
 * Only possible as root (the bridge disappears with its network, and the
 * setting with it).
 */
export async function quietBridge(bridge: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const { writeFile } = await import('node:fs/promises');
  await writeFile(`/proc/sys/net/ipv6/conf/${bridge}/disable_ipv6`, '1').catch(() => undefined);
}

/**
 * A lab on a swarm: each engine has its own firewall (an engine in a
 * network namespace of its own, or on another machine), reached through a
 * helper container on that engine; each gets the rules for its own bridges.
 */
export class SwarmFirewall implements Firewall {
  constructor(
    private readonly fed: FederatedEngine,
    private readonly image: string,
  ) {}

  private each() {
    return this.fed.members.map((m) => ({
      m,
      fw: new IptablesFirewall(containerIptables(m.engine, this.image), containerIptablesRestore(m.engine, this.image)),
    }));
  }

  async allowBridges(lab: string, bridges: string[]): Promise<void> {
    for (const { m, fw } of this.each()) {
      const there = new Set(
        (await m.engine.listNetworks({ [OWNER_LABEL]: OWNER_VALUE, [LAB_LABEL]: lab })).filter((n) => n.driver !== 'overlay').map((n) => n.bridgeName),
      );
      const mine = bridges.filter((b) => there.has(b));
      if (mine.length > 0) await fw.allowBridges(lab, mine);
    }
  }

  async removeRules(lab?: string): Promise<number> {
    let n = 0;
    for (const { fw } of this.each()) n += await fw.removeRules(lab);
    return n;
  }

  async listRules(lab?: string): Promise<string[]> {
    const out: string[] = [];
    for (const { fw } of this.each()) out.push(...(await fw.listRules(lab)));
    return out;
  }
}

export async function chooseFirewall(engine: Engine, image: string | null): Promise<Firewall> {
  if (isFederated(engine)) {
    if (!image) throw new FirewallError('a lab on a swarm needs the lab image for its firewall helpers; build it first (testbed image build)');
    return new SwarmFirewall(engine, image);
  }
  if (process.getuid?.() === 0) {
    const probe = await execa('iptables', ['--version'], { reject: false }).catch(() => null);
    if (probe && probe.exitCode === 0) return new IptablesFirewall(localIptables(), localIptablesRestore());
  }
  if (!image) throw new FirewallError('iptables needs root or the lab image; build it first (testbed image build)');
  return new IptablesFirewall(containerIptables(engine, image), containerIptablesRestore(engine, image));
}
