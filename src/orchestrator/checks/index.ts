/** The check runner: the `tests:` language, running it against a lab, and its reports (docs/testing.md). */
export { runTests, LabUpError, type TestOptions } from './run.js';
export { Runner, selectSteps, SelectionError, type RunListener, type RunOptions, type Selection } from './runner.js';
export { systemClock, type Clock, type LabDriver } from './driver.js';
export { RealLabDriver } from './lab-driver.js';
export { parseSteps, STEP_KINDS, type CheckIssue } from './parse.js';
export { labShape, type LabShape } from './shape.js';
export { summarise, type RunSummary, type StepResult, type StepStatus, type StepFailure, type Evidence } from './results.js';
export { formatJunit } from './report/junit.js';
export { formatReport, formatStep, formatSummary, formatHeader } from './report/text.js';
export { collectLabArtifacts, writeReports } from './artifacts.js';
export type { Step, CheckStep, ActionStep } from './types.js';
