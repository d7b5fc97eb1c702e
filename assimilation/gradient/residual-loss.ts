/**
 * The loss of one standardized residual r = (h(x) − v)/σ. Quadratic is the spec's loss; Huber and
 * Student-t bound the influence of a spike so that one bad reading cannot drag a fit.
 */
export type ResidualLoss =
  | { kind: 'quadratic' }
  | { kind: 'huber'; delta: number }
  | { kind: 'student-t'; nu: number };

export const quadraticLoss: ResidualLoss = { kind: 'quadratic' };

/** ρ(r) */
export function residualLossValue(loss: ResidualLoss, r: number): number {
  switch (loss.kind) {
    case 'quadratic':
      return 0.5 * r * r;
    case 'huber': {
      const a = Math.abs(r);
      return a <= loss.delta ? 0.5 * r * r : loss.delta * (a - 0.5 * loss.delta);
    }
    case 'student-t':
      return 0.5 * (loss.nu + 1) * Math.log1p((r * r) / loss.nu);
  }
}

/** ψ(r) = dρ/dr */
export function residualLossSlope(loss: ResidualLoss, r: number): number {
  switch (loss.kind) {
    case 'quadratic':
      return r;
    case 'huber':
      return Math.abs(r) <= loss.delta ? r : loss.delta * Math.sign(r);
    case 'student-t':
      return ((loss.nu + 1) * r) / (loss.nu + r * r);
  }
}

/** IRLS weight ψ(r)/r: the Gauss–Newton matrix of a robust loss weighs each residual by it. */
export function residualLossWeight(loss: ResidualLoss, r: number): number {
  if (loss.kind === 'quadratic') return 1;
  return r === 0 ? 1 : residualLossSlope(loss, r) / r;
}
