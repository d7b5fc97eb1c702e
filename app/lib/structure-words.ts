/** A community model's links in words: what a link does, and what a refinement made of it. */

export type LinkKind = 'uptake' | 'production' | 'inhibition';

/** `in the model`: no refinement has judged it yet; `off`: off in the model file. */
export type LinkState = 'kept' | 'undetermined' | 'removed' | 'in the model' | 'off';

export interface StructureLink {
  kind: LinkKind;
  organism: string;
  metabolite: string;
  state: LinkState;
}

export function linkWords(link: { kind: LinkKind; organism: string; metabolite: string }): string {
  if (link.kind === 'production') return `${link.organism} makes ${link.metabolite}`;
  if (link.kind === 'uptake') return `${link.organism} grows on ${link.metabolite}`;
  return `${link.metabolite} inhibits ${link.organism}`;
}

export const linkStateWords: Record<LinkState, string> = {
  kept: 'kept: the readings need it',
  undetermined: 'kept, undetermined: it matters but the readings do not pin it down',
  removed: 'removed: the readings do not support it',
  'in the model': 'in the model (not refined yet)',
  off: 'off in the model file',
};

/** The short form, for a table's state column. */
export const linkStateShort: Record<LinkState, string> = {
  kept: 'kept',
  undetermined: 'undetermined',
  removed: 'removed',
  'in the model': 'in the model',
  off: 'off',
};
