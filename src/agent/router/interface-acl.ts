/**
 * Interface access groups in the router: the kernel's iptables chains for
 * what the kernel forwards and delivers (datapath/acl-rules.ts), the agent's
 * own check for what it handles (datapath/acl-filter.ts, hooked into the
 * datapath: decrypted packets in, clear packets out before encryption), the
 * NFLOG listener that turns the kernel's `log` lines into IOS's
 * %SEC-6-IPACCESSLOG* messages, and the exec commands `show access-lists`
 * (the kernel's and the agent's matches added up) and `clear access-list
 * counters`. The rules live in chains of their own (TB-ACL-IN, TB-ACL-FWD,
 * TB-ACL-DENY and TBA-n, one per access list) in the router's network
 * namespace, which goes away with the container.
 */
import { parseIpv4 } from '../../codecs/net/address.js';
import { AclFilter } from '../datapath/acl-filter.js';
import { ACL_CHAIN_PREFIX, ACL_NFLOG_GROUP, aclRules, parseAclCounters } from '../datapath/acl-rules.js';
import { peekIpv4 } from '../datapath/packet.js';
import { listenNflog, type NflogPacket } from '../io/nflog.js';
import { ipJson, run } from '../io/system.js';
import { renderShowAccessLists, type AclMatchCounts, type ExecCommand, type RouterConfig } from '../../ios/index.js';
import { DROP_TUN_NAME, TUN_NAME, type IpsecService } from './ipsec.js';
import type { ExecExtension, Router } from './router.js';

export class InterfaceAclService implements ExecExtension {
  readonly filter: AclFilter;
  private chains = new Map<string, string>();
  private made: string[] = [];
  private hooked = false;
  private timer: NodeJS.Timeout | undefined;
  private devices = new Map<number, string>();
  /** The NFLOG reader, once listening: kept, or the garbage collector would stop it. */
  nflogReader: object | undefined;

  constructor(
    private readonly router: Router,
    private readonly ipsec: IpsecService,
  ) {
    this.filter = new AclFilter({
      config: () => this.router.config,
      sourceFor: (d) => {
        const a = ipsec.routeInfo(d)?.address;
        return a ? parseIpv4(a) : null;
      },
      send: (p) => ipsec.datapath.sendOwn(p),
      log: (t) => router.console.log(t),
      now: () => Date.now(),
    });
    ipsec.datapath.hooks = {
      ...ipsec.datapath.hooks,
      permitIn: (p, iface) => this.filter.permits(p, iface, 'in'),
      permitOut: (p, iface) => this.filter.permits(p, iface, 'out'),
    };
  }

  async start(): Promise<void> {
    try {
      this.nflogReader = listenNflog(
        ACL_NFLOG_GROUP,
        (p) => void this.logged(p),
        (m) => this.router.console.log(`%TESTBED-3-ACL: ${m}`),
      );
    } catch (e) {
      this.router.console.log(`%TESTBED-3-ACL: access list log lines are not logged: ${(e as Error).message}`);
    }
    await this.apply(this.router.config);
    this.timer = setInterval(() => this.filter.logger.flush(Date.now()), 10_000);
    this.timer.unref();
  }

  private async apply(config: RouterConfig): Promise<void> {
    const agentDevices = [TUN_NAME, DROP_TUN_NAME, ...(this.ipsec.natTun ? [this.ipsec.natTun] : [])];
    const rules = aclRules({ config, linux: this.router.linux, agentDevices, first: !this.hooked, previous: this.made });
    const res = await run('iptables-restore', ['--noflush'], rules.text);
    if (res.code !== 0) {
      this.router.console.log(`%TESTBED-3-ACL: iptables-restore: ${res.stderr.trim().split('\n').join('; ')}`);
      return;
    }
    this.hooked = true;
    this.chains = rules.chains;
    this.made = [...new Set([...this.made, ...rules.chains.keys()])];
  }

  async reconfigure(config: RouterConfig): Promise<void> {
    await this.apply(config);
  }

  /** A packet a `log` line of the kernel's chains copied: find the line and log it as IOS does. */
  private async logged(p: NflogPacket): Promise<void> {
    const m = /^acl (\d+) (\d+)$/.exec(p.prefix);
    const name = m ? this.chains.get(`${ACL_CHAIN_PREFIX}${m[1]}`) : undefined;
    const acl = name === undefined ? undefined : this.router.config.accessLists.find((a) => a.name === name);
    const h = peekIpv4(p.payload);
    if (!acl || !h) return;
    const rule = acl.entries.find((e) => e.type === 'rule' && e.seq === Number(m![2]));
    if (!rule || rule.type !== 'rule') return;
    let input: string | null = null;
    if (rule.log === 'log-input' && p.indev !== null) {
      const dev = await this.deviceName(p.indev);
      const ios = [...this.router.linux].find(([, d]) => d === dev)?.[0];
      if (ios) input = p.hwaddr && p.hwaddr.length === 6 ? `${ios} ${ciscoMac(p.hwaddr)}` : ios;
    }
    const icmp = h.protocol === 1 && p.payload.length >= h.headerLength + 2;
    const packet = {
      protocol: h.protocol,
      source: h.source,
      destination: h.destination,
      ...(h.sourcePort !== undefined ? { sourcePort: h.sourcePort, destinationPort: h.destinationPort } : {}),
      ...(icmp ? { icmpType: p.payload[h.headerLength]!, icmpCode: p.payload[h.headerLength + 1]! } : {}),
    };
    this.filter.logger.note({ acl: acl.name, standard: acl.kind === 'standard', action: rule.action, input }, packet, Date.now());
  }

  private async deviceName(ifindex: number): Promise<string | undefined> {
    if (!this.devices.has(ifindex)) {
      const links = await ipJson<{ ifname: string; ifindex: number }[]>(['link', 'show']).catch(() => []);
      this.devices = new Map(links.map((l) => [l.ifindex, l.ifname]));
    }
    return this.devices.get(ifindex);
  }

  // ------------------------------------------------------------- exec

  async run(cmd: ExecCommand): Promise<string | null> {
    switch (cmd.kind) {
      case 'show-access-lists': {
        const config = this.router.config;
        const acls = cmd.name === null ? config.accessLists : config.accessLists.filter((a) => a.name === cmd.name);
        return renderShowAccessLists(acls, await this.counts());
      }
      case 'clear-access-list-counters': {
        this.filter.clear(cmd.name);
        const chains = [...this.chains].filter(([, name]) => cmd.name === null || name === cmd.name).map(([chain]) => chain);
        for (const chain of chains) await run('iptables', ['-Z', chain]);
        return '';
      }
      default:
        return null;
    }
  }

  /** The kernel's matches and the agent's, per list and line. */
  private async counts(): Promise<AclMatchCounts> {
    const save = await run('iptables-save', ['-c', '-t', 'filter']);
    const kernel = save.code === 0 ? parseAclCounters(save.stdout, this.chains) : new Map<string, Map<number, number>>();
    const out: Record<string, Record<number, number>> = {};
    for (const source of [kernel, this.filter.counts]) {
      for (const [acl, lines] of source) {
        const o = (out[acl] ??= {});
        for (const [seq, n] of lines) o[seq] = (o[seq] ?? 0) + n;
      }
    }
    return out;
  }
}

/** A MAC address as IOS prints it: 0050.56c0.0001. */
function ciscoMac(mac: Buffer): string {
  const hex = mac.toString('hex');
  return `${hex.slice(0, 4)}.${hex.slice(4, 8)}.${hex.slice(8, 12)}`;
}
