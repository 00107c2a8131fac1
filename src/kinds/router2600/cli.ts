/**
 * `ios` inside a router container: type IOS commands at the router.
 *   ios "show ip route"                 one command, its output
 *   ios "conf t" "ip route ..." "end"   several, one session, as a transcript
 *   printf 'show ver\n' | ios           lines from stdin
 * Data for the orchestrator and benchmarks, not IOS: --keys, --timeline,
 * --status [--wait MS], --dh-pool pooled|fresh, --memory [--snapshot] [--trim] (JSON on stdout).
 * Exit status 1 when a command was refused (invalid input, config error).
 */
import { callControl } from '../../agent/io/control.js';
import { encodeKeyMaterial, KEYS_FLAG, type KeyMaterial } from '../../contract/keys.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === KEYS_FLAG) {
    // data for the orchestrator: the SAs' keys (Wireshark's tables, contract/keys.ts)
    const reply = await callControl({ query: 'keys' });
    process.stdout.write(`${encodeKeyMaterial(reply.data as KeyMaterial)}\n`);
    return;
  }
  if (args[0] === '--timeline') {
    // the IPsec time line (bench:tunnel)
    const reply = await callControl({ query: 'timeline' });
    process.stdout.write(`${JSON.stringify(reply.data)}\n`);
    return;
  }
  if (args[0] === '--status') {
    // benchmarks (bench:up): the work after boot; `--status --wait MS` answers once the router is idle, or after MS
    const wait = args[1] === '--wait' ? Number(args[2]) : undefined;
    const reply = await callControl({ query: 'status', ...(wait === undefined ? {} : { waitMs: wait }) });
    process.stdout.write(`${JSON.stringify(reply.data)}\n`);
    return;
  }
  if (args[0] === '--dh-pool') {
    // benchmarks (bench:tunnel): `--dh-pool fresh` makes a new DH key pair per exchange, `--dh-pool pooled` is the default
    const reply = await callControl({ query: 'dh-pool', mode: args[1] as 'pooled' | 'fresh' });
    process.stdout.write(`${JSON.stringify(reply.data)}\n`);
    return;
  }
  if (args[0] === '--memory') {
    // the soak: the agent's memory (process.memoryUsage, V8's heap spaces, malloc); `--snapshot` also writes a heap
    // snapshot, `--trim` gives malloc's free pages back first (malloc_trim)
    const reply = await callControl({
      query: 'memory',
      ...(args.includes('--snapshot') ? { snapshot: true } : {}),
      ...(args.includes('--trim') ? { trim: true } : {}),
    });
    process.stdout.write(`${JSON.stringify(reply.data)}\n`);
    return;
  }
  const lines = args.length > 0 ? args : (await readStdin()).split('\n').filter((l) => l.trim() !== '');
  const reply = await callControl({ lines });
  const transcript = lines.length > 1;
  let failed = false;
  for (const r of reply.results) {
    // the caret under invalid input points into the echoed command line
    if (transcript || (r.error && /^ *\^\n/.test(r.output))) process.stdout.write(`${r.prompt}${r.line}\n`);
    process.stdout.write(r.output);
    failed ||= r.error;
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((e: unknown) => {
  process.stderr.write(`ios: ${(e as Error).message}\n`);
  process.exitCode = 2;
});
