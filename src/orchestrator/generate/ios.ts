/**
 * The IOS running-configs of a generated TED lab, written as an engineer
 * writes them for a 2600 on IOS 12.2 (the seed's layout: service lines,
 * crypto, interfaces, routes, access lists, lines): each spoke with a
 * dynamic TED crypto map on its WAN interface, the core a plain router
 * with static routes to every site. Pure.
 */
import type { Site, TedPlan } from './plan.js';

const CRYPTO_ACL = 110;
const LAN_WILDCARD = '0.0.0.255';
const LAN_MASK = '255.255.255.0';

function header(hostname: string): string[] {
  return [
    '!',
    'version 12.2',
    'service timestamps debug datetime msec',
    'service timestamps log datetime msec',
    'no service password-encryption',
    '!',
    `hostname ${hostname}`,
    '!',
    'boot system flash c2600-jk9s-mz.122-27.bin',
    'enable password cisco',
    '!',
    'memory-size iomem 10',
    'ip subnet-zero',
    '!',
    '!',
    'no ip domain-lookup',
    '!',
  ];
}

function footer(): string[] {
  return ['!', 'line con 0', 'line aux 0', 'line vty 0 4', ' login', '!', 'end', ''];
}

function iface(name: string, description: string, address: string, mask: string, extra: string[] = []): string[] {
  return [
    `interface ${name}`,
    ` description ${description}`,
    ` ip address ${address} ${mask}`,
    ' duplex auto',
    ' speed auto',
    ...extra.map((l) => ` ${l}`),
    '!',
  ];
}

/** The crypto ACL: own LAN to the supernet of every site, or one line per other site. */
function cryptoAcl(plan: TedPlan, site: Site): string[] {
  if (plan.acl === 'supernet') return [`access-list ${CRYPTO_ACL} permit ip ${site.lan} ${LAN_WILDCARD} ${plan.supernet.network} ${plan.supernet.wildcard}`];
  return plan.sites.filter((s) => s !== site).map((s) => `access-list ${CRYPTO_ACL} permit ip ${site.lan} ${LAN_WILDCARD} ${s.lan} ${LAN_WILDCARD}`);
}

/** Shape shared: a route to each other site's LAN by its spoke; shape core: the default route to the core. */
function spokeRoutes(plan: TedPlan, site: Site): string[] {
  if (site.coreAddress) return [`ip route 0.0.0.0 0.0.0.0 ${site.coreAddress}`];
  return plan.sites.filter((s) => s !== site).map((s) => `ip route ${s.lan} ${LAN_MASK} ${s.wan}`);
}

export function spokeConfig(plan: TedPlan, site: Site): string {
  const { suite } = plan;
  const wanDescription = site.coreAddress ? `WAN ${site.wanLink} to core` : 'WAN, shared by every spoke';
  return [
    ...header(site.router),
    '!',
    'crypto isakmp policy 10',
    ...(suite.isakmp.encryption ? [` encryption ${suite.isakmp.encryption}`] : []),
    ...(suite.isakmp.hash ? [` hash ${suite.isakmp.hash}`] : []),
    ' authentication pre-share',
    ...(suite.isakmp.group ? [` group ${suite.isakmp.group}`] : []),
    'crypto isakmp key abc123 address 0.0.0.0 0.0.0.0',
    '!',
    '!',
    `crypto ipsec transform-set ted-transforms ${suite.transforms}`,
    '!',
    'crypto dynamic-map ted-map 10',
    ' set transform-set ted-transforms',
    ...(suite.pfs ? [` set pfs ${suite.pfs}`] : []),
    ` match address ${CRYPTO_ACL}`,
    '!',
    '!',
    'crypto map tedtag 10 ipsec-isakmp dynamic ted-map discover',
    '!',
    '!',
    ...iface('FastEthernet0/0', wanDescription, site.wan, site.wanMask, ['crypto map tedtag']),
    ...iface('FastEthernet0/1', `LAN of site ${site.n}`, site.gateway, LAN_MASK),
    'ip classless',
    ...spokeRoutes(plan, site),
    'ip http server',
    '!',
    '!',
    ...cryptoAcl(plan, site),
    ...footer(),
  ].join('\n');
}

export function coreConfig(plan: TedPlan): string {
  return [
    ...header('core'),
    ...plan.segments.flatMap((s) => {
      const first = s.sites[0]!.n;
      const last = s.sites[s.sites.length - 1]!.n;
      return iface(s.coreInterface, `${s.link}: spoke${first}${last > first ? ` to spoke${last}` : ''}`, s.coreAddress, '255.255.255.0');
    }),
    'ip classless',
    ...plan.sites.map((s) => `ip route ${s.lan} ${LAN_MASK} ${s.wan}`),
    'ip http server',
    '!',
    ...footer(),
  ].join('\n');
}
