/**
 * The router's console: every log and debug line, time-stamped the way
 * `service timestamps debug datetime msec` does, goes to the container's
 * stdout (what `docker logs` and `testbed logs` show) and into a ring buffer
 * (`show logging`).
 */
import { formatLogTimestamp, type ConfigDiagnostic, type DebugFacility, type DebugFlags } from '../../ios/index.js';

export class RouterConsole {
  readonly debug: DebugFlags = { isakmp: false, ipsec: false, engine: false, 'ospf-adj': false, nat: false };
  private readonly buffer: string[] = [];

  constructor(
    private readonly write: (text: string) => void,
    private readonly clock: () => Date = () => new Date(),
    private readonly capacity = 4096,
  ) {}

  /** A plain console line (boot banner, config echo), no timestamp. */
  raw(text: string): void {
    this.emit(text);
  }

  /** A syslog message: `*Mar  1 02:07:18.850: %SYS-5-CONFIG_I: ...`. */
  log(message: string): void {
    this.emit(`${formatLogTimestamp(this.clock())}: ${message}`);
  }

  /** A debug line, printed only while `debug crypto <facility>` is on. */
  debugLine(facility: DebugFacility, text: string): void {
    if (!this.debug[facility]) return;
    this.emit(`${formatLogTimestamp(this.clock())}: ${text}`);
  }

  /**
   * What IOS prints at the console for a configuration line it refuses. A line
   * accepted but not emulated prints nothing, as on IOS: testbed validate and
   * up report it.
   */
  diagnostic(d: ConfigDiagnostic): void {
    if (d.code === 'not-emulated') return;
    this.emit(d.code === 'invalid-input' ? d.message : `${d.text}\n${d.message}`);
  }

  lines(): readonly string[] {
    return this.buffer;
  }

  private emit(text: string): void {
    for (const line of text.split('\n')) {
      this.buffer.push(line);
      if (this.buffer.length > this.capacity) this.buffer.shift();
    }
    this.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}
