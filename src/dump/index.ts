export { writeDump, type DumpOptions, type DumpReport } from './dump.js';
export { loadDump, type LoadOptions, type LoadReport, type LoadPhase } from './load.js';
export { loadDumpBeside } from './beside.js';
export { backupStore, restoreStore, type BackupOptions, type RestoreOptions, type RestorePlan, type RestoreReport, type RestorePhase } from './restore.js';
export { readDump, DUMP_VERSION, DUMP_ENCODINGS, type DumpEncoding, type DumpHeader, type DumpTrailer, type DumpFilters, type DumpSummary } from './format.js';
export { fileSink, streamSink, type Sink } from './sink.js';
export { recoverInterruptedRestore, markSibling } from './swap.js';
