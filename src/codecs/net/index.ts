/** IPv4, UDP, ICMP and GRE codecs and address helpers (pure). */
export * from './address.js';
export * from './checksum.js';
export * from './errors.js';
export * from './icmp.js';
export * from './ipv4.js';
export * from './udp.js';
export * from './gre.js';
