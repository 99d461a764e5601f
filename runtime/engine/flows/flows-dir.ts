import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Actor } from '../../../shared/audit.js';
import type { ProvisioningStatus } from '../../../shared/api-views.js';
import { formatIssues, SalveError, ValidationError } from '../../../shared/errors.js';
import type { Logger } from '../../log.js';
import type { FlowService } from './flow-service.js';
import { planProvisioning, readFlowsDir } from './provision.js';

/** Who provisioning changes are audited as (each revision's author names the file). */
const PROVISIONING_ACTOR: Actor = { name: 'flows directory', via: 'system' };

export interface FlowsDirOptions {
  /** The directory, absolute. */
  dir: string;
  flows: FlowService;
  /** The ids of the teams there are now (a flow file naming another team is refused). */
  teamIds: () => Promise<readonly string[]>;
  log: Logger;
  /** The periodic rescan (a fallback for changes fs.watch misses: network file systems, a replaced directory). */
  rescanMs: number;
  /** How long after the last change event a scan starts (an editor's save or a `git pull` is many events). */
  debounceMs?: number;
  now?: () => number;
}

/**
 * `salve serve --flows <dir>`: applies the directory at start, then again after every change
 * (fs.watch on the directory and its team subdirectories, debounced) and every `rescanMs`.
 * Watching directories, not files, sees editors' save-by-rename; a file still being written is
 * invalid until it is complete, and an invalid file changes nothing (its flows keep their last
 * applied version). Scans never overlap; a scan that fails is logged and the next one retries.
 */
export class FlowsDirProvisioner {
  private watchers = new Map<string, { watcher: FSWatcher; ino: number }>();
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private provisioned = new Map<string, string>();
  private reported = new Map<string, string>();
  private state: ProvisioningStatus;

  constructor(private readonly options: FlowsDirOptions) {
    this.state = { dir: options.dir, lastScanAt: null, files: [], lastChanges: [] };
  }

  /** Loads what was provisioned before, applies the directory once, then follows it. */
  async start(): Promise<void> {
    this.provisioned = await this.options.flows.loadProvisioned();
    await this.scanNow();
    this.timer = setInterval(() => this.request(), this.options.rescanMs);
    this.timer.unref();
  }

  status(): ProvisioningStatus {
    return this.state;
  }

  /** A change was seen: scan once things settle. */
  private request(): void {
    if (this.stopped) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.scanNow(), this.options.debounceMs ?? 250);
    this.debounce.unref();
  }

  /** Scans now, or once more after the scan under way. Resolves when the directory was applied. */
  scanNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          try {
            await this.scan();
          } catch (error) {
            // Never fatal (the database busy, a disk error…): what runs keeps running; the next change or rescan tries again.
            this.options.log.error({ dir: this.options.dir, err: (error as Error).message }, 'applying the flows directory failed; trying again at the next change or rescan');
          }
        } while (this.again && !this.stopped);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async scan(): Promise<void> {
    const { dir, flows, log } = this.options;
    let read: ReturnType<typeof readFlowsDir>;
    try {
      read = readFlowsDir(dir);
    } catch (error) {
      log.error({ dir, err: (error as Error).message }, 'cannot read the flows directory: keeping the flows as they are');
      return;
    }
    this.follow();
    let teams: Set<string>;
    try {
      teams = new Set(await this.options.teamIds());
    } catch (error) {
      log.error({ dir, err: (error as Error).message }, 'cannot read the teams from the database: keeping the flows as they are');
      return;
    }
    const plan = planProvisioning(read, { flows: await flows.currentFlows(), provisioned: this.provisioned, teamExists: (id) => teams.has(id) });
    let changes = plan.changes.filter((c) => c.kind !== 'unchanged');
    try {
      if (changes.length || !sameMap(plan.provisioned, this.provisioned)) await flows.applyProvisioning(plan, PROVISIONING_ACTOR);
      this.provisioned = plan.provisioned;
    } catch (error) {
      if (!(error instanceof SalveError)) throw error;
      // A person changed a flow these call between plan and write: nothing was applied; report it on the files that had changes.
      const issues = error instanceof ValidationError ? error.issues : [{ path: [], message: error.message }];
      const changed = new Set(changes.map((c) => c.file));
      for (const f of plan.files) {
        if (changed.has(f.file)) Object.assign(f, { status: 'invalid', errors: [...(f.errors ?? []), ...issues] });
      }
      changes = [];
    }
    const at = new Date((this.options.now ?? Date.now)()).toISOString();
    this.state = { dir, lastScanAt: at, files: plan.files, lastChanges: changes.length ? changes.map(({ flow: _f, ...c }) => c) : this.state.lastChanges };
    for (const c of changes) log.info({ flowId: c.flowId, file: c.file, change: c.kind, summary: c.summary }, `flow ${c.flowId} ${c.kind} from ${c.file}`);
    const seen = new Map<string, string>();
    for (const f of plan.files) {
      const key = JSON.stringify([f.status === 'invalid', f.errors]);
      seen.set(f.file, key);
      if (f.status === 'invalid' && this.reported.get(f.file) !== key) {
        log.warn({ file: f.file, errors: f.errors }, `flow file ${f.file} is invalid, nothing of it applied (${f.errors?.length ?? 0} problem(s)):\n${formatIssues(f.errors ?? [])}`);
      }
    }
    this.reported = seen;
  }

  /** Watches the directory and its subdirectories (again, when one was replaced or added). */
  private follow(): void {
    const dirs = [this.options.dir];
    try {
      for (const name of readdirSync(this.options.dir)) {
        if (!name.startsWith('.') && statSync(join(this.options.dir, name), { throwIfNoEntry: false })?.isDirectory()) dirs.push(join(this.options.dir, name));
      }
    } catch {
      // The directory is gone for now: the rescan looks again.
    }
    for (const [path, w] of this.watchers) {
      const ino = statSync(path, { throwIfNoEntry: false })?.ino;
      if (!dirs.includes(path) || ino !== w.ino) {
        w.watcher.close();
        this.watchers.delete(path);
      }
    }
    for (const path of dirs) {
      if (this.watchers.has(path) || this.stopped) continue;
      try {
        const ino = statSync(path).ino;
        const watcher = watch(path, () => this.request());
        watcher.on('error', () => {
          watcher.close();
          this.watchers.delete(path);
          this.request();
        });
        this.watchers.set(path, { watcher, ino });
      } catch {
        // Not watchable (gone meanwhile): the periodic rescan covers it.
      }
    }
  }

  /** Stops following the directory (a scan under way finishes). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    for (const w of this.watchers.values()) w.watcher.close();
    this.watchers.clear();
    await this.running;
  }
}

function sameMap(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}
