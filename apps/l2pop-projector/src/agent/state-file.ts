import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { L2Snapshot } from '../contract/l2-documents';

/** What the agent keeps across restarts: its local copy, whose revision is where it resumes. */
export interface AgentState {
  server: string;
  host: string;
  view: L2Snapshot;
}

export function loadState(path: string | undefined, host: string): AgentState | null {
  if (!path) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const state = JSON.parse(text) as AgentState;
  // A state file of another host is not a starting point, just a misconfiguration.
  return state.host === host && state.view?.host === host ? state : null;
}

/** Written to a temporary file and renamed, so a crash mid-write leaves the previous state intact. */
export function saveState(path: string | undefined, state: AgentState): void {
  if (!path) return;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, path);
}
