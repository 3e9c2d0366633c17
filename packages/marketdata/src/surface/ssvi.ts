/**
 * SSVI implied total variance (Gatheral & Jacquier, "Arbitrage-free SVI volatility surfaces", 2014):
 *   w(k, θ) = θ/2 · (1 + ρ φ(θ) k + sqrt((φ(θ) k + ρ)² + 1 − ρ²)),  k = ln(K / F),
 * with the power-law φ(θ) = η / (θ^γ (1 + θ)^(1−γ)). Every slice depends on the expiry only through
 * the at-the-money total variance θ, so a non-decreasing θ(T) plus the parameter conditions below
 * make the whole surface free of static arbitrage by construction.
 */
export interface SsviParams {
  /** Spot/vol correlation: sets the skew direction (negative for equity indices). */
  readonly rho: number;
  /** Overall curvature level of φ. */
  readonly eta: number;
  /** Power of the φ decay in θ; GJ's sufficient condition needs 0 < γ ≤ 1/2. */
  readonly gamma: number;
}

export const ssviPhi = (p: SsviParams, theta: number): number =>
  p.eta / (theta ** p.gamma * (1 + theta) ** (1 - p.gamma));

export const ssviTotalVariance = (p: SsviParams, theta: number, k: number): number => {
  const phiK = ssviPhi(p, theta) * k;
  return (theta / 2) * (1 + p.rho * phiK + Math.sqrt((phiK + p.rho) ** 2 + 1 - p.rho * p.rho));
};

/** Why a parameter set could admit arbitrage; empty when GJ's sufficient conditions hold. */
export const ssviParameterViolations = (p: SsviParams): string[] => {
  const out: string[] = [];
  if (!(Math.abs(p.rho) < 1)) out.push(`|rho| must be < 1 (rho=${p.rho})`);
  if (!(p.eta > 0)) out.push(`eta must be > 0 (eta=${p.eta})`);
  if (!(p.gamma > 0 && p.gamma <= 0.5)) out.push(`gamma must be in (0, 0.5] (gamma=${p.gamma})`);
  // GJ Remark 4.4: with the power-law φ and γ in (0, 1/2], η(1+|ρ|) ≤ 2 rules out butterfly arbitrage.
  if (!(p.eta * (1 + Math.abs(p.rho)) <= 2))
    out.push(`eta*(1+|rho|) must be <= 2 (is ${p.eta * (1 + Math.abs(p.rho))})`);
  return out;
};

/**
 * Durrleman's density condition g(k) ≥ 0 on one slice, evaluated numerically — an independent
 * check of the no-butterfly property at the points the generator actually uses.
 */
export const durrlemanG = (w: (k: number) => number, k: number, h = 1e-4): number => {
  const w0 = w(k);
  const w1 = (w(k + h) - w(k - h)) / (2 * h);
  const w2 = (w(k + h) - 2 * w0 + w(k - h)) / (h * h);
  return (1 - (k * w1) / (2 * w0)) ** 2 - ((w1 * w1) / 4) * (1 / w0 + 0.25) + w2 / 2;
};
