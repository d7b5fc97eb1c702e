/** A stored fit as the alert rules see it. */
import type { AlertStatements } from '../../db/alert-statements';
import type { FitEvidence } from './alert-evidence';

export function fitEvidenceById(store: AlertStatements, fitId: number): FitEvidence | undefined {
  const fit = store.fitOutcomeById(fitId);
  if (!fit) return undefined;
  return {
    kind: 'fit',
    reactorId: fit.reactorId,
    fitId: fit.id,
    windowEndMs: fit.windowEndMs,
    status: fit.status,
    reason: fit.reason,
    refit: fit.refit,
    satelliteFraction: fit.status === 'ok' ? fit.satelliteFraction : null,
    params:
      fit.status === 'ok'
        ? Object.fromEntries(fit.params.map((p) => [p.name, { value: p.value, sdLog: p.sdLog }]))
        : null,
    standardizedResiduals: residualValues(fit.residualsJson),
  };
}

function residualValues(json: string | null): number[] | null {
  if (!json) return null;
  try {
    const parsed = JSON.parse(json) as { value?: unknown };
    if (!Array.isArray(parsed.value)) return null;
    return parsed.value.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  } catch {
    return null;
  }
}
