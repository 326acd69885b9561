import { backup, dump, load, restore } from './dumps.js';
import { history } from './history.js';
import { init } from './init.js';
import { config, exportJson, migrate, sync } from './legacy.js';
import { log } from './log.js';
import { compact, rebuild, verify } from './maintenance.js';
import { project } from './project.js';
import { serve, server } from './server.js';
import { stats } from './stats.js';
import { user } from './user.js';

/** Every `pygubu-db` command, in the order --help lists them. */
export const dbCommands = [init, stats, project, history, log, migrate, exportJson, sync, config, dump, load, backup, restore, rebuild, verify, compact, serve, server, user];
