/**
 * What the strongSwan node's program does at boot and when a cut link comes
 * back: take the topology's addresses, default gateway and routes on the
 * interfaces Docker gave it. (Host and nat nodes do the same from a shell
 * program, src/kinds/linux/program.ts; both run src/contract/linux.ts's
 * commands.)
 */
import type { InterfaceBinding, LinuxSpec } from '../../contract/env.js';
import { addressCommands } from '../../contract/linux.js';
import { readoptInterfaces, watchLinks } from './interfaces.js';
import { ipBatch } from './system.js';

/** Addresses, link state and routes for the given interfaces (all of them at boot); null or the error. */
export async function configureLinux(spec: LinuxSpec, names: Map<string, string>, only?: Set<string>): Promise<string | null> {
  const res = await ipBatch(
    addressCommands(spec, (name) => names.get(name) ?? name, only),
    only !== undefined,
  );
  return res.code === 0 ? null : res.stderr.trim();
}

/** Take restored links over again (docker network connect after a cut). */
export function followLinks(spec: LinuxSpec, bindings: InterfaceBinding[], names: Map<string, string>, say: (line: string) => void): void {
  let timer: NodeJS.Timeout | undefined;
  watchLinks(() => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      void (async () => {
        const back = await readoptInterfaces(bindings, names).catch(() => []);
        if (back.length === 0) return;
        const problem = await configureLinux(spec, names, new Set(back.map((b) => b.name)));
        say(`${back.map((b) => b.name).join(', ')} restored${problem ? ` (${problem})` : ''}`);
      })().catch((e: unknown) => say(`a restored link could not be taken over: ${(e as Error).message}`));
    }, 100);
  });
}
