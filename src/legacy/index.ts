export { importLegacy, legacyWins, type ImportOptions, type ImportReport, type FileReport } from './import.js';
export { exportLegacy, HISTORY_KEPT, type ExportOptions, type ExportReport } from './export.js';
export { pythonJson, PyFloat } from './python-json.js';
export { writeFileAtomic } from '../lib/atomic-file.js';
