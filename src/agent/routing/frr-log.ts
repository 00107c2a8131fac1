/**
 * FRR's log lines in IOS 12.2's words (pure). FRR stays out of sight: its
 * lines never reach the console as they are; what they say about adjacencies
 * becomes IOS's messages:
 *
 *   OSPF: AdjChg: Nbr 2.2.2.2, NbrIP 10.0.0.2 (default) on eth1:10.0.0.1: Loading -> Full (LoadingDone)
 *     -> %OSPF-5-ADJCHG: Process 1, Nbr 2.2.2.2 on FastEthernet0/0 from LOADING to FULL, Loading Done
 *        (and, under debug ip ospf adj, "OSPF: Synchronized with 2.2.2.2 on FastEthernet0/0, state FULL")
 *   EIGRP: Neighbor(10.0.0.2) adjacency became full
 *     -> %DUAL-5-NBRCHANGE: IP-EIGRP 100: Neighbor 10.0.0.2 (Serial0/0.102) is up: new adjacency
 *
 * IOS logs an OSPF adjacency reaching FULL or going DOWN with
 * `log-adjacency-changes` (every step with `detail`). The debug lines follow
 * IOS 12.x captures (docs/research/ios-12.2-notes.md, section 8). Some need
 * state across lines (the interface of a DR election, an EIGRP neighbour's
 * interface), so this is a small class fed one line at a time.
 */
import { iosNsmState } from './frr-parse.js';

export type RoutingLog =
  | { kind: 'log'; text: string }
  | { kind: 'debug-ospf-adj'; text: string }
  | { kind: 'ospf-adjacency'; routerId: string; address: string; interface: string; state: string }
  | { kind: 'eigrp-neighbor'; address: string; interface: string; up: boolean };

/** IOS's reasons for an adjacency change, by FRR's NSM event. */
const REASONS: Record<string, string> = {
  HelloReceived: 'Received Hello',
  Start: 'Start',
  '2-WayReceived': '2-Way Received',
  NegotiationDone: 'Negotiation Done',
  ExchangeDone: 'Exchange Done',
  BadLSReq: 'Bad LS Request',
  LoadingDone: 'Loading Done',
  'AdjOK?': 'AdjOK?',
  SeqNumberMismatch: 'Sequence number mismatch',
  '1-WayReceived': '1-Way Received',
  KillNbr: 'Neighbor Down: Interface down or detached',
  InactivityTimer: 'Neighbor Down: Dead timer expired',
  LLDown: 'Neighbor Down: Interface down or detached',
};

export interface LogContext {
  /** Linux device -> IOS interface name. */
  ios(dev: string): string | undefined;
  /** An address on a link -> the router ID owning it (own addresses and neighbours), for DR elections. */
  routerIdOf(address: string): string | undefined;
  ospfProcess(): number | null;
  eigrpAs(): number | null;
  /** `log-adjacency-changes`: off, on (FULL and DOWN), detail (every step). */
  ospfLogging(): 'on' | 'detail' | 'off';
}

const STRIP = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d(?:\.\d+)? (\w+): (?:\[[\w-]+\](?:\[EC \d+\])? )?/;

export class FrrLogTranslator {
  /** A DR election in progress: its interface and rounds (FRR may run two), printed once it is over. */
  private election: { dev: string; rounds: { bdr?: string; dr?: string }[] } | null = null;
  private readonly eigrpDev = new Map<string, string>();

  constructor(private readonly ctx: LogContext) {}

  /** One line of a daemon's output. */
  feed(raw: string): RoutingLog[] {
    const m = STRIP.exec(raw);
    if (!m) return [];
    const daemon = m[1]!;
    const text = raw.slice(m[0].length).trim();
    if (daemon === 'OSPF') return this.ospf(text);
    if (daemon === 'EIGRP') return this.eigrp(text);
    return [];
  }

  private name(dev: string): string {
    return this.ctx.ios(dev) ?? dev;
  }

