/** Typed errors of the packet codecs and address helpers. */
export type PacketErrorCode = 'truncated' | 'bad-version' | 'bad-header-length' | 'bad-total-length' | 'bad-length' | 'bad-field' | 'bad-address' | 'bad-mask';

export class PacketError extends Error {
  readonly code: PacketErrorCode;
  constructor(code: PacketErrorCode, message: string) {
    super(message);
    this.name = 'PacketError';
    this.code = code;
  }
}
