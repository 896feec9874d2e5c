#!/usr/bin/env node
import { maintenanceCli, runMaintenance, type Output } from '@cp/runtime';
import { openEmbedded } from '../runtime';
import { rebuild, verify } from './verify';

/**
 * node dist/apps/l2pop-projector/src/cli/maintenance.js rebuild|verify --data-dir ./data
 * (embedded layout: <data-dir>/events.sqlite and <data-dir>/l2pop.sqlite).
 */
export function main(argv: string[], out?: Output): Promise<number> {
  return maintenanceCli('l2pop-maintenance', { label: 'L2', open: openEmbedded, verify, rebuild }, argv, out);
}

if (require.main === module) runMaintenance(main);
