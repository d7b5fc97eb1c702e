import { formatModelFile } from '../model/model-file-format';
import type { RefinementResult } from './refine-structure';

/**
 * The proposed model file of a refinement, its header saying who refined what (`by`: "culturewatch
 * refine from FILE") and the evidence for each link. The command line and the service write the same.
 */
export function refinedModelFile(result: RefinementResult, by: string): string {
  const p = (v: number | undefined) =>
    v === undefined ? '' : v < 1e-4 ? v.toExponential(1) : v.toPrecision(2);
  const header = [
    `Refined by ${by} over plant hours ${result.span.fromH}–${result.span.toH}`,
    `(${result.span.segments} segments): loss ${result.current.loss.toFixed(1)} → ${result.proposed.loss.toFixed(1)},`,
    `BIC ${result.current.bic.toFixed(1)} → ${result.proposed.bic.toFixed(1)}, links ${result.current.linksOn} → ${result.proposed.linksOn}.`,
    'Evidence per link (removal: p of the fit without it; exclusion: p of it at its weakest plausible strength):',
    ...result.links
      .filter((l) => l.verdict !== 'off')
      .map(
        (l) =>
          `  ${l.link}: ${l.verdict}${l.undetermined ? ', undetermined' : ''}` +
          (l.verdict === 'removed' ? (l.excluded ? ', excluded by the data' : ', unseen') : '') +
          (l.removal ? `; removal p = ${p(l.removal.p)}` : '') +
          (l.exclusion ? `; exclusion p = ${p(l.exclusion.p)}` : ''),
      ),
  ].join('\n');
  return formatModelFile(result.definition, { header });
}
