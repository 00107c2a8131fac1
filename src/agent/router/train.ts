/**
 * The router's training run for its code cache (src/agent/io/code-cache.ts):
 * run, without devices or sockets, the code a boot and the first tunnels
 * run: the config parser on a config with the lines labs carry, the IKE
 * policy, and a negotiation plus ESP for a few suites (the warm-up's own
 * loop, uncontended). What V8 compiled on the way goes into the cache the
 * image keeps.
 */
import { parseConfig } from '../../ios/index.js';
import { policyFromConfig } from '../ike/index.js';
import type { NativeEsp } from '../esp/index.js';
import { warmUp } from './warmup.js';

/** A spoke's config with TED, a static crypto map, several suites, routes, ACLs and a tunnel: the parser's common paths. */
export const TRAINING_CONFIG = `!
version 12.2
service timestamps debug datetime msec
service timestamps log datetime msec
hostname Spoke
!
crypto isakmp policy 10
 authentication pre-share
crypto isakmp policy 20
 encryption aes 128
 hash sha
 authentication pre-share
 group 14
 lifetime 3600
crypto isakmp policy 30
 encryption 3des
 hash md5
 authentication pre-share
 group 2
crypto isakmp key abc123 address 0.0.0.0 0.0.0.0
crypto isakmp keepalive 10 2
!
crypto ipsec transform-set ted-transforms esp-des esp-md5-hmac
crypto ipsec transform-set aes esp-aes 128 esp-sha-hmac
crypto ipsec transform-set triple esp-3des esp-sha-hmac
crypto ipsec security-association lifetime seconds 3600
!
crypto dynamic-map ted-map 10
 set transform-set ted-transforms aes triple
 match address 101
!
crypto map tedtag 5 ipsec-isakmp
 set peer 10.99.0.2
 set transform-set aes
 set pfs group2
 match address 102
crypto map tedtag 10 ipsec-isakmp dynamic ted-map discover
!
interface Loopback0
 ip address 10.255.0.1 255.255.255.255
!
interface Tunnel0
 ip address 172.16.0.1 255.255.255.252
 tunnel source FastEthernet0/0
 tunnel destination 10.99.0.2
!
interface FastEthernet0/0
 ip address 10.0.0.1 255.255.255.0
 ip access-group 120 in
 duplex auto
 speed auto
 crypto map tedtag
!
interface FastEthernet0/1
 ip address 10.1.1.1 255.255.255.0
 ip tcp adjust-mss 1360
 duplex auto
 speed auto
!
ip classless
ip route 0.0.0.0 0.0.0.0 10.0.0.254
ip route 10.50.0.0 255.255.0.0 172.16.0.2
!
access-list 101 deny   ip 10.1.1.0 0.0.0.255 10.1.1.0 0.0.0.255
access-list 101 permit ip 10.1.1.0 0.0.0.255 10.0.0.0 0.255.255.255
access-list 102 permit ip 10.1.1.0 0.0.0.255 10.60.0.0 0.0.255.255
access-list 120 permit udp any any eq isakmp
access-list 120 permit esp any any
access-list 120 permit icmp any any
access-list 120 permit ip any any
!
line con 0
line vty 0 4
 login
!
end
`;

export async function trainRouter(native?: NativeEsp): Promise<void> {
  const { config } = parseConfig(TRAINING_CONFIG);
  const policy = policyFromConfig(config);
  await warmUp(policy, { rounds: 2, ...(native ? { native } : {}), cpu: { contended: () => false, reset: () => undefined } });
}
