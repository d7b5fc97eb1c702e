/**
 * The engine's public face. Code outside `assimilation/` imports from here only (a test checks it):
 * model files and the compiler, the window entry points (solve, loss and adjoint gradient,
 * sensitivities), the estimator chain and its replay, and the settings and result types.
 */

export {
  type AdviceRequest,
  type AdvisorSettings,
  adviseExperiment,
  advisorSettingsOf,
  defaultAssayOptions,
  designCriterion,
} from './design/advise-experiment';
export { chainAgeing, dilutionInput, posteriorAtWindowEnd } from './design/design-posterior';
export { defaultTargetNames, satelliteFractionTarget } from './design/design-targets';
export type {
  Advice,
  AssayOption,
  DesignAction,
  DesignAgeing,
  DesignPosterior,
  DilutionLimits,
  DilutionProgram,
  PredictedCost,
  ProgramShape,
  RankedAction,
  TargetBand,
} from './design/design-types';
export {
  candidatePrograms,
  holdProgram,
  limitsProblem,
  programGridH,
  programSeries,
  programViolations,
} from './design/dilution-programs';
export { expectedLossWeight, type PlannedAssay, predictCourse } from './design/expected-information';
export {
  defaultEstimatorSettings,
  refitParameterNames,
  satelliteParameterNames,
  settingsForModel,
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
export {
  buildWindowProblem,
  coldStartState,
  defaultObservationNoise,
} from './estimator/window-problem-builder';
export { quadraticLoss, type ResidualLoss } from './gradient/residual-loss';
export {
  chiSquareSurvival,
  defaultMismatchSettings,
  ljungBox,
  type MismatchPoint,
  type MismatchReport,
  type MismatchSettings,
  modelMismatch,
  type WindowResiduals,
} from './mismatch/model-mismatch';
export {
  type CommunityLink,
  type CommunitySpec,
  communityModel,
  communityNames,
  fullCommunity,
  type LinkKind,
  linkLabel,
  linkRoles,
  withLinkOff,
} from './model/community';
export { type CompiledModel, compileModel, type NetworkWeightsAs } from './model/compile';
export { type CompositionRoles, compositionRoles } from './model/composition-roles';
export type {
  InputDefinition,
  ModelDefinition,
  NeuralTermDefinition,
  ParameterDefinition,
  StateDefinition,
} from './model/definition';
export { ModelFileError, parseModelFile } from './model/model-file';
export { formatModelFile } from './model/model-file-format';
export { productUnit } from './model/units';
export { type HybridParts, hybridPartsOf } from './neural/hybrid-model';
export { type LbfgsOutcome, type LbfgsSettings, minimizeLbfgs } from './neural/lbfgs';
export { Mlp, type MlpShape, mlpParameterCount } from './neural/mlp';
export { initialNetworkWeights, networkShape, networkWeightCount } from './neural/network-shape';
export { type SparseSuggestion, type SuggestedTerm, suggestTerms } from './neural/sparse-regression';
export {
  defaultTrainingSettings,
  type FitOverSpan,
  type HybridTrainingResult,
  type HybridTrainingSettings,
  type ParameterBand,
  trainHybrid,
} from './neural/train-hybrid';
export {
  flatWeights,
  formatWeightsFile,
  layersOf,
  type NetworkWeightsFile,
  outputLabel,
  parseWeightsFile,
  WeightsFileError,
  weightsFormat,
  withTrainedNetwork,
} from './neural/weights-file';
export {
  type InputSeries,
  parseWindowProblem,
  WindowFormatError,
  type WindowProblem,
} from './problem/window-problem';
export { defaultSolverOptions, describeFailure, type MethodName, type SolverOptions } from './solvers/types';
export {
  defaultRefinementSettings,
  type ExclusionTest,
  type FitSummary,
  horizonOf,
  type LikelihoodRatioTest,
  type LinkEvidence,
  type LinkVerdict,
  type RefinementProgress,
  type RefinementResult,
  type RefinementSettings,
  type RefinementStep,
  refineStructure,
} from './structure/refine-structure';
export { refinedModelFile } from './structure/refined-model-file';
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
