/**
 * Entry point of `nat` nodes (the program in the container): a Linux node
 * that takes its addresses and routes, then masquerades what leaves by its
 * outside interface (TESTBED_HOST's nat part; rules in agent/io/linux-node.ts).
 */
import { runLinuxNode } from '../../agent/io/linux-node.js';

void runLinuxNode();
