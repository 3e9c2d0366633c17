/**
 * Gauss-Legendre nodes and weights on [-1, 1], computed once per order by Newton iteration on the
 * Legendre recurrence (Golub-Welsch accuracy is not needed: Newton converges to machine precision).
 */
export interface GaussLegendreRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

const cache = new Map<number, GaussLegendreRule>();

export function gaussLegendre(order: number): GaussLegendreRule {
  const cached = cache.get(order);
  if (cached !== undefined) return cached;
  const nodes = new Float64Array(order);
  const weights = new Float64Array(order);
  for (let i = 0; i < order; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (order + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= order; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const pn = order === 1 ? x : p1;
      const pnm1 = order === 1 ? 1 : p0;
      dp = (order * (x * pn - pnm1)) / (x * x - 1);
      const dx = pn / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    // Ascending order so integrands are visited from the left end.
    nodes[order - 1 - i] = x;
    weights[order - 1 - i] = 2 / ((1 - x * x) * dp * dp);
  }
  const rule = { nodes, weights };
  cache.set(order, rule);
  return rule;
}
