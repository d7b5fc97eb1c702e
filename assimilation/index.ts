/**
 * The engine's public face. Code outside `assimilation/` imports from here only (a test checks it):
 * model files and the compiler, the window entry points (solve, loss and adjoint gradient,
 * sensitivities), the estimator chain and its replay, and the settings and result types.
 */

export {
  defaultEstimatorSettings,
  refitParameterNames,
  satelliteParameterNames,
} from './estimator/default-settings';
// Building blocks of the research benchmarks (linearized information limits, profile likelihood).
export { inverseSpd, symmetricEigen } from './estimator/dense-matrix';
export {
  type ChainOptions,
  type ChainSnapshot,
  EstimatorChain,
  type FittedWindow,
  sameInstantH,
  type WindowLoader,
} from './estimator/estimator-chain';
export type { FitTrajectories, TrajectoryBands } from './estimator/fit-trajectories';
export { fitWindow } from './estimator/fit-window';
export { type PlantData, plantDataFrom, type Reading, type SignalSeries } from './estimator/plant-data';
export { priorMedians } from './estimator/prior';
export {
  type ArrivedReading,
  arrivalsFromOrder,
  replayChain,
  replayHistory,
} from './estimator/replay-history';
export type {
  BandedEstimate,
  Composition,
  DriftSettings,
  EstimatorSettings,
  FitFailure,
  LongHorizonSettings,
  ObservationNoise,
  ParameterCombination,
  ParameterEstimate,
  ValueWithSd,
  WindowEstimate,
  WindowFitOutcome,
  WindowOptimum,
} from './estimator/types';
export { toLogSpaceColumns, toUnknowns, type UnknownLayout, unknownLayout } from './estimator/unknowns';
export { fitWindowFile } from './estimator/window-file-fit';
export type { WindowFile } from './estimator/window-file-writer';
export {
  estimateReportFields,
  type WindowFitReport,
  windowFitReport,
} from './estimator/window-fit-report';
export { buildWindowProblem, coldStartState } from './estimator/window-problem-builder';
export { quadraticLoss, type ResidualLoss } from './gradient/residual-loss';
export {
  type CommunityLink,
  type CommunitySpec,
  communityModel,
  communityNames,
  fullCommunity,
  type LinkKind,
  linkLabel,
  withLinkOff,
} from './model/community';
export { type CompiledModel, compileModel } from './model/compile';
export type {
  InputDefinition,
  ModelDefinition,
  ParameterDefinition,
  StateDefinition,
} from './model/definition';
export { ModelFileError, parseModelFile } from './model/model-file';
export { formatModelFile } from './model/model-file-format';
export {
  type InputSeries,
  parseWindowProblem,
  WindowFormatError,
  type WindowProblem,
} from './problem/window-problem';
export { defaultSolverOptions, describeFailure, type MethodName, type SolverOptions } from './solvers/types';
export {
  allParameterColumns,
  createEngineWorkspace,
  type EngineWorkspace,
  type LossAndGradient,
  lossAndGradient,
  type ResidualSensitivities,
  residualSensitivities,
  sampleTrajectory,
  solveWindow,
} from './window-engine';
