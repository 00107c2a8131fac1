/**
 * A two-host lab (h1, h2 on link wan) up on the in-memory engine, whose
 * impairment helpers print their ready lines as the real script does.
 * Shared by the impairment and `testbed impair` unit tests.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KIND_LABEL, ROLE_LABEL } from '../../../../src/contract/labels.js';
import { HOST_READY } from '../../../../src/contract/ready.js';
import { up } from '../../../../src/orchestrator/lab/up.js';
import { loadTopology } from '../../../../src/orchestrator/labfile/load.js';
import { FakeEngine, FakeFirewall } from '../lab/fake-engine.js';

/** Lab `pair` up; `impairYaml` goes under the wan link (its impair:, or ''). */
export async function fakePairLab(t: { teardown(fn: () => Promise<void>): void }, impairYaml: string): Promise<FakeEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'impair-apply-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'pair.yaml');
  await writeFile(
    file,
    `name: pair\nnodes:\n  h1: { kind: host, address: 10.0.0.1/24 }\n  h2: { kind: host, address: 10.0.0.2/24 }\nlinks:\n  wan:\n    endpoints: [h1:eth0, h2:eth0]\n${impairYaml}`,
  );
  const engine = new FakeEngine();
  // nodes print their ready line; helpers print theirs once started, as the script does
  engine.onStart = (c) =>
    setImmediate(() =>
      engine.print(
        c,
        c.spec.labels[ROLE_LABEL] === 'impair'
          ? c.spec.cmd.join(' ').includes('tb-impair "')
            ? 'impair-ready netfilter\ntb-impair: running'
            : 'impair-ready netfilter'
          : c.spec.labels[KIND_LABEL] === 'host'
            ? HOST_READY
            : '',
      ),
    );
  const topo = await loadTopology(file);
  await up(engine, topo, { image: 'testbed/router2600:fake', firewall: new FakeFirewall(), artifacts: join(dir, 'art') });
  return engine;
}
