#!/usr/bin/env node
import { main } from '../cli/bins.js';

await main('pygubu-analytics');
