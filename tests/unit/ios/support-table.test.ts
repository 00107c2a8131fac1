/**
 * The support table and the parser agree: every row kept verbatim parses in
 * its mode to its class, every block vocabulary line takes its header's
 * class, and every command of a later release is refused.
 */
import test from 'ava';
import { BLOCK_VOCABULARY, LATER_COMMANDS, SUPPORT_TABLE, parseCommand, parseConfig } from '../../../src/ios/index.js';

const CONTEXT: Record<string, string[]> = {
  global: [],
  interface: ['interface FastEthernet0/0'],
  'crypto-map': ['crypto map vpn 10 ipsec-isakmp'],
  'isakmp-policy': ['crypto isakmp policy 10', ' authentication pre-share'],
  'transform-set': ['crypto ipsec transform-set ts esp-des'],
  'isakmp-peer': ['crypto isakmp peer address 10.0.0.2'],
  'access-list': ['ip access-list extended L'],
  'router-ospf': ['router ospf 1'],
  'router-eigrp': ['router eigrp 1'],
  'router-rip': ['router rip'],
  'route-map': ['route-map RM permit 10'],
};

/** A line for a row: its keywords, and an argument where it takes any. */
function sample(command: string): string {
  const { path, rest } = parseCommand(command);
  return rest ? `${path} 1` : path;
}

function indent(mode: string, line: string): string {
  return mode === 'global' ? line : ` ${line}`;
}

test('every row has a one-line reason and a class', (t) => {
  for (const row of SUPPORT_TABLE) {
    t.regex(row.reason, /^[^\n]{8,}$/, row.command);
    t.true(['emulated', 'cosmetic', 'not-emulated'].includes(row.class), row.command);
  }
});

for (const row of SUPPORT_TABLE.filter((r) => !r.model)) {
  const line = indent(row.mode, sample(row.command));
  test(`${row.mode}: "${line.trim()}" is accepted as ${row.class}`, (t) => {
    const context = CONTEXT[row.mode]!;
    const { diagnostics, lines } = parseConfig([...context, line].join('\n'));
    const at = context.length + 1;
    t.deepEqual(
      diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    t.is(lines[at - 1], row.class);
    t.is(diagnostics.filter((d) => d.code === 'not-emulated' && d.line === at).length, row.class === 'not-emulated' ? 1 : 0);
  });
}

for (const row of SUPPORT_TABLE.filter((r) => r.block && r.block !== 'any')) {
  test(`the lines of "${sample(row.command)}" take its class (${row.class}), one warning at most`, (t) => {
    const body = BLOCK_VOCABULARY[row.block as keyof typeof BLOCK_VOCABULARY].map((c) => ` ${sample(c)}`);
    const { diagnostics, lines } = parseConfig([sample(row.command), ...body].join('\n'));
    t.deepEqual(lines, Array(body.length + 1).fill(row.class));
    const warnings = diagnostics.filter((d) => d.code === 'not-emulated');
    t.deepEqual(
      warnings.map((d) => [d.line, d.blockLines]),
      row.class === 'not-emulated' ? [[1, body.length]] : [],
    );
  });
}

for (const later of LATER_COMMANDS) {
  const line = indent(later.mode, `${later.command} x`);
  test(`${later.mode}: "${later.command}" (${later.release}) is refused with IOS's message`, (t) => {
    const context = CONTEXT[later.mode]!;
    const { diagnostics, lines } = parseConfig([...context, line].join('\n'));
    const at = context.length + 1;
    t.is(lines[at - 1], 'refused');
    const d = diagnostics.find((x) => x.line === at);
    t.is(d?.code, 'invalid-input');
    t.true(d!.message.endsWith("\n% Invalid input detected at '^' marker."));
  });
}
