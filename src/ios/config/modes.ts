/** Configuration modes (the part in parentheses of the IOS prompt). */
import type { Ipv4 } from '../../codecs/net/address.js';
import { BLOCK_PROMPT } from './blocks.js';
import type { BlockKind, SupportClass } from './support-types.js';

export type ConfigMode =
  | { kind: 'global' }
  | { kind: 'interface'; name: string }
  | { kind: 'isakmp-policy'; priority: number }
  | { kind: 'isakmp-peer'; address: Ipv4 }
  | { kind: 'transform-set'; name: string }
  | { kind: 'crypto-map'; name: string; seq: number }
  | { kind: 'dynamic-map'; name: string; seq: number }
  | { kind: 'access-list'; name: string; aclKind: 'standard' | 'extended' }
  | { kind: 'router-ospf'; id: number }
  | { kind: 'router-eigrp'; as: number }
  | { kind: 'router-rip' }
  | { kind: 'route-map'; name: string; seq: number }
  /** A block kept verbatim (line, router, ...): its lines take the class of its header. */
  | { kind: 'extra'; header: string; children: BlockKind; cls: SupportClass }
  /** Inside a multi-line `banner`: lines are text until the delimiter comes back. */
  | { kind: 'banner'; header: string; delimiter: string };

/** Which sub-mode commands a block kept verbatim knows (blocks.ts). */
export type ExtraChildren = BlockKind;

export const GLOBAL_MODE: ConfigMode = { kind: 'global' };

/** The prompt suffix IOS shows in this mode, e.g. "(config-if)". */
export function modePrompt(mode: ConfigMode): string {
  switch (mode.kind) {
    case 'global':
      return '(config)';
    case 'interface':
      return mode.name.includes('.') ? '(config-subif)' : '(config-if)';
    case 'isakmp-policy':
      return '(config-isakmp)';
    case 'isakmp-peer':
      return '(config-isakmp-peer)';
    case 'transform-set':
      return '(cfg-crypto-trans)';
    case 'crypto-map':
    case 'dynamic-map':
      return '(config-crypto-map)';
    case 'access-list':
      return mode.aclKind === 'standard' ? '(config-std-nacl)' : '(config-ext-nacl)';
    case 'route-map':
      return '(config-route-map)';
    case 'banner':
      return '(config)';
    case 'router-ospf':
    case 'router-eigrp':
    case 'router-rip':
      return '(config-router)';
    case 'extra':
      return BLOCK_PROMPT[mode.children];
  }
}
