/**
 * The program of host and nat nodes: a POSIX shell script the orchestrator
 * writes for each node from its addressing and interface bindings, run as
 * `/bin/sh -c` (dash in the image). It does what the strongSwan node's
 * program does before it starts charon (src/agent/io/linux-node.ts), with the
 * same commands (src/contract/linux.ts): find each interface by the throwaway
 * address Docker gave it, drop that address and set the link's MTU, flush
 * Docker's routes, take the topology's addresses, gateway and routes; a NAT
 * then loads its iptables rules. It prints what it took and the ready line,
 * then follows `ip monitor link` and takes a restored link over again.
 *
 * Why a shell and not Node: a lab has as many hosts as spokes, and a Node
 * process costs about 40 ms of CPU to start before it does anything (the
 * whole of a host's work); a hundred of them boot while Docker starts the
 * rest of the lab on the same cores. The script costs a few `ip` runs.
 */
import type { InterfaceBinding, LinuxSpec } from '../../contract/env.js';
import { FLUSH_ROUTES, interfaceCommands, natRules, routeCommands, stripCommands } from '../../contract/linux.js';
import { HOST_FAILED, HOST_READY } from '../../contract/ready.js';

/** What a NAT translates: what leaves by `outside` from the `inside` interfaces; only answers come back in. */
export interface NatSpec {
  inside: string[];
  outside: string;
}

/** The node's command: the script run by the image's /bin/sh. */
export function linuxProgram(spec: LinuxSpec, bindings: readonly InterfaceBinding[], nat?: NatSpec): string[] {
  return ['/bin/sh', '-c', linuxScript(spec, bindings, nat)];
}

/** A shell word that stands for `text` as it is. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Lines that go into a here-document or a double-quoted string, where the
 * shell expands `$`, backquotes and backslashes: ours hold addresses, names,
 * iptables syntax and the `${dN}` device variables, nothing else. A line
 * that holds anything more is a bug in the caller, not input to quote.
 */
function expandable(lines: string[]): string[] {
  for (const line of lines) {
    if (/[`\\"]/.test(line) || /\$(?!\{d\d+\})/.test(line)) throw new Error(`not safe in a shell here-document: ${line}`);
  }
  return lines;
}

const PREFIX = HOST_READY.slice(0, HOST_READY.indexOf(':'));

export function linuxScript(spec: LinuxSpec, bindings: readonly InterfaceBinding[], nat?: NatSpec): string {
  const variable = new Map(bindings.map((b, i) => [b.name, `d${i}`]));
  // an interface with no link keeps its own name (the topology's eth1 is the container's eth1)
  const dev = (name: string) => (variable.has(name) ? `\${${variable.get(name)}}` : name);
  const address = new Map(spec.interfaces.map((i) => [i.name, i.address.split('/')[0]!]));
  const heredoc = (lines: string[]) => [...expandable(lines), 'EOF'];
  const say = (line: string) => `say ${shellQuote(`${PREFIX}: ${line}`)}`;

  const boot = bindings.flatMap((b) => [
    `${variable.get(b.name)}=$(dev_of ${b.dockerIp})`,
    `[ -n "$${variable.get(b.name)}" ] || fail ${shellQuote(`no interface carries ${b.dockerIp} for ${b.name}; interfaces:`)}" $(ls /sys/class/net | tr '\\n' ' ')"`,
  ]);
  // after a restored link: each interface that carries its Docker address again is taken over; the others
  // are found by the lab's address (a NAT's rules name every device)
  const again = bindings.flatMap((b) => {
    const v = variable.get(b.name)!;
    const lab = address.get(b.name);
    return [
      `  x=$(dev_of ${b.dockerIp})`,
      '  if [ -n "$x" ]; then',
      `    ${v}=$x; back="$back, ${b.name}"`,
      ...expandable([...stripCommands([b], dev), ...interfaceCommands(spec, dev, new Set([b.name]))]).map((c) => `    todo="\${todo}${c}\\n"`),
      ...(lab ? ['  else', `    x=$(dev_of ${lab}); [ -z "$x" ] || ${v}=$x`] : []),
      '  fi',
    ];
  });

  return [
    '# host and nat nodes: written by testbed (src/kinds/linux/program.ts)',
    "trap 'exit 0' TERM INT",
    `say() { printf '%s\\n' "$1"; }`,
    `fail() { say ${shellQuote(`${HOST_FAILED}: `)}"$1"; exit 1; }`,
    '# the device that carries an address ("2: eth0    inet 198.18.0.2/28 ...")',
    'dev_of() { set -- $(ip -o -4 addr show to "$1/32"); printf %s "${2:-}"; }',
    '# an ip batch (-force: go on past a failed line), its errors as output',
    'batch() { ip "$@" -batch - 2>&1 >/dev/null; }',
    ...boot,
    'err=$(batch -force <<EOF',
    ...heredoc(stripCommands(bindings, dev)),
    ')',
    '[ $? -eq 0 ] || fail "taking over the interfaces failed: $err"',
    `ip ${FLUSH_ROUTES} 2>/dev/null`,
    'err=$(batch <<EOF',
    ...heredoc([...interfaceCommands(spec, dev), ...routeCommands(spec)]),
    ')',
    '[ $? -eq 0 ] || fail "$err"',
    ...(nat
      ? [
          'err=$(iptables-restore --noflush 2>&1 <<EOF',
          ...heredoc(natRules(nat, dev).trimEnd().split('\n')),
          ')',
          '[ $? -eq 0 ] || fail "iptables-restore: $err"',
        ]
      : []),
    ...spec.interfaces.map((i) => say(`${i.name} ${i.address}`)),
    ...(spec.gateway ? [say(`default via ${spec.gateway}`)] : []),
    ...(nat ? [say(`masquerading ${nat.inside.join(', ')} behind ${nat.outside}`)] : []),
    `say ${shellQuote(HOST_READY)}`,
    'again() {',
    '  back=; todo=',
    ...again,
    '  [ -n "$back" ] || return 0',
    ...expandable(routeCommands(spec)).map((c) => `  todo="\${todo}${c}\\n"`),
    '  err=$(printf "$todo" | batch -force)',
    ...(nat
      ? [
          '  if [ -z "$err" ]; then',
          '    e=$(iptables-restore --noflush 2>&1 <<EOF',
          ...heredoc(natRules(nat, dev, false).trimEnd().split('\n')),
          ')',
          '    [ $? -eq 0 ] || err="iptables-restore: $e"',
          '  fi',
        ]
      : []),
    `  say "${PREFIX}: \${back#, } restored\${err:+ ($err)}"`,
    '}',
    '# a cut link restored (docker network connect) comes back as a new device with its Docker address',
    'while :; do ip -o monitor link | while read -r _; do again; done; sleep 1; done &',
    'wait',
    '',
  ].join('\n');
}
