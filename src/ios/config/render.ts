/**
 * `show running-config`: the model printed in IOS order, with the
 * accepted-but-not-emulated lines where IOS would put them.
 */
import { extendedRuleText, standardRuleText } from './acl-syntax.js';
import { natLines } from './cmd-nat.js';
import { routeMapLines } from './cmd-route-map.js';
import type {
  AccessList,
  CryptoConfig,
  CryptoMapEntry,
  DynamicMapEntry,
  ExtraSection,
  InterfaceConfig,
  IsakmpPolicy,
  RouterConfig,
  SaLifetime,
  StaticRoute,
  Transform,
} from './types.js';
import { IPSEC_LIFETIME_DEFAULTS, ISAKMP_POLICY_DEFAULTS } from './types.js';
import { interfaceAfterAddressLines, interfaceHeader, interfaceHeadLines, interfaceTailLines, routerBlockLines } from './render-routing.js';
import { adjustMssLines, bandwidthLines, ipMtuLines, tunnelLines } from './render-tunnel.js';

function extras(config: RouterConfig, section: ExtraSection): string[] {
  return config.extras.filter((e) => e.section === section).flatMap((e) => e.lines);
}

function policyLines(p: IsakmpPolicy): string[] {
  const d = ISAKMP_POLICY_DEFAULTS;
  const out = [`crypto isakmp policy ${p.priority}`];
  if (p.encryption !== d.encryption) out.push(` encr ${p.encryption}${p.keyLength && p.keyLength !== 128 ? ` ${p.keyLength}` : ''}`);
  if (p.hash !== d.hash) out.push(` hash ${p.hash}`);
  if (p.authentication !== d.authentication) out.push(` authentication ${p.authentication}`);
  if (p.group !== d.group) out.push(` group ${p.group}`);
  if (p.lifetime !== d.lifetime) out.push(` lifetime ${p.lifetime}`);
  return out;
}

export function transformText(t: Transform): string {
  return t.kind === 'esp-cipher' && t.keyBits !== null && t.keyBits !== 128 ? `${t.name} ${t.keyBits}` : t.name;
}

function lifetimeLines(l: SaLifetime): string[] {
  const out: string[] = [];
  if (l.seconds !== null) out.push(` set security-association lifetime seconds ${l.seconds}`);
  if (l.kilobytes !== null) out.push(` set security-association lifetime kilobytes ${l.kilobytes}`);
  return out;
}

function mapBodyLines(e: CryptoMapEntry | DynamicMapEntry): string[] {
  return [
    ...e.peers.map((p) => ` set peer ${p}`),
    ...lifetimeLines(e.lifetime),
    ...(e.transformSets.length ? [` set transform-set ${e.transformSets.join(' ')}`] : []),
    ...(e.pfs ? [` set pfs ${e.pfs}`] : []),
    ...(e.matchAddress !== null ? [` match address ${e.matchAddress}`] : []),
  ];
}

function cryptoLines(c: CryptoConfig): string[] {
  const out: string[] = [];
  if (!c.isakmpEnabled) out.push('no crypto isakmp');
  for (const p of c.isakmpPolicies) out.push(...policyLines(p));
  for (const k of c.isakmpKeys) {
    const mask = k.mask === '255.255.255.255' ? '' : ` ${k.mask}`;
    out.push(`crypto isakmp key ${k.key} address ${k.address}${mask}${k.noXauth ? ' no-xauth' : ''}`);
  }
  if (c.isakmpKeepalive) {
    const k = c.isakmpKeepalive;
    out.push(`crypto isakmp keepalive ${k.seconds}${k.retries !== 2 ? ` ${k.retries}` : ''}${k.mode === 'periodic' ? ' periodic' : ''}`);
  }
  if (c.isakmpNatKeepalive !== null) out.push(`crypto isakmp nat keepalive ${c.isakmpNatKeepalive}`);
  if (c.isakmpIdentity !== 'address') out.push(`crypto isakmp identity ${c.isakmpIdentity}`);
  if (c.aggressiveModeDisabled) out.push('crypto isakmp aggressive-mode disable');
  for (const p of c.isakmpPeers) {
    out.push(`crypto isakmp peer address ${p.address}`);
    if (p.aggressiveModePassword !== null) out.push(` set aggressive-mode password ${p.aggressiveModePassword}`);
    const ep = p.aggressiveModeClientEndpoint;
    if (ep) out.push(` set aggressive-mode client-endpoint ${ep.kind} ${ep.value}`);
    if (p.description !== null) out.push(` description ${p.description}`);
  }
  if (out.length) out.push('!');
  if (c.ipsecLifetime.seconds !== IPSEC_LIFETIME_DEFAULTS.seconds) {
    out.push(`crypto ipsec security-association lifetime seconds ${c.ipsecLifetime.seconds}`);
  }
  if (c.ipsecLifetime.kilobytes !== IPSEC_LIFETIME_DEFAULTS.kilobytes) {
    out.push(`crypto ipsec security-association lifetime kilobytes ${c.ipsecLifetime.kilobytes}`);
  }
  for (const t of c.transformSets) {
    out.push(`crypto ipsec transform-set ${t.name} ${t.transforms.map(transformText).join(' ')}`);
    if (t.mode === 'transport') out.push(' mode transport');
  }
  if (c.transformSets.length) out.push('!');
  for (const m of c.dynamicMaps) out.push(`crypto dynamic-map ${m.name} ${m.seq}`, ...mapBodyLines(m), '!');
  for (const l of c.cryptoMapLocalAddress) out.push(`crypto map ${l.map} local-address ${l.interface}`);
  for (const m of c.cryptoMaps) {
    const dyn = m.dynamic ? ` dynamic ${m.dynamic.map}${m.dynamic.discover ? ' discover' : ''}` : '';
    out.push(`crypto map ${m.name} ${m.seq} ${m.mode}${dyn}`, ...mapBodyLines(m));
  }
  if (c.cryptoMaps.length || c.cryptoMapLocalAddress.length) out.push('!');
  return out;
}

