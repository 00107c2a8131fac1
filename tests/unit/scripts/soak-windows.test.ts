/**
 * The soak charges a rekey to the clean WAN only when its whole window of
 * pings lies in one clean phase: a rekey polled just after the impairment
 * was removed, whose window began under loss, is a `switch`.
 */
import test from 'ava';
import { rekeyWan, rekeyWindow } from '../../../scripts/lib/soak-windows.js';

const phases = [
  { from: 0, to: 300_000, impaired: false },
  { from: 300_000, to: 600_000, impaired: true },
  { from: 600_000, to: 900_000, impaired: false },
];

test('inside one phase: clean or impaired as that phase', (t) => {
  t.is(rekeyWan(rekeyWindow(90_000, 95_000), phases), 'clean');
  t.is(rekeyWan(rekeyWindow(400_000, 405_000), phases), 'impaired');
});

test('a rekey first polled right after the switch to clean, its window reaching back into the loss: a switch', (t) => {
  // last poll with the old SPI at 598 s (impaired), first with the new at 603 s (clean)
  t.deepEqual(rekeyWindow(598_000, 603_000), { from: 595_000, to: 606_000 });
  t.is(rekeyWan(rekeyWindow(598_000, 603_000), phases), 'switch');
  t.is(rekeyWan(rekeyWindow(296_000, 301_000), phases), 'switch');
});