  private ospf(text: string): RoutingLog[] {
    const out: RoutingLog[] = [];
    const debug = (t: string) => out.push({ kind: 'debug-ospf-adj', text: `OSPF: ${t}` });
    const elect = /^DR-Election\[(1st|2nd)\]: (Backup|DR)\s+(\S+)/.exec(text);
    if (elect && this.election) {
      const id = this.ctx.routerIdOf(elect[3]!) ?? elect[3]!;
      const rounds = this.election.rounds;
      if (elect[2] === 'Backup' || rounds.length === 0) rounds.push({});
      rounds[rounds.length - 1]![elect[2] === 'Backup' ? 'bdr' : 'dr'] = id;
      return out;
    }
    // the election is over with the first line about anything else: IOS prints it in one piece
    if (this.election && this.election.rounds.length > 0) {
      const e = this.election;
      debug(`DR/BDR election on ${this.name(e.dev)}`);
      for (const r of e.rounds) {
        debug(`Elect BDR ${r.bdr ?? '0.0.0.0'}`);
        debug(`Elect DR ${r.dr ?? '0.0.0.0'}`);
      }
      const last = e.rounds[e.rounds.length - 1]!;
      out.push({ kind: 'debug-ospf-adj', text: `       DR: ${last.dr ?? '0.0.0.0'} (Id)   BDR: ${last.bdr ?? '0.0.0.0'} (Id)` });
      this.election = null;
    }
    const adj = /^AdjChg: Nbr (\S+), NbrIP (\S+) \(\S+\) on ([^:\s]+):\S+: (\S+) -> (\S+) \((\S+)\)/.exec(text);
    if (adj) {
      const [, rid, address, dev, fromFrr, toFrr, event] = adj as unknown as string[];
      const from = iosNsmState(fromFrr!);
      const to = iosNsmState(toFrr!);
      const iface = this.name(dev!);
      const process = this.ctx.ospfProcess();
      const logging = this.ctx.ospfLogging();
      const wanted = logging === 'detail' || (logging === 'on' && (to === 'FULL' || to === 'DOWN'));
      if (process !== null && wanted && from !== to) {
        out.push({ kind: 'log', text: `%OSPF-5-ADJCHG: Process ${process}, Nbr ${rid} on ${iface} from ${from} to ${to}, ${REASONS[event!] ?? event}` });
      }
      if (to === '2WAY' && from !== 'FULL') debug(`2 Way Communication to ${rid} on ${iface}, state 2WAY`);
      if (from === 'EXCHANGE' && (to === 'LOADING' || to === 'FULL')) debug(`Exchange Done with ${rid} on ${iface}`);
      if (to === 'FULL') debug(`Synchronized with ${rid} on ${iface}, state FULL`);
      if (to === 'DOWN' && event === 'InactivityTimer') debug(`${rid} address ${address} on ${iface} is dead, state DOWN`);
      out.push({ kind: 'ospf-adjacency', routerId: rid!, address: address!, interface: iface, state: to });
      return out;
    }
    const negotiation = /^Packet\[DD\]: Neighbor \S+ Negotiation done \((Master|Slave)\)/.exec(text);
    if (negotiation) {
      debug(`NBR Negotiation Done. We are the ${negotiation[1]!.toUpperCase()}`);
      return out;
    }
    const ism = /^ISM\[([^:\]]+):\S+\]: (\S+) \((\w+)\)/.exec(text);
    if (ism) {
      const [, dev, state, event] = ism as unknown as string[];
      if (event === 'InterfaceUp' && state === 'Down') debug(`Interface ${this.name(dev!)} going Up`);
      if (event === 'InterfaceDown') debug(`Interface ${this.name(dev!)} going Down`);
      if (event === 'NeighborChange') debug(`Neighbor change Event on interface ${this.name(dev!)}`);
      if (event === 'BackupSeen' || event === 'WaitTimer' || event === 'NeighborChange') this.election = { dev: dev!, rounds: [] };
    }
    return out;
  }

  private eigrp(text: string): RoutingLog[] {
    const as = this.ctx.eigrpAs();
    const pending = /^Neighbor (\S+) \((\S+)\) is pending: new adjacency/.exec(text);
    if (pending) {
      this.eigrpDev.set(pending[1]!, pending[2]!);
      return [];
    }
    const full = /^Neighbor\((\S+)\) adjacency became full/.exec(text);
    if (full) {
      const iface = this.name(this.eigrpDev.get(full[1]!) ?? '');
      return [
        ...(as !== null ? [{ kind: 'log' as const, text: `%DUAL-5-NBRCHANGE: IP-EIGRP ${as}: Neighbor ${full[1]} (${iface}) is up: new adjacency` }] : []),
        { kind: 'eigrp-neighbor', address: full[1]!, interface: iface, up: true },
      ];
    }
    const down = /^Neighbor (\S+) \((\S+)\) is down: (.*)$/.exec(text);
    if (down) {
      const iface = this.name(down[2]!);
      return [
        ...(as !== null ? [{ kind: 'log' as const, text: `%DUAL-5-NBRCHANGE: IP-EIGRP ${as}: Neighbor ${down[1]} (${iface}) is down: ${down[3]}` }] : []),
        { kind: 'eigrp-neighbor', address: down[1]!, interface: iface, up: false },
      ];
    }
    return [];
  }
}
