/** The exec (privileged, `Router#`) commands the emulator understands, as data. */
import type { Ipv4 } from '../../codecs/net/address.js';

export type DebugFacility = 'isakmp' | 'ipsec' | 'engine' | 'ospf-adj' | 'nat';

export type PingSource = { kind: 'address'; address: Ipv4 } | { kind: 'interface'; name: string };

export type ExecCommand =
  | { kind: 'empty' }
  | { kind: 'show-running-config' }
  | { kind: 'show-startup-config' }
  | { kind: 'show-version' }
  | { kind: 'show-ip-interface-brief' }
  | { kind: 'show-interfaces'; interface: string | null }
  | { kind: 'show-ip-route' }
  | { kind: 'show-ip-traffic' }
  | { kind: 'show-access-lists'; name: string | null }
  | { kind: 'show-ip-nat-translations'; verbose: boolean }
  | { kind: 'show-ip-nat-statistics' }
  | { kind: 'clear-ip-nat-translation' }
  | { kind: 'clear-ip-nat-statistics' }
  | { kind: 'clear-access-list-counters'; name: string | null }
  | { kind: 'show-logging' }
  | { kind: 'show-clock' }
  | { kind: 'show-debugging' }
  | { kind: 'show-crypto-isakmp-sa' }
  | { kind: 'show-crypto-isakmp-policy' }
  | { kind: 'show-crypto-ipsec-sa'; peer: Ipv4 | null; detail: boolean }
  | { kind: 'show-crypto-ipsec-transform-set'; name: string | null }
  | { kind: 'show-crypto-map'; tag: string | null; interface: string | null }
  | { kind: 'show-crypto-dynamic-map'; tag: string | null }
  | { kind: 'show-crypto-engine-connections-active' }
  | { kind: 'show-ip-ospf-neighbor' }
  | { kind: 'show-ip-ospf-interface'; interface: string | null }
  | { kind: 'show-ip-eigrp-neighbors' }
  | { kind: 'show-ip-eigrp-topology' }
  | { kind: 'show-ip-protocols' }
  | { kind: 'show-ip-rip-database' }
  /** `clear ip ospf [PID] process`: IOS asks to confirm first. */
  | { kind: 'clear-ip-ospf-process'; processId: number | null }
  | {
      kind: 'ping';
      target: Ipv4;
      repeat: number;
      /** Datagram size in bytes (IOS default 100). */
      size: number;
      timeoutSeconds: number;
      source: PingSource | null;
      dfBit: boolean;
    }
  | { kind: 'traceroute'; target: Ipv4 }
  | { kind: 'configure-terminal' }
  /** `debug crypto X`, `debug ip ospf adj`, `debug ip nat` (on) / `undebug ...`, `no debug ...` (off); 'all' from `debug all` / `undebug all`. */
  | { kind: 'debug'; facility: DebugFacility | 'all'; on: boolean }
  /** `clear crypto sa [peer A | map NAME]`. */
  | { kind: 'clear-crypto-sa'; peer: Ipv4 | null; map: string | null }
  | { kind: 'clear-crypto-isakmp'; connId: number | null }
  | { kind: 'terminal-length'; lines: number }
  | { kind: 'terminal-monitor'; on: boolean }
  | { kind: 'write-memory' }
  | { kind: 'exit' };

/** `| include REGEX` and friends, after a show command. */
export interface OutputFilter {
  kind: 'begin' | 'include' | 'exclude' | 'section';
  pattern: string;
}

export type ExecParse =
  | { ok: true; command: ExecCommand; filter: OutputFilter | null }
  /** `output` is what IOS prints instead (caret line and message), ending with a newline. */
  | { ok: false; output: string };

export const PING_DEFAULTS = { repeat: 5, size: 100, timeoutSeconds: 2 } as const;
