/**
 * strongSwan nodes: where charon's files go and the strongswan.conf testbed
 * writes. Debian's packages ship kernel-libipsec with `load = no`; the
 * kernel here has no ESP, so charon runs with it (userspace ESP through a
 * tun device, always in UDP 4500 in 5.9.8) and logs to stdout, which is the
 * node's console (`testbed logs NODE`).
 */
export const CHARON = '/usr/lib/ipsec/charon';
export const STRONGSWAN_CONF = '/etc/strongswan.conf';
export const VICI_SOCKET = '/var/run/charon.vici';

/** Log levels per subsystem (-1 silent ... 4 keys and raw data); 2 shows proposals, NAT-D and the reasons of failures. */
export const LOG_LEVELS: Readonly<Record<string, number>> = { default: 1, ike: 2, cfg: 1, knl: 1, net: 1, enc: 1, esp: 1, chd: 1, lib: 1 };

/** Plugins of Debian's packages that act on the network by themselves (multicast forwarding, ARP, DHCP, HA, LEDs), need what a lab node has not, or read ipsec.conf (stroke: swanctl configures these nodes). */
export const UNLOADED_PLUGINS = [
  'stroke',
  'forecast',
  'farp',
  'dhcp',
  'ha',
  'led',
  'eap-radius',
  'tnc-tnccs',
  'eap-tnc',
  'xauth-pam',
  'certexpire',
  'lookip',
  'error-notify',
  'bypass-lan',
  'connmark',
];

/** swanctl's own plugins: only those Debian ships (the built-in list names more, and swanctl warns about each). */
export const SWANCTL_PLUGINS = 'random nonce openssl pem pkcs1 pkcs8 x509 revocation constraints pubkey';

export function strongswanConf(levels: Readonly<Record<string, number>> = LOG_LEVELS): string {
  const lv = Object.entries(levels).map(([k, v]) => `      ${k} = ${v}`);
  return [
    '# written by testbed (strongswan node): charon with userspace ESP (kernel-libipsec), logs on stdout',
    'charon {',
    '  load_modular = yes',
    '  # lab nodes have no DNS and no other peers: give up on a silent peer within about a minute',
    '  retransmit_tries = 4',
    '  # IKEv1 Aggressive Mode with a pre-shared key exposes a hash of the key; strongSwan answers it',
    '  # only with this (a lab needs it to meet IOS routers that initiate Aggressive Mode)',
    '  i_dont_care_about_security_and_use_aggressive_mode_psk = yes',
    '  plugins {',
    '    include strongswan.d/charon/*.conf',
    '    kernel-libipsec {',
    '      load = yes',
    '    }',
    ...UNLOADED_PLUGINS.map((p) => `    ${p} {\n      load = no\n    }`),
    '  }',
    '  filelog {',
    '    console {',
    '      path = /dev/stdout',
    '      time_format = %b %e %T',
    '      ike_name = yes',
    '      flush_line = yes',
    ...lv,
    '    }',
    '  }',
    '  syslog {',
    '    daemon {',
    '      default = -1',
    '    }',
    '  }',
    '}',
    'include strongswan.d/*.conf',
    'swanctl {',
    `  load = ${SWANCTL_PLUGINS}`,
    '}',
    '',
  ].join('\n');
}
