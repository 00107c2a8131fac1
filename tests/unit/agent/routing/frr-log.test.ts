/**
 * FRR's log lines become IOS's console messages; FRR's own wording never
 * reaches the console. The input lines are FRR 8.4's (ospfd with
 * `log-adjacency-changes detail`, `debug ospf ism` and `debug ospf nsm`;
 * eigrpd's default log).
 */
import test from 'ava';
import { FrrLogTranslator, type LogContext, type RoutingLog } from '../../../../src/agent/routing/frr-log.js';

function translator(over: Partial<LogContext> = {}): FrrLogTranslator {
  return new FrrLogTranslator({
    ios: (dev) => ({ eth0: 'FastEthernet0/0', eth1: 'Serial0/0.102' })[dev],
    routerIdOf: (a) => ({ '10.0.0.1': '1.1.1.1', '10.0.0.2': '2.2.2.2' })[a],
    ospfProcess: () => 1,
    eigrpAs: () => 100,
    ospfLogging: () => 'on',
    ...over,
  });
}

const texts = (out: RoutingLog[], kind: RoutingLog['kind']) => out.filter((e) => e.kind === kind).map((e) => (e as { text: string }).text);

const ADJ = [
  '2026/12/02 00:06:17 OSPF: [PBVCE-PQKR1] NSM[eth0:10.0.0.1:2.2.2.2:default]: 2-Way (AdjOK?)',
  '2026/12/02 00:06:17 OSPF: [Y05P2-YJVXY] AdjChg: Nbr 2.2.2.2, NbrIP 10.0.0.2 (default) on eth0:10.0.0.1: Init -> 2-Way (2-WayReceived)',
  '2026/12/02 00:06:17 OSPF: [Y05P2-YJVXY] AdjChg: Nbr 2.2.2.2, NbrIP 10.0.0.2 (default) on eth0:10.0.0.1: 2-Way -> ExStart (AdjOK?)',
  '2026/12/02 00:06:17 OSPF: [QY7PX-A76VE] Packet[DD]: Neighbor 2.2.2.2 Negotiation done (Slave).',
  '2026/12/02 00:06:17 OSPF: [Y05P2-YJVXY] AdjChg: Nbr 2.2.2.2, NbrIP 10.0.0.2 (default) on eth0:10.0.0.1: ExStart -> Exchange (NegotiationDone)',
  '2026/12/02 00:06:17 OSPF: [Y05P2-YJVXY] AdjChg: Nbr 2.2.2.2, NbrIP 10.0.0.2 (default) on eth0:10.0.0.1: Exchange -> Loading (ExchangeDone)',
  '2026/12/02 00:06:17 OSPF: [Y05P2-YJVXY] AdjChg: Nbr 2.2.2.2, NbrIP 10.0.0.2 (default) on eth0:10.0.0.1: Loading -> Full (LoadingDone)',
  '2026/12/02 00:07:17 OSPF: [Y05P2-YJVXY] AdjChg: Nbr 2.2.2.2, NbrIP 10.0.0.2 (default) on eth0:10.0.0.1: Full -> Deleted (InactivityTimer)',
];

test('log-adjacency-changes: FULL and DOWN, in IOS words, with IOS names', (t) => {
  const tr = translator();
  const out = ADJ.flatMap((l) => tr.feed(l));
  t.deepEqual(texts(out, 'log'), [
    '%OSPF-5-ADJCHG: Process 1, Nbr 2.2.2.2 on FastEthernet0/0 from LOADING to FULL, Loading Done',
    '%OSPF-5-ADJCHG: Process 1, Nbr 2.2.2.2 on FastEthernet0/0 from FULL to DOWN, Neighbor Down: Dead timer expired',
  ]);
});

test('log-adjacency-changes detail: every step; no log at all when off', (t) => {
  const detail = translator({ ospfLogging: () => 'detail' });
  t.is(
    texts(
      ADJ.flatMap((l) => detail.feed(l)),
      'log',
    ).length,
    6,
  );
  t.deepEqual(
    texts(
      ADJ.flatMap((l) => detail.feed(l)),
      'log',
    )[1],
    '%OSPF-5-ADJCHG: Process 1, Nbr 2.2.2.2 on FastEthernet0/0 from 2WAY to EXSTART, AdjOK?',
  );
  const off = translator({ ospfLogging: () => 'off' });
  t.deepEqual(
    texts(
      ADJ.flatMap((l) => off.feed(l)),
      'log',
    ),
    [],
  );
});

test('debug ip ospf adj lines', (t) => {
  const tr = translator();
  const out = ADJ.flatMap((l) => tr.feed(l));
  t.deepEqual(texts(out, 'debug-ospf-adj'), [
    'OSPF: 2 Way Communication to 2.2.2.2 on FastEthernet0/0, state 2WAY',
    'OSPF: NBR Negotiation Done. We are the SLAVE',
    'OSPF: Exchange Done with 2.2.2.2 on FastEthernet0/0',
    'OSPF: Synchronized with 2.2.2.2 on FastEthernet0/0, state FULL',
    'OSPF: 2.2.2.2 address 10.0.0.2 on FastEthernet0/0 is dead, state DOWN',
  ]);
  t.deepEqual(
    out.filter((e) => e.kind === 'ospf-adjacency').map((e) => (e as { state: string }).state),
    ['2WAY', 'EXSTART', 'EXCHANGE', 'LOADING', 'FULL', 'DOWN'],
  );
});

