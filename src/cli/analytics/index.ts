import { exportCommand } from './export.js';
import { perf } from './perf.js';
import { project } from './project.js';
import { record } from './record.js';
import { report } from './report.js';
import { scan } from './scan.js';
import { trends } from './trends.js';
import { widgets } from './widgets.js';

/** Every `pygubu-analytics` command, in the order --help lists them. */
export const analyticsCommands = [scan, widgets, project, trends, record, perf, exportCommand, report];
