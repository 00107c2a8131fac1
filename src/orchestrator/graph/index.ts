/** `testbed graph`: the picture of a lab as SVG and as Mermaid text. */
export { graphModel, type GraphModel, type GraphNode, type GraphLink, type Tunnel } from './model.js';
export { renderSvg } from './svg.js';
export { renderMermaid } from './mermaid.js';
export { labTunnels } from './tunnels.js';
export { layout, columnsOf } from './layout.js';
