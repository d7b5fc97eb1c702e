/**
 * Units shown on axes. The model's states are concentrations in the plant's own unit (the spec
 * calibrates OD to the same concentration), rates are per hour.
 */
export const concentrationUnit = 'conc. units';
export const perHourUnit = '1/h';