function interfaceLines(i: InterfaceConfig): string[] {
  const ipExtras = i.extras.filter((e) => /^(no )?ip /.test(e));
  const otherExtras = i.extras.filter((e) => !/^(no )?ip /.test(e));
  return [
    interfaceHeader(i),
    ...(i.description !== null ? [` description ${i.description}`] : []),
    ...interfaceHeadLines(i),
    ...bandwidthLines(i),
    ...(i.address ? [` ip address ${i.address.address} ${i.address.mask}`] : [' no ip address']),
    ...i.secondary.map((s) => ` ip address ${s.address} ${s.mask} secondary`),
    ...(i.accessGroupIn !== null ? [` ip access-group ${i.accessGroupIn} in`] : []),
    ...(i.accessGroupOut !== null ? [` ip access-group ${i.accessGroupOut} out`] : []),
    ...ipMtuLines(i),
    ...interfaceAfterAddressLines(i),
    ...ipExtras.map((e) => ` ${e}`),
    ...(i.nat ? [` ip nat ${i.nat}`] : []),
    ...adjustMssLines(i),
    ...(i.shutdown ? [' shutdown'] : []),
    ...(i.mtu !== null ? [` mtu ${i.mtu}`] : []),
    ...tunnelLines(i),
    ...otherExtras.map((e) => ` ${e}`),
    ...interfaceTailLines(i),
    ...(i.cryptoMap !== null ? [` crypto map ${i.cryptoMap}`] : []),
    '!',
  ];
}

export function staticRouteText(r: StaticRoute): string {
  return [
    'ip route',
    r.prefix,
    r.mask,
    ...(r.interface !== null ? [r.interface] : []),
    ...(r.nextHop !== null ? [r.nextHop] : []),
    ...(r.distance !== 1 ? [String(r.distance)] : []),
    ...(r.tag !== null ? ['tag', String(r.tag)] : []),
    ...(r.name !== null ? ['name', r.name] : []),
    ...(r.permanent ? ['permanent'] : []),
  ].join(' ');
}

function aclLines(acls: readonly AccessList[]): string[] {
  const out: string[] = [];
  for (const acl of acls.filter((a) => !a.numbered)) {
    out.push(`ip access-list ${acl.kind} ${acl.name}`);
    for (const e of acl.entries) {
      if (e.type === 'remark') out.push(` remark ${e.text}`);
      else out.push(` ${acl.kind === 'standard' ? standardRuleText(e) : extendedRuleText(e)}`);
    }
  }
  if (out.length) out.push('!');
  for (const acl of acls.filter((a) => a.numbered)) {
    for (const e of acl.entries) {
      if (e.type === 'remark') out.push(`access-list ${acl.name} remark ${e.text}`);
      else out.push(`access-list ${acl.name} ${acl.kind === 'standard' ? standardRuleText(e) : extendedRuleText(e)}`);
    }
  }
  return out;
}

/** The configuration text from the first `!` to `end`, one string per line. */
export function runningConfigLines(config: RouterConfig): string[] {
  const lines: string[] = ['!', `version ${config.version}`, ...extras(config, 'service'), '!', `hostname ${config.hostname}`, '!'];
  const global = extras(config, 'global');
  if (global.length) lines.push(...global, '!');
  lines.push(...cryptoLines(config.crypto));
  for (const i of config.interfaces) lines.push(...interfaceLines(i));
  // IOS prints the routing processes, then NAT, then ip classless and the rest
  const routing = extras(config, 'routing');
  const processes = routing.filter((l, i) => l.startsWith('router ') || (l.startsWith(' ') && routing.slice(0, i).some((p) => p.startsWith('router '))));
  lines.push(...routerBlockLines(config.routing), ...processes, ...natLines(config.nat), ...routing.filter((l) => !processes.includes(l)));
  lines.push(...config.staticRoutes.map(staticRouteText));
  lines.push(...extras(config, 'http'), '!');
  const acls = aclLines(config.accessLists);
  if (acls.length) lines.push(...acls, '!');
  lines.push(...routeMapLines(config.routeMaps));
  const tail = extras(config, 'tail');
  if (tail.length) lines.push(...tail, '!');
  lines.push('end');
  return lines;
}

/** Exactly what `show running-config` prints, byte count included. */
export function renderRunningConfig(config: RouterConfig): string {
  const body = runningConfigLines(config).join('\n') + '\n';
  const bytes = new TextEncoder().encode(body).length;
  return `Building configuration...\n\nCurrent configuration : ${bytes} bytes\n${body}`;
}
