/** IPv4, UDP and ICMP codecs and address helpers (pure). */
export * from './address.js';
export * from './checksum.js';
export * from './errors.js';
export * from './icmp.js';
export * from './ipv4.js';
export * from './udp.js';
