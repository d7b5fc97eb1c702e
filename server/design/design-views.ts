/** Experiment design between the engine's plant hours and the API's epoch ms (contract/api.ts). */
import type { Advice, DilutionProgram } from '../../assimilation';
import type { DesignAdviceView, DilutionProgramView } from '../../contract/api';
import { msFromPlantHours, plantHoursFromMs } from '../../contract/time';

export function programView(program: DilutionProgram): DilutionProgramView {
  const { startH, ...rest } = program;
  return { ...rest, perHour: [...program.perHour], startMs: msFromPlantHours(startH) };
}

export function programOf(view: DilutionProgramView): DilutionProgram {
  const { startMs, ...rest } = view;
  return { ...rest, startH: plantHoursFromMs(startMs) };
}

/** When a program's last set point applies. */
export function programEndMs(view: DilutionProgramView): number {
  return view.startMs + Math.round((view.perHour.length - 1) * view.gridH * 3_600_000);
}

export function adviceView(reactorId: string, fitId: number, advice: Advice): DesignAdviceView {
  return {
    reactorId,
    model: advice.model,
    fitId,
    atMs: msFromPlantHours(advice.atH),
    horizonH: advice.horizonH,
    targets: advice.targets,
    criterion: advice.criterion,
    limits: advice.limits,
    programsRefused: advice.programsRefused,
    notes: advice.notes,
    actions: advice.ranked.map((r) => ({
      rank: r.rank,
      kind: r.action.kind,
      summary: r.summary,
      score: r.score,
      logDetRatio: r.logDetRatio,
      bands: r.bands,
      cost: r.cost,
      program: programView(r.action.program),
      assay:
        r.action.kind === 'assay'
          ? {
              ...r.action.assay,
              sampleAtMs: msFromPlantHours(r.action.sampleAtH),
              resultAtMs: msFromPlantHours(r.action.resultAtH),
            }
          : null,
    })),
  };
}
