/**
 * Read-only views of the engine for the IOS show commands and for
 * Wireshark's key tables. They return data, the renderers print it:
 *
 * - `show crypto isakmp sa`: {@link isakmpSaRows}
 * - `show crypto ipsec sa`: {@link ipsecSaView} (packet counters come from
 *   the datapath's ESP SAs, keyed by SPI)
 * - `show crypto map`: {@link cryptoMapView}, with the dynamic instances IOS
 *   creates ("tedtag 11 ... dynamic (created from dynamic map ted-map/10)")
 * - `show crypto engine connections active`: {@link engineConnectionRows}
 * - key tables: {@link keyMaterial} (ikev1_decryption_table, esp_sa)
 */
export * from './isakmp.js';
export * from './ipsec.js';
export * from './crypto-map.js';
export * from './engine.js';
export * from './keys.js';
