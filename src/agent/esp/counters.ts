/** Per-SA counters, named after what `show crypto ipsec sa` prints. */
export interface EspCounters {
  /** #pkts encaps / encrypt / digest (outbound SA). */
  encaps: number;
  encrypt: number;
  digest: number;
  /** #pkts decaps / decrypt / verify (inbound SA). */
  decaps: number;
  decrypt: number;
  verify: number;
  /** Inbound packets dropped by the anti-replay window. */
  replayFailures: number;
  /** Inbound packets whose ICV did not verify. */
  authFailures: number;
  /** #send errors: outbound packets refused (sequence number exhausted). */
  sendErrors: number;
  /** #recv errors: inbound packets dropped as malformed (truncated, bad length, bad padding, wrong SPI, the other encapsulation). */
  recvErrors: number;
  /** Packets and inner-packet bytes successfully processed, for kilobyte lifetimes. */
  packets: number;
  bytes: number;
}

export function emptyCounters(): EspCounters {
  return {
    encaps: 0,
    encrypt: 0,
    digest: 0,
    decaps: 0,
    decrypt: 0,
    verify: 0,
    replayFailures: 0,
    authFailures: 0,
    sendErrors: 0,
    recvErrors: 0,
    packets: 0,
    bytes: 0,
  };
}
