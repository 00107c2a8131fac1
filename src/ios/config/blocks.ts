/**
 * Sub-mode vocabularies of the blocks kept verbatim (line, router, key chain,
 * DHCP pool). Their lines take the class of the block's header in the support
 * table; a line outside the vocabulary is refused, as IOS refuses it. Blocks of
 * kind `any` keep every indented line (voice, QoS and other blocks whose whole
 * body is reported with their header).
 */
import type { BlockKind } from './support-types.js';

const LINE = [
  'login *',
  'no login',
  'password *',
  'no password',
  'exec-timeout *',
  'no exec-timeout',
  'transport *',
  'logging *',
  'no logging *',
  'privilege *',
  'exec',
  'no exec',
  'exec prompt *',
  'session-timeout *',
  'speed *',
  'stopbits *',
  'flowcontrol *',
  'history *',
  'length *',
  'width *',
  'access-class *',
  'autocommand *',
  'modem *',
  'escape-character *',
  'absolute-timeout *',
  'location *',
  'motd-banner',
  'no motd-banner',
  'exec-banner',
  'no exec-banner',
  'databits *',
  'parity *',
  'rotary *',
  'activation-character *',
  'no activation-character',
  'vacant-message *',
  'no vacant-message',
  'terminal-type *',
  'timeout *',
  'logout-warning *',
  'authorization *',
  'accounting *',
  'login authentication *',
];

const ROUTER = [
  'network *',
  'no network *',
  'neighbor *',
  'no neighbor *',
  'passive-interface *',
  'no passive-interface *',
  'redistribute *',
  'no redistribute *',
  'version *',
  'auto-summary',
  'no auto-summary',
  'default-information *',
  'router-id *',
  'area *',
  'log-adjacency-changes *',
  'no log-adjacency-changes',
  'timers *',
  'distance *',
  'maximum-paths *',
  'default-metric *',
  'distribute-list *',
  'bgp *',
  'no bgp *',
  'synchronization',
  'no synchronization',
  'address-family *',
  'exit-address-family',
  'eigrp *',
  'metric *',
  'variance *',
  'offset-list *',
  'summary-address *',
  'validate-update-source',
  'no validate-update-source',
  'output-delay *',
  'ospf *',
];

const KEY_CHAIN = ['key *', 'no key *', 'key-string *', 'accept-lifetime *', 'send-lifetime *'];

const DHCP_POOL = [
  'network *',
  'default-router *',
  'dns-server *',
  'domain-name *',
  'lease *',
  'netbios-name-server *',
  'netbios-node-type *',
  'option *',
  'host *',
  'client-identifier *',
  'hardware-address *',
  'import all',
  'next-server *',
  'bootfile *',
  'client-name *',
];

/** The sub-mode commands each kind of kept block accepts (`*`: any arguments). */
export const BLOCK_VOCABULARY: Readonly<Record<Exclude<BlockKind, 'any'>, readonly string[]>> = {
  line: LINE,
  router: ROUTER,
  'key-chain': KEY_CHAIN,
  'dhcp-pool': DHCP_POOL,
};

/** The prompt IOS shows inside each kind of block. */
export const BLOCK_PROMPT: Readonly<Record<BlockKind, string>> = {
  line: '(config-line)',
  router: '(config-router)',
  'key-chain': '(config-keychain)',
  'dhcp-pool': '(dhcp-config)',
  any: '(config-sub)',
};
