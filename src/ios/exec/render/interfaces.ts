/**
 * `show interfaces` for one interface, the lines the emulator can vouch for:
 * status and line protocol, hardware, description, address, MTU, bandwidth
 * and delay, encapsulation. Serial links name their encapsulation (HDLC by
 * default, PPP, FRAME-RELAY) and keepalive as a 2600's PowerQUICC serial does;
 * an 802.1Q sub-interface says `Encapsulation 802.1Q Virtual LAN, Vlan ID  10.`
 * (two spaces and the full stop, as IOS prints it: research notes, section 8).
 * On the lab link every one of them is an Ethernet segment.
 */
import { cidrOf } from '../../../codecs/net/address.js';
import { effectiveBandwidth, effectiveDelay, encapsulationName, interfaceDefaults, parentName } from '../../config/interface-defaults.js';
import { interfaceType, isSubinterface } from '../../config/interface-names.js';
import type { InterfaceConfig, RouterConfig } from '../../config/types.js';
import type { InterfaceStatus } from '../../routing/routes.js';

export function interfaceLines(config: RouterConfig, iface: InterfaceConfig, status: InterfaceStatus): string[] {
  const parentConfig = config.interfaces.find((i) => i.name === parentName(iface.name));
  const out = [`${iface.name} is ${status}, line protocol is ${status === 'up' ? 'up' : 'down'}`, `  Hardware is ${interfaceDefaults(iface.name).hardware}`];
  if (iface.description) out.push(`  Description: ${iface.description}`);
  if (iface.address) out.push(`  Internet address is ${cidrOf(iface.address.address, iface.address.mask)}`);
  out.push(`  MTU ${iface.mtu ?? 1500} bytes, BW ${effectiveBandwidth(iface)} Kbit, DLY ${effectiveDelay(iface) * 10} usec,`);
  out.push('     reliability 255/255, txload 1/255, rxload 1/255');
  const encapsulation = encapsulationName(iface, parentConfig);
  const serial = interfaceType(iface.name)?.name === 'Serial';
  if (encapsulation === '802.1Q Virtual LAN') {
    const e = (iface.wan.encapsulation ?? parentConfig?.wan.encapsulation)!;
    out.push(`  Encapsulation 802.1Q Virtual LAN, Vlan ID  ${e.kind === 'dot1q' ? e.vlan : 1}.`);
  } else if (serial && isSubinterface(iface.name)) {
    out.push(`  Encapsulation ${encapsulation}`);
  } else {
    out.push(`  Encapsulation ${encapsulation}, loopback not set`);
  }
  if (serial && !isSubinterface(iface.name)) out.push('  Keepalive set (10 sec)');
  return out;
}
