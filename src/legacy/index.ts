export { importLegacy, legacyWins, type ImportOptions, type ImportReport, type FileReport } from './import.js';
export { exportLegacy, HISTORY_KEPT, type ExportOptions, type ExportReport } from './export.js';
export { pythonJson, PyFloat } from './python-json.js';
export { writeFileAtomic } from '../lib/atomic-file.js';
export {
  parseRegistryModel,
  parseWorkflowModel,
  serializeRegistry,
  serializeWorkflow,
  registryModelFromViews,
  workflowModelFromViews,
  type RegistryModel,
  type WorkflowModel,
  type LegacyProjectEntry,
  type LegacyEntry,
} from './model.js';
export { parsePyJson, PyNumber, RawJson, type PyValue } from './python-json.js';
