/**
 * The soak's attribution of a rekey to the WAN's state: the pings counted
 * against a rekey are those sent from 3 s before the poll that last saw the
 * old SPI to 3 s after the poll that saw the new one, so a rekey is `clean`
 * (held to the target of no ping lost) only when that whole window lies in
 * one clean phase, `impaired` when it lies in impaired time, and `switch`
 * when the WAN changed inside it (its losses may come from either side of
 * the switch, and count for neither). Pure.
 */
export interface Phase {
  from: number;
  to: number;
  impaired: boolean;
}

export type RekeyWan = 'clean' | 'impaired' | 'switch';

export const REKEY_MARGIN_MS = 3000;

/** The window of pings a rekey is charged with: the last poll with the old SPI, the first with the new. */
export function rekeyWindow(prevPoll: number, poll: number): { from: number; to: number } {
  return { from: prevPoll - REKEY_MARGIN_MS, to: poll + REKEY_MARGIN_MS };
}

export function rekeyWan(window: { from: number; to: number }, phases: readonly Phase[]): RekeyWan {
  const touched = phases.filter((p) => p.from < window.to && p.to > window.from);
  if (touched.length === 0) return 'switch';
  if (touched.every((p) => p.impaired)) return 'impaired';
  if (touched.length === 1) return 'clean';
  return 'switch';
}
