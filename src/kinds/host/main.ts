/**
 * Entry point of `host` nodes (the program in the container): a plain Linux
 * end host that takes its addresses, gateway and routes, says it is ready,
 * then idles; a link that is cut and restored is taken over again.
 */
import { runLinuxNode } from '../../agent/io/linux-node.js';

void runLinuxNode();
