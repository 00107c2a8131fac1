/**
 * How IOS picks a routing process's router ID when none is configured: the
 * highest address of a loopback interface that is up, else the highest
 * address of any interface that is up (Cisco TechNote 13688, "the highest IP
 * address or the highest ip address among loopback addresses"). The choice
 * is made when the process starts and kept until it is cleared or the router
 * reloads; the caller keeps it.
 */
import { parseIpv4, type Ipv4 } from '../../codecs/net/address.js';
import type { RouterConfig } from '../config/types.js';
import { interfaceStatus, type LinkState } from './routes.js';

export function iosRouterId(config: RouterConfig, link?: LinkState): Ipv4 | null {
  const up = config.interfaces.filter((i) => i.address !== null && interfaceStatus(i, link) === 'up');
  const highest = (list: typeof up): Ipv4 | null =>
    list.map((i) => i.address!.address).reduce<Ipv4 | null>((a, b) => (a === null || parseIpv4(b) > parseIpv4(a) ? b : a), null);
  return highest(up.filter((i) => i.name.startsWith('Loopback'))) ?? highest(up);
}
