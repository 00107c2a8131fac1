/**
 * Short fuzz runs of the IOS parsers: configurations of the repository
 * mutated line by line (ios-config) and exec commands (ios-exec). Nothing
 * throws, every line has a class, diagnostics and warnings add up, the
 * running-config parses back.
 */
import test from 'ava';
import { shortRun } from './run.js';

test('ios-config: 1,000 mutated configurations and console sessions', (t) => {
  const s = shortRun(t, 'ios-config', 41, 1000);
  t.true(s.refused! > 100 && s.notEmulated! > 100 && s.applied! > 100);
});

test('ios-exec: 5,000 mutated exec lines', (t) => {
  const s = shortRun(t, 'ios-exec', 42, 5000);
  t.true(s.commands! > 500 && s.messages! > 500 && s.filtered! > 50);
});
