/**
 * What a lab changes in the host's firewall: rules per lab bridge, and
 * nothing else. Transit: Docker drops routed traffic on --internal networks
 * (its isolation rules drop packets whose addresses are outside the
 * network's subnet, and lab addresses always are), so each lab bridge gets a
 * rule that accepts traffic entering and leaving the same bridge:
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
 * Each lab bridge also gets a rule in the raw table that leaves its
 * bridged packets untracked by the host's connection tracking:
 *
 *   iptables -t raw -I PREROUTING -i BR -m comment --comment testbed:LAB -j CT --notrack
 *
 * Docker sets bridge-nf-call-iptables, so every packet a lab's nodes send
 * each other would otherwise become an entry in the host's conntrack table,
 * and Docker, for each endpoint it removes, reads that whole table to delete
 * the endpoint's entries: after a 100-spoke mesh (13,000 entries) removing
 * the lab's containers took 1.5-2 times as long as removing idle ones, and
 * 100 containers that had each sent 500 datagrams took 45 s to remove
 * instead of 9 s (11.5 s with this rule; docs/benchmarks.md). Nothing of
 * the host's uses the state of lab packets: the ACCEPT rules above match
 * interfaces only. Where the host has no raw table, the rule is left out
 * and the lab works as before.
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

  /** The rules (iptables arguments without -w and -t, by table) in one iptables-restore transaction; false when that is not possible or failed. */
  private async batch(rules: TableRule[]): Promise<boolean> {
    if (!this.restore || rules.length < 2) return false;
    const quote = (w: string) => (/[\s"]/.test(w) ? `"${w.replace(/(["\\])/g, '\\$1')}"` : w);
    const input = TABLES.flatMap((table) => {
      const mine = rules.filter((r) => r.table === table);
      return mine.length ? [`*${table}`, ...mine.map((r) => r.args.map(quote).join(' ')), 'COMMIT'] : [];
    });
    const res = await this.restore([...input, ''].join('\n')).catch(() => null);
    return res !== null && res.exitCode === 0;
  }

  /** A table as `iptables -S` prints it, one rule per entry; the raw table's rules carry `-t raw ` in front, and a host without one has none. */
  private async table(table: Table = 'filter'): Promise<string[]> {
    const res = await this.run(['-w', ...tableArgs(table), '-S']);
    if (res.exitCode !== 0) {
      if (table === 'raw') return [];
      throw new FirewallError(`cannot read the ${table} table: ${res.stderr.trim() || `iptables exit ${res.exitCode}`}`);
    }
    return res.stdout
      .split('\n')
      .filter((l) => l.startsWith('-A '))
      .map((l) => `${tableArgs(table).join(' ')}${table === 'filter' ? '' : ' '}${l}`);
  }

  async allowBridges(lab: string, bridges: string[]): Promise<void> {
    const rules = (await this.table()).map(splitRule);
    const raw = (await this.table('raw')).map((l) => splitRule(stripTable(l).rule));
    const inserts: { table: Table; chain: string; bridge: string; rule: string[] }[] = [];
    for (const bridge of bridges) {
      const rule = ['-i', bridge, '-o', bridge, '-m', 'comment', '--comment', firewallComment(lab), '-j', 'ACCEPT'];
      const same = (r: string[], chain: string, wanted: string[]) => r[1] === chain && r.slice(2).join(' ') === wanted.join(' ');
      // the chains where Docker drops packets of this bridge (by -i or -o, alone or with a negated address)
      const dropping = new Set(
        rules.filter((r) => r.at(-1) === 'DROP' && r.some((w, i) => (w === '-i' || w === '-o') && r[i + 1] === bridge)).map((r) => r[1]!),
      );
      dropping.delete('DOCKER-USER');
      // idempotent: only insert where the rule is not there yet
      for (const chain of ['DOCKER-USER', ...dropping]) if (!rules.some((r) => same(r, chain, rule))) inserts.push({ table: 'filter', chain, bridge, rule });
      const untracked = ['-i', bridge, '-m', 'comment', '--comment', firewallComment(lab), '-j', 'CT', '--notrack'];
      if (!raw.some((r) => same(r, 'PREROUTING', untracked))) inserts.push({ table: 'raw', chain: 'PREROUTING', bridge, rule: untracked });
    }
    if (await this.batch(inserts.map(({ table, chain, rule }) => ({ table, args: ['-I', chain, '1', ...rule] })))) return;
    for (const { table, chain, bridge, rule } of inserts) {
      const res = await this.run(['-w', ...tableArgs(table), '-I', chain, '1', ...rule]);
      // the raw rule only spares Docker work: a host without the raw table (or CT) runs the lab without it
      if (res.exitCode !== 0 && table === 'filter') {
        throw new FirewallError(`cannot add the ${chain} rule for bridge ${bridge}: ${res.stderr.trim() || `iptables exit ${res.exitCode}`}`);
      }
    }
  }

  async listRules(lab?: string): Promise<string[]> {
    const rules = [...(await this.table().catch(() => [])), ...(await this.table('raw').catch(() => []))];
    // iptables -S prints the comment quoted or not, depending on the version
    const comment = (l: string) => /--comment "?([^"\s]+)"?/.exec(l)?.[1] ?? '';
    return rules.filter((l) => (lab ? comment(l) === firewallComment(lab) : comment(l).startsWith('testbed:')));
  }

  async removeRules(lab?: string): Promise<number> {
    const found = (await this.listRules(lab)).map((l) => {
      const { table, rule } = stripTable(l);
      return { line: l, table, args: splitRule(rule.replace(/^-A /, '-D ')) };
    });
    if (await this.batch(found)) return found.length;
    let removed = 0;
    for (const { line, table, args } of found) {
      const res = await this.run(['-w', ...tableArgs(table), ...args]);
      if (res.exitCode === 0) removed++;
      else if (!/does a matching rule exist|Bad rule/i.test(res.stderr)) {
        throw new FirewallError(`cannot remove "${line}": ${res.stderr.trim()}`);
      }
    }
    return removed;
  }
}

type Table = 'filter' | 'raw';
const TABLES: readonly Table[] = ['filter', 'raw'];
interface TableRule {
  table: Table;
  args: string[];
}
const tableArgs = (table: Table) => (table === 'filter' ? [] : ['-t', table]);

/** "-t raw -A ..." -> the raw table and "-A ..."; a rule without -t is the filter table's. */
function stripTable(line: string): { table: Table; rule: string } {
  const m = /^-t (\S+) (.*)$/.exec(line);
  return m ? { table: m[1] as Table, rule: m[2]! } : { table: 'filter', rule: line };
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
