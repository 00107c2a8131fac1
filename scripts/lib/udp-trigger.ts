/**
 * bench:tunnel's traffic: UDP datagrams from the near host to the far one,
 * one every millisecond from the start whether or not anything comes back,
 * until the far host answers (its kernel's ICMP port unreachable, which
 * Linux reports on the connected socket as ECONNREFUSED), or the time limit.
 *
 * Why not `ping -i 0.001`: while its echoes go unanswered, iputils ping
 * sends one every 10 ms, not every millisecond (seen in a container of the
 * lab image: 100 requests a second to an address that drops them; its
 * scheduler does not wait less than 10 ms without a reply to wake it). A
 * tunnel being set up answers nothing, so the first echo that could cross
 * it came up to 10 ms after the tunnel was ready: the setup figures were
 * quantized to that step for both implementations, and no setup could read
 * under about 10.4 ms from the trigger.
 *
 * The program runs in the host container with the image's Node (`node -e`),
 * handed over in base64 so that no shell quoting touches it. It catches up
 * when a timer fires late (as many datagrams as milliseconds have passed),
 * and prints how many it sent.
 */

/** The port the datagrams go to: discard, where nothing listens on the lab's hosts. */
export const UDP_TRIGGER_PORT = 9;

export const UDP_TRIGGER_SOURCE = `
const dgram = require('node:dgram');
const [host, port, limit] = process.argv.slice(-3);
const socket = dgram.createSocket('udp4');
const payload = Buffer.alloc(16);
let sent = 0;
let answered = false;
function done(code, why) {
  if (why) process.stderr.write(why + '\\n');
  process.stdout.write('sent ' + sent + '\\n');
  process.exit(code);
}
function onError(e) {
  if (!e) return;
  if (e.code !== 'ECONNREFUSED') return done(2, 'udp: ' + e.message);
  if (answered) return;
  answered = true;
  setTimeout(() => done(0), 3);
}
socket.on('error', onError);
socket.connect(Number(port), host, () => {
  const t0 = performance.now();
  const tick = () => {
    const due = Math.floor(performance.now() - t0) + 1;
    while (sent < due) {
      sent++;
      socket.send(payload, onError);
    }
  };
  tick();
  setInterval(tick, 1);
  setTimeout(() => done(1, 'no answer from ' + host + ' within ' + limit + ' ms'), Number(limit));
});
`;

/** The shell command that runs the sender in a host container: to `host`, for at most `limitMs`. */
export function udpTriggerCommand(host: string, limitMs: number, port = UDP_TRIGGER_PORT): string {
  if (!/^[0-9.]+$/.test(host)) throw new Error(`udp-trigger: not an IPv4 address: ${host}`);
  const b64 = Buffer.from(UDP_TRIGGER_SOURCE).toString('base64');
  return `node -e "$(echo ${b64} | base64 -d)" ${host} ${port} ${Math.round(limitMs)}`;
}