test('a DR election in router IDs, as IOS prints it, once the election is over', (t) => {
  const tr = translator();
  const out = [
    '2026/12/02 00:06:14 OSPF: [G2JQC-HBX09] ISM[eth0:10.0.0.1]: Down (InterfaceUp)',
    '2026/12/02 00:06:17 OSPF: [G2JQC-HBX09] ISM[eth0:10.0.0.1]: Waiting (BackupSeen)',
    '2026/12/02 00:06:17 OSPF: [P4PQ9-K4XFD] DR-Election[1st]: Backup 10.0.0.1',
    '2026/12/02 00:06:17 OSPF: [HBZ7F-65Y86] DR-Election[1st]: DR     10.0.0.2',
    '2026/12/02 00:06:17 OSPF: [G2JQC-HBX09] ISM[eth0:10.0.0.1]: Backup (NeighborChange)',
  ].flatMap((l) => tr.feed(l));
  t.deepEqual(texts(out, 'debug-ospf-adj'), [
    'OSPF: Interface FastEthernet0/0 going Up',
    'OSPF: DR/BDR election on FastEthernet0/0',
    'OSPF: Elect BDR 1.1.1.1',
    'OSPF: Elect DR 2.2.2.2',
    '       DR: 2.2.2.2 (Id)   BDR: 1.1.1.1 (Id)',
    'OSPF: Neighbor change Event on interface FastEthernet0/0',
  ]);
});

test('EIGRP neighbour changes as %DUAL-5-NBRCHANGE', (t) => {
  const tr = translator();
  const out = [
    '2026/12/02 00:05:54 EIGRP: [S952A-FCHKT] Neighbor 10.1.2.2 (eth1) is pending: new adjacency',
    '2026/12/02 00:05:54 EIGRP: [MYQBE-NTVKH] Neighbor(10.1.2.2) adjacency became full',
    '2026/12/02 00:06:54 EIGRP: [AAAAA-BBBBB] Neighbor 10.1.2.2 (eth1) is down: holding time expired',
  ].flatMap((l) => tr.feed(l));
  t.deepEqual(texts(out, 'log'), [
    '%DUAL-5-NBRCHANGE: IP-EIGRP 100: Neighbor 10.1.2.2 (Serial0/0.102) is up: new adjacency',
    '%DUAL-5-NBRCHANGE: IP-EIGRP 100: Neighbor 10.1.2.2 (Serial0/0.102) is down: holding time expired',
  ]);
});

test('lines FRR writes about itself never reach the console', (t) => {
  const tr = translator();
  for (const line of [
    '2026/12/02 00:05:53 OSPF: [T83RR-8SM5G] ospfd 8.4.4 starting: vty@2604',
    '2026/12/02 00:05:54 EIGRP: [WD7G5-SZ2JT] Setting up eth0',
    '2026/12/01 23:59:19 ZEBRA: [NNACN-54BDA][EC 4043309110] Disabling MPLS support (no kernel support)',
    'privs_init: initial cap_set_proc failed: Operation not permitted',
  ]) {
    t.deepEqual(tr.feed(line), [], line);
  }
});

test('two rounds of an election are printed as IOS prints them, the summary once', (t) => {
  const tr = translator();
  const out = [
    '2026/12/02 01:16:32 OSPF: [G2JQC-HBX09] ISM[eth0:10.0.0.1]: DROther (NeighborChange)',
    '2026/12/02 01:16:32 OSPF: [P4PQ9-K4XFD] DR-Election[1st]: Backup 10.0.0.1',
    '2026/12/02 01:16:32 OSPF: [HBZ7F-65Y86] DR-Election[1st]: DR     10.0.0.1',
    '2026/12/02 01:16:32 OSPF: [H01MF-RN00N] DR-Election[2nd]: Backup 0.0.0.0',
    '2026/12/02 01:16:32 OSPF: [R7BJ4-KP8JT] DR-Election[2nd]: DR     10.0.0.1',
    '2026/12/02 01:16:32 OSPF: [XZKBC-MPA7B] ISM[eth0:10.0.0.1]: State change DROther -> DR',
  ].flatMap((l) => tr.feed(l));
  t.deepEqual(texts(out, 'debug-ospf-adj'), [
    'OSPF: Neighbor change Event on interface FastEthernet0/0',
    'OSPF: DR/BDR election on FastEthernet0/0',
    'OSPF: Elect BDR 1.1.1.1',
    'OSPF: Elect DR 1.1.1.1',
    'OSPF: Elect BDR 0.0.0.0',
    'OSPF: Elect DR 1.1.1.1',
    '       DR: 1.1.1.1 (Id)   BDR: 0.0.0.0 (Id)',
  ]);
});
