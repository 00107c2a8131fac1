/** Typed errors of the ESP layer. Per-packet failures are results, not exceptions (see sa.ts). */
export class EspError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An SA built with bad parameters (unknown transform, wrong key or IV size). */
export class EspConfigError extends EspError {}
