/**
 * bench:loss-lab's schedule checks, read from the routers' consoles (`debug
 * crypto isakmp` and `debug crypto ipsec`, IOS's millisecond time stamps):
 * for one trial (a tunnel formed under loss), every IKE datagram either
 * router sent, and the SA installations. Checked against IOS's
 * retransmission schedule (issue 14):
 *
 * - **gaps**: from the first datagram of the trial to the last SA
 *   installed, no stretch without a datagram longer than one retransmission
 *   interval (a lost message is sent again after the interval, whatever was
 *   lost); where an attempt was abandoned ("death by retransmission") the
 *   next packet of the ping (one a second) starts a new one, so such a gap
 *   may be one second longer;
 * - **no wait after a final message**: the responder installs its pair when
 *   Quick Mode 3 reaches it, and the initiator when Quick Mode 2 does (each
 *   install measured from the last Quick Mode datagram its router received
 *   before it).
 *
 * Pure: text in, figures out.
 */

export interface ConsoleEvent {
  /** Milliseconds since midnight, from the IOS time stamp (`*Dec  2 08:11:50.002:`); made monotonic across midnight. */
  at: number;
  kind: 'send' | 'receive-qm' | 'install' | 'abandon' | 'clear' | 'discover';
}

export interface TrialSchedule {
  sends: number;
  /** The longest stretch without a datagram from either router, and the bound it had to keep. */
  maxGapMs: number;
  /** Gaps longer than the schedule allows: [ms, bound]. */
  violations: [number, number][];
  /** From the last Quick Mode datagram received to the install, per router (null: no install seen). */
  installWaitMs: Record<string, number | null>;
  abandoned: number;
}

const STAMP = /^\*?[A-Z][a-z]{2}\s+\d+\s+(\d\d):(\d\d):(\d\d)\.(\d{3}):\s(.*)$/;

/** The events of one router's console text (lines without an IOS time stamp are continuation lines: skipped). */
export function consoleEvents(text: string): ConsoleEvent[] {
  const out: ConsoleEvent[] = [];
  let dayOffset = 0;
  let last = -1;
  for (const raw of text.split('\n')) {
    // `docker logs -t` puts its own time stamp first: drop it
    const line = raw.replace(/^\d{4}-\d\d-\d\dT\S+Z\s/, '');
    const m = STAMP.exec(line);
    if (!m) continue;
    let at = ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]) + dayOffset;
    if (at < last - 12 * 3600_000) {
      dayOffset += 24 * 3600_000;
      at += 24 * 3600_000;
    }
    last = at;
    const body = m[5]!;
    if (/ISAKMP \(\d+:\d+\): sending packet to /.test(body)) out.push({ at, kind: 'send' });
    else if (/ISAKMP \(\d+:\d+\): received packet from \S+ \([IR]\) QM_IDLE/.test(body)) out.push({ at, kind: 'receive-qm' });
    else if (body.startsWith('IPSEC(create_sa)')) out.push({ at, kind: 'install' });
    else if (body.startsWith('IPSEC(tunnel discover request)')) out.push({ at, kind: 'discover' });
    else if (body.includes('deleting SA reason "death by retransmission')) out.push({ at, kind: 'abandon' });
    else if (body.includes('deleting SA reason "Manual clear"')) out.push({ at, kind: 'clear' });
  }
  return out;
}

/** One trial's schedule: the routers' events from the trial's start to its end (both installed). */
export function trialSchedule(routers: Record<string, ConsoleEvent[]>, intervalMs: number, restartMs = 1000, slackMs = 100): TrialSchedule {
  const all = Object.values(routers).flat();
  const sends = all.filter((e) => e.kind === 'send').map((e) => e.at);
  const abandons = all.filter((e) => e.kind === 'abandon').map((e) => e.at);
  const installs = all.filter((e) => e.kind === 'install').map((e) => e.at);
  const end = installs.length ? Math.max(...installs) : sends.length ? Math.max(...sends) : 0;
  // what is sent after the tunnel formed (the Deletes of the next trial's `clear crypto sa`) is not the trial's
  const times = [...sends.filter((t) => t <= end), end].sort((a, b) => a - b);
  let maxGapMs = 0;
  const violations: [number, number][] = [];
  for (let i = 1; i < times.length; i++) {
    const gap = times[i]! - times[i - 1]!;
    const bound = intervalMs + slackMs + (abandons.some((a) => a > times[i - 1]! && a <= times[i]!) ? restartMs : 0);
    maxGapMs = Math.max(maxGapMs, gap);
    if (gap > bound) violations.push([gap, bound]);
  }
  const installWaitMs: Record<string, number | null> = {};
  for (const [name, events] of Object.entries(routers)) {
    const install = events.find((e) => e.kind === 'install');
    const before = install ? events.filter((e) => e.kind === 'receive-qm' && e.at <= install.at).at(-1) : undefined;
    installWaitMs[name] = install && before ? install.at - before.at : null;
  }
  return { sends: times.length - 1, maxGapMs, violations, installWaitMs, abandoned: abandons.length };
}

/**
 * A trial's events: from the initiator's first TED trigger (`IPSEC(tunnel discover request)`) on, so that
 * the Delete messages of the clear before the trial are not counted. Null when the trial never triggered.
 */
export function fromTrigger(routers: Record<string, ConsoleEvent[]>, initiator: string): Record<string, ConsoleEvent[]> | null {
  const start = routers[initiator]!.find((e) => e.kind === 'discover')?.at;
  if (start === undefined) return null;
  return Object.fromEntries(Object.entries(routers).map(([name, events]) => [name, events.filter((e) => e.at >= start && e.kind !== 'clear')]));
}

/**
 * A whole run's consoles cut into trials: each trial begins at a `clear crypto isakmp` on the initiator
 * (the bench clears both routers before every trial) and holds every router's events until the next one,
 * from the trial's first trigger on.
 */
export function splitTrials(routers: Record<string, ConsoleEvent[]>, initiator: string): Record<string, ConsoleEvent[]>[] {
  const clears = routers[initiator]!.filter((e) => e.kind === 'clear').map((e) => e.at);
  // several SAs cleared at once are one clear; the first trial had nothing to clear
  const starts = [-Infinity, ...clears.filter((at, i) => i === 0 || at - clears[i - 1]! > 1000)];
  return starts.flatMap((start, i) => {
    const next = starts[i + 1] ?? Infinity;
    const trial = fromTrigger(
      Object.fromEntries(Object.entries(routers).map(([name, events]) => [name, events.filter((e) => e.at > start && e.at < next)])),
      initiator,
    );
    return trial ? [trial] : [];
  });
}
