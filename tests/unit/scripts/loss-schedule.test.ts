/**
 * bench:loss-lab's schedule checks on consoles written the way the routers
 * print them (IOS time stamps, `docker logs -t` prefixes, continuation
 * lines): gaps against the retransmission interval, one second more across
 * an abandoned attempt, the wait from the last Quick Mode message to the
 * install, and a run cut into trials at each clear.
 */
import test from 'ava';
import { consoleEvents, splitTrials, trialSchedule } from '../../../scripts/lib/loss-schedule.js';

const at = (hms: string, line: string) => `*Dec  2 ${hms}: ${line}`;
const send = (hms: string) => at(hms, 'ISAKMP (0:2): sending packet to 11.11.11.2 (I) MM_NO_STATE');

test('a trial that keeps the schedule: gaps of one interval, installs right after the last Quick Mode message', (t) => {
  const daphne = consoleEvents(
    [
      at('08:00:00.000', 'IPSEC(tunnel discover request): ,'),
      '  (key eng. msg.) INBOUND local= 13.13.13.4, remote= 12.12.12.13,',
      send('08:00:00.001'),
      send('08:00:10.001'),
      at('08:00:10.004', 'ISAKMP (0:2): received packet from 11.11.11.2 (I) QM_IDLE'),
      at('08:00:10.005', 'IPSEC(create_sa): sa created,'),
    ].join('\n'),
  );
  const fred = consoleEvents(
    [
      at('08:00:10.003', 'ISAKMP (0:2): sending packet to 11.11.11.1 (R) QM_IDLE'),
      `2026-12-02T08:00:10.006000000Z ${at('08:00:10.006', 'ISAKMP (0:2): received packet from 11.11.11.1 (R) QM_IDLE')}`,
      at('08:00:10.008', 'IPSEC(create_sa): sa created,'),
    ].join('\n'),
  );
  const s = trialSchedule({ daphne, fred }, 10_000);
  t.is(s.sends, 3);
  t.is(s.maxGapMs, 10_000);
  t.deepEqual(s.violations, []);
  t.deepEqual(s.installWaitMs, { daphne: 1, fred: 2 });
});

test('a stretch longer than one interval is reported; across an abandoned attempt one second more is allowed', (t) => {
  const late = consoleEvents([send('08:00:00.000'), send('08:00:10.500'), at('08:00:10.600', 'IPSEC(create_sa): sa created,')].join('\n'));
  t.deepEqual(trialSchedule({ daphne: late }, 10_000).violations, [[10_500, 10_100]]);
  const abandoned = consoleEvents(
    [
      send('08:00:00.000'),
      at('08:00:10.000', 'ISAKMP (0:1): deleting SA reason "death by retransmission P1 sa" state (I) PEER_DISCOVERY (peer 12.12.12.13) input queue 0'),
      send('08:00:10.900'),
      at('08:00:11.000', 'IPSEC(create_sa): sa created,'),
    ].join('\n'),
  );
  const s = trialSchedule({ daphne: abandoned }, 10_000);
  t.deepEqual(s.violations, []);
  t.is(s.abandoned, 1);
  t.deepEqual(s.installWaitMs, { daphne: null }, 'no Quick Mode message seen before the install');
});

test('a run is cut into trials at each clear; the first trial had nothing to clear; the clear’s own Deletes do not count', (t) => {
  const clear = (hms: string) => at(hms, 'ISAKMP (0:2): deleting SA reason "Manual clear" state (I) QM_IDLE (peer 11.11.11.2) input queue 0');
  const trigger = (hms: string) => at(hms, 'IPSEC(tunnel discover request): ,');
  const daphne = consoleEvents(
    [
      trigger('23:59:50.000'),
      send('23:59:50.001'),
      at('23:59:50.010', 'IPSEC(create_sa): sa created,'),
      clear('23:59:55.000'),
      send('23:59:55.001'),
      trigger('00:00:01.000'),
      send('00:00:01.001'),
      send('00:00:11.001'),
      at('00:00:11.010', 'IPSEC(create_sa): sa created,'),
    ].join('\n'),
  );
  const trials = splitTrials({ daphne }, 'daphne');
  t.is(trials.length, 2);
  t.is(trials[0]!.daphne!.filter((e) => e.kind === 'send').length, 1);
  const second = trialSchedule(trials[1]!, 10_000);
  t.is(second.sends, 2, 'the Delete sent by the clear is before the trigger');
  t.is(second.maxGapMs, 10_000, 'across midnight');
});

test('datagrams after the last install (the next trial’s clear sends Deletes) are not the trial’s', (t) => {
  const daphne = consoleEvents(
    [
      send('08:00:00.000'),
      at('08:00:00.005', 'IPSEC(create_sa): sa created,'),
      at('08:00:14.000', 'ISAKMP (0:2): sending packet to 11.11.11.2 (I) QM_IDLE'),
    ].join('\n'),
  );
  const s = trialSchedule({ daphne }, 10_000);
  t.is(s.sends, 1);
  t.deepEqual(s.violations, []);
});
