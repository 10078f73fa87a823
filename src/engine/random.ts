/**
 * Seeded randomness (mulberry32): the same seed gives the same UUIDs, task tokens, `$random()`
 * values and retry jitter, so a run can be replayed exactly.
 */
/* eslint-disable no-bitwise */
import type { Randomness } from './intrinsics';

/** Two hex digits for each byte. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export class SeededRandom implements Randomness {
  private state: number;

  constructor(seed: number) {
    this.state = (Math.floor(seed) >>> 0) ^ 0x9e3779b9;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A version 4 UUID. */
  uuid(): string {
    let h = '';
    for (let i = 0; i < 16; i++) {
      let byte = Math.floor(this.next() * 256);
      if (i === 6) byte = (byte & 0x0f) | 0x40; // version 4
      if (i === 8) byte = (byte & 0x3f) | 0x80; // RFC 4122 variant
      h += HEX[byte];
    }
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}
