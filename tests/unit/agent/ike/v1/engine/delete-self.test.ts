/**
 * An Informational whose Delete removes the very ISAKMP SA it came on,
 * followed by more payloads (a fuzz finding, docs/fuzzing.md): the payloads
 * after the Delete were handed to the gone SA's task manager, and the
 * engine dropped the message with "internal error: no task manager for
 * ISAKMP SA N". What follows such a Delete is now not processed.
 */
import test from 'ava';
import { NotifyType, ProtocolId } from '../../../../../../src/codecs/isakmp/constants.js';
import { deleteIsakmp, establishedSa, informational, notify } from '../../forge.js';
import { PING_A, twoSites } from '../../helpers.js';

test('a Delete of the SA itself, then an R-U-THERE and another notify: the SA goes, no internal error, no ACK', (t) => {
  const wire = twoSites(81);
  wire.acquire('A', PING_A);
  wire.run(5_000);
  const a = wire.node('A').engine;
  const b = wire.node('B').engine;
  const onA = establishedSa(a, '11.11.11.2');
  const onB = establishedSa(b, '11.11.11.1');
  const cookies = Buffer.concat([onA.ckyI, onA.ckyR]);
  const out = b.receive(
    informational(onA, [
      deleteIsakmp(onA),
      notify(NotifyType.R_U_THERE, ProtocolId.ISAKMP, cookies, Buffer.from([0, 0, 0, 9])),
      notify(NotifyType.INITIAL_CONTACT, ProtocolId.ISAKMP, cookies),
    ]),
    wire.now,
  );
  t.deepEqual(
    out.flatMap((x) => (x.kind === 'drop' ? [x.reason] : [])),
    [],
  );
  t.true(onB.deleted);
  t.is(out.filter((x) => x.kind === 'send').length, 0, 'no R-U-THERE-ACK on a deleted SA');
  t.is(out.filter((x) => x.kind === 'phase1-down').length, 1);
});
