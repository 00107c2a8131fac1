/**
 * Tunnel Endpoint Discovery (Cisco IOS `crypto map ... discover`): the probe
 * and reply messages in this project's layout (docs/ted.md). Pure.
 */
export * from './constants.js';
export * from './errors.js';
export * from './messages.js';
