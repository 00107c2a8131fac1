import test from 'ava';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { main } from '../../../../src/orchestrator/cli/main.js';
import type { Engine } from '../../../../src/orchestrator/docker/engine.js';
import { DockerUnavailableError } from '../../../../src/orchestrator/docker/engine.js';
import { graphModel, renderMermaid, renderSvg } from '../../../../src/orchestrator/graph/index.js';
import { loadTopology } from '../../../../src/orchestrator/labfile/load.js';
import { root } from '../../../root.js';

const seed = await loadTopology(`${root}topologies/daphne-fred.yaml`);
const tunnel = { a: 'daphne', b: 'fred', state: 'QM_IDLE', flows: ['13.13.13.0/24 <-> 12.12.12.0/24'] };

/** Every text node of a parsed SVG, in document order. */
function texts(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string' || typeof node === 'number') out.push(String(node));
  else if (Array.isArray(node)) for (const n of node) texts(n, out);
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) if (!k.startsWith('@_')) texts(v, out);
  return out;
}

test('the seed lab as SVG: valid XML, every node with kind and addresses, every link with its subnet, wires labelled', (t) => {
  const svg = renderSvg(graphModel(seed));
  t.is(XMLValidator.validate(svg), true);
  const doc = new XMLParser({ ignoreAttributes: false }).parse(svg);
  t.is(doc.svg['@_xmlns'], 'http://www.w3.org/2000/svg');
  t.regex(doc.svg['@_viewBox'], /^0 0 \d+(\.\d)? \d+(\.\d)?$/);
  const all = texts(doc.svg);
  for (const s of [
    'daphne',
    'fred',
    'd1',
    'a1',
    'router2600',
    'host',
    'Fa0/0  11.11.11.1/24',
    'Fa0/1  13.13.13.13/24',
    'Fa0/0  11.11.11.2/24',
    'Fa0/1  12.12.12.12/24',
    'eth0  13.13.13.4/24',
    'eth0  12.12.12.13/24',
    'wan',
    '11.11.11.0/24',
    'lan-daphne',
    '13.13.13.0/24',
    'lan-fred',
    '12.12.12.0/24',
  ]) {
    t.true(all.includes(s), `the picture shows "${s}"`);
  }
  t.is((svg.match(/<line class="wire"/g) ?? []).length, 6);
  t.false(svg.includes('class="tunnel"'), 'no tunnels when no lab is running');
  // d1 on the left, a1 on the right: the chain is laid out in the topology's order
  const x = (id: string) => Number(new RegExp(`id="${id}"><rect x="([\\d.]+)"`).exec(svg)![1]);
  t.true(x('node:d1') < x('node:daphne') && x('node:daphne') < x('node:fred') && x('node:fred') < x('node:a1'));
});

test('tunnels of a running lab are drawn between the routers, with their flows', (t) => {
  const svg = renderSvg(graphModel(seed, [tunnel]));
  t.is(XMLValidator.validate(svg), true);
  t.is((svg.match(/<path class="tunnel"/g) ?? []).length, 1);
  t.true(svg.includes('IPsec QM_IDLE: 13.13.13.0/24 &lt;-&gt; 12.12.12.0/24'));
  t.true(renderMermaid(graphModel(seed, [tunnel])).includes('  n_daphne -.-|"IPsec QM_IDLE<br/>13.13.13.0/24 <-> 12.12.12.0/24"| n_fred\n'));
});

test('the seed lab as Mermaid: every node and link, and an edge per link endpoint', (t) => {
  const text = renderMermaid(graphModel(seed));
  const lines = text.split('\n');
  t.is(lines[1], 'flowchart LR');
  for (const n of ['daphne', 'fred', 'd1', 'a1'])
    t.true(
      lines.some((l) => l.startsWith(`  n_${n}["<b>${n}</b>`)),
      `node ${n}`,
    );
  t.true(text.includes('  n_daphne["<b>daphne</b> (Daphne)<br/>router2600<br/>Fa0/0 11.11.11.1/24<br/>Fa0/1 13.13.13.13/24"]'));
  t.true(text.includes('  l_wan(["wan<br/>11.11.11.0/24"])'));
  t.true(text.includes('  l_lan_daphne(["lan-daphne<br/>13.13.13.0/24"])'));
  t.true(text.includes('  l_lan_fred(["lan-fred<br/>12.12.12.0/24"])'));
  t.deepEqual(
    lines.filter((l) => l.includes('---|')),
    [
      '  n_daphne ---|Fa0/0| l_wan',
      '  l_wan ---|Fa0/0| n_fred',
      '  l_lan_daphne ---|Fa0/1| n_daphne',
      '  n_d1 ---|eth0| l_lan_daphne',
      '  n_fred ---|Fa0/1| l_lan_fred',
      '  l_lan_fred ---|eth0| n_a1',
    ],
  );
});

test('testbed graph draws without Docker (no tunnels then)', async (t) => {
  const noDocker = new Proxy({} as Engine, { get: () => () => Promise.reject(new DockerUnavailableError('no docker here')) });
  let out = '';
  const code = await main(['graph', `${root}topologies/daphne-fred.yaml`, '--format', 'svg'], { stdout: (s) => (out += s), stderr: () => undefined }, noDocker);
  t.is(code, 0);
  t.is(XMLValidator.validate(out), true);
  t.is(out, renderSvg(graphModel(seed)));
  let bad = '';
  t.is(await main(['graph', `${root}topologies/daphne-fred.yaml`, '--format', 'png'], { stdout: () => undefined, stderr: (s) => (bad += s) }, noDocker), 2);
  t.regex(bad, /--format must be svg or mermaid, not "png"/);
});

test('the README picture is the seed lab as testbed graph draws it', async (t) => {
  const { readFile } = await import('node:fs/promises');
  t.is(await readFile(`${root}docs/daphne-fred.svg`, 'utf8'), renderSvg(graphModel(seed)));
});

test('a lab on a swarm: each node says which engine it runs on, in SVG and Mermaid', (t) => {
  const model = graphModel(seed, [], { daphne: 'e1', d1: 'e1', fred: 'e2', a1: 'e2' });
  t.deepEqual(Object.fromEntries(model.nodes.map((n) => [n.name, n.engine])), { daphne: 'e1', fred: 'e2', d1: 'e1', a1: 'e2' });
  const all = texts(new XMLParser({ ignoreAttributes: false }).parse(renderSvg(model)).svg);
  t.true(all.includes('router2600 on e1') && all.includes('host on e2'), all.join('|'));
  t.regex(renderMermaid(model), /<b>fred<\/b><br\/>router2600 on e2<br\/>/);
  t.false(renderMermaid(graphModel(seed)).includes(' on e'));
});
