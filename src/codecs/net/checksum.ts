/** RFC 1071 Internet checksum, with partial sums for pseudo-headers. */

/** Add `data` as big-endian 16-bit words to a running 32-bit sum (odd length padded with zero). */
export function sum16(data: Buffer, initial = 0): number {
  let sum = initial;
  const end = data.length - (data.length & 1);
  for (let i = 0; i < end; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (data.length & 1) sum += data[data.length - 1] << 8;
  return sum;
}

/** Fold carries and complement: the value to put in a checksum field. */
export function finishChecksum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

/** Checksum of a buffer (with its checksum field zeroed, for computing; as is, for verifying: 0 means valid). */
export function internetChecksum(data: Buffer, initial = 0): number {
  return finishChecksum(sum16(data, initial));
}
