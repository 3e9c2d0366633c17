/**
 * Seeded pseudo-random numbers for the market generator.
 *
 * xoshiro128** (Blackman & Vigna) seeded through splitmix32: 32-bit integer arithmetic only
 * (`Math.imul`, `>>>`), so the stream is identical on every platform and Node version — the
 * generator's byte-for-byte determinism rests on this. Never Math.random.
 */
export interface Rng {
  /** Uniform in [0, 1) with 32 bits of resolution. */
  readonly uniform: () => number;
  /** Standard normal (Box-Muller, one value per call; the partner value is cached). */
  readonly normal: () => number;
  /** Poisson(lambda) count, by inversion; lambda is small (jump counts per day). */
  readonly poisson: (lambda: number) => number;
}

const splitmix32 = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
};

/** FNV-1a over the label, so sub-streams are addressed by name rather than by draw order. */
const hashLabel = (label: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
};

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/**
 * A generator for `seed` and an optional stream label. Distinct labels give independent streams,
 * so adding an underlying to a run does not shift the random numbers of the others.
 */
export const createRng = (seed: number, label = ""): Rng => {
  const mix = splitmix32((seed >>> 0) ^ hashLabel(label));
  let s0 = mix();
  let s1 = mix();
  let s2 = mix();
  let s3 = mix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  const uniform = (): number => nextUint32() / 4294967296;
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    // 1 - u keeps the log argument in (0, 1].
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
  const poisson = (lambda: number): number => {
    if (lambda <= 0) return 0;
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = uniform();
    while (p > limit && k < 50) {
      k++;
      p *= uniform();
    }
    return k;
  };
  return { uniform, normal, poisson };
};
