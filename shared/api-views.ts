import type { Alert } from './alert/schema.js';
import type { ApprovalRules } from './approval-rules.js';
import type { LimitName } from './flow/limits.js';
import type { Flow } from './flow/schema.js';
import type { NodeCategory } from './flow/node-spec.js';
import type { ApprovalStatus, ExecutionStatus, StepStatus, WaitReason } from './statuses.js';

/**
 * Shapes of API answers that the runtime builds and the editor reads, declared once here so
 * the two cannot drift apart: runtime/http/views.ts and the routes build them (checked with
 * `satisfies` or a declared return type), the editor receives them through the typed client.
 * Times are RFC 3339 strings. Pure types: no I/O, browser-safe. The event log's views are in
 * event-log.ts, the statuses in statuses.ts.
 */

/** A list answered whole (`GET /api/flows`, `GET /api/approvals`). */
export interface List<T> {
  items: T[];
}

/** One page of a newest-first list: `nextCursor` is the `before` of the next page, null on the last. */
export interface Page<T> extends List<T> {
  nextCursor: string | null;
}

/** A stored flow as the API shows it. */
export interface StoredFlow {
  flow: Flow;
  /** The team that owns the flow. */
  team: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
  /** Set when the flow comes from a flows directory (`salve serve --flows`): it is read-only here. */
  provisioned?: { file: string };
}

/** Who saved a flow revision, as the history shows it. */
export interface RevisionAuthor {
  /** `user:<id>`, `admin` (the bootstrap admin token), or null for revisions saved before accounts. */
  identity: string | null;
  /** What to show: the user's display name, `admin`, or `unknown` (before accounts, or a user since removed). */
  name: string;
  /** The user's username, when the author is a user who still exists. */
  username?: string;
}

/** One row of `GET /api/flows/:id/revisions` (newest first). */
export interface FlowRevisionSummary {
  revision: number;
  createdAt: string;
  author: RevisionAuthor;
  /** The flow's name and enabled state in that revision. */
  name: string;
  enabled: boolean;
}

/** `GET /api/flows/:id/revisions/:revision`: one revision's document. */
export interface FlowRevisionView extends FlowRevisionSummary {
  flow: Flow;
}

/** One row of `GET /api/flows`. */
export interface FlowSummary {
  id: string;
  name: string;
  enabled: boolean;
  revision: number;
  updatedAt: string;
  /** The team that owns the flow. */
  team: string;
  /** Present while the flow's circuit breaker is tripped (its runs are created `held`). */
  breaker?: { trippedAt: number };
  /** Set when the flow comes from a flows directory (`salve serve --flows`): it is read-only here. */
  provisioned?: { file: string };
}

/** A flow's circuit breaker (`GET /api/flows/:id/breaker`; times in ms since the epoch). */
export interface BreakerView {
  state: 'closed' | 'tripped';
  trippedAt?: number;
  /** The runs whose endings tripped it (while tripped). */
  failures?: { executionId: string; status: ExecutionStatus; endedAt: number }[];
  /** Who reset it last, and when. */
  resetBy?: string;
  resetAt?: number;
  /** The flow's `limits.breaker`, when it has one. */
  policy?: { failures: number; window: number };
}

/** One file of a flows directory and what became of it (`GET /api/provisioning`). */
export interface ProvisionedFile {
  /** The directory's name, then the path inside it: `flows/disk.json`, `flows/payments/restart.json`. */
  file: string;
  /** The team the file's flows belong to (`default` at the top, else the subdirectory's name). */
  team: string;
  /** `applied`: the last scan saved a new revision of at least one of its flows; `unchanged`: nothing differed; `invalid`: nothing of it was applied. */
  status: 'applied' | 'unchanged' | 'invalid';
  /** The flow ids the file holds (as far as it could be read). */
  flowIds: string[];
  /** For `invalid`: every problem, located by a path into the file. */
  errors?: { path: (string | number)[]; message: string }[];
}

/** What applying a flows directory does to one flow (`salve diff`, `POST /api/provisioning/diff`). */
export interface ProvisioningChange {
  flowId: string;
  file: string;
  team: string;
  /** `disabled`: provisioned before, in no file now: turned off (never deleted) and editable again. */
  kind: 'added' | 'changed' | 'unchanged' | 'disabled';
  /** For `changed`: which nodes, edges and fields differ, in one line. */
  summary?: string;
}

/** `GET /api/provisioning`: the flows directory and its last scan. */
export interface ProvisioningStatus {
  /** The directory (`salve serve --flows`), or null when Salve runs without one. */
  dir: string | null;
  lastScanAt: string | null;
  files: ProvisionedFile[];
  /** The changes the last scan that changed something made. */
  lastChanges: ProvisioningChange[];
}

/** `POST /api/provisioning/diff`: what applying a directory's files would change. */
export interface ProvisioningDiff {
  files: ProvisionedFile[];
  changes: ProvisioningChange[];
}

/** One node on a simulated path (`POST /api/flows/simulate`). */
export interface SimulatedStep {
  nodeId: string;
  type: string;
  status: 'taken' | 'error';
  port?: string;
  /** For conditions: what the expression returned. */
  result?: unknown;
  /** For actions and approvals: the config exactly as it would run (secrets as references). */
  rendered?: unknown;
  /** True when the port is assumed (side-effecting nodes are never run in simulation). */
  assumed?: boolean;
  /** True when the real system checked the step without changing anything (Kubernetes' dry run): `port` and `result` are its answer. */
  dryRun?: boolean;
  /** For notifications and other requests whose body Salve builds: where it would go and what it would send (secrets as references). */
  wouldSend?: { to: string; body?: unknown };
  error?: string;
}

/** What a flow would do with one alert of a simulated delivery. */
export interface SimulatedAlert {
  alert: Alert;
  sourceNodeId: string;
  /** False when the source would not start the flow (e.g. a resolved alert with `on: firing`). */
  starts: boolean;
  steps: SimulatedStep[];
  skipped: string[];
  edges: { source: string; sourcePort: string; target: string }[];
}

/** `POST /api/flows/simulate`. */
export interface SimulateResult {
  flowId: string;
  alerts: SimulatedAlert[];
}

/** `POST /api/flows/:id/run` (202): the run started by hand. */
export interface ManualRunStarted {
  executionId: string;
  eventId: string;
  flowId: string;
  flowRevision: number;
  sourceNodeId: string;
  /** A guard rail (the flow's limits or its tripped breaker) created the run `held`: it waits for a person to release it. */
  held: boolean;
}

/** One execution: a run of one flow for one alert. */
export interface Execution {
  id: string;
  flowId: string;
  flowRevision: number;
  eventId: string;
  sourceNodeId: string;
  status: ExecutionStatus;
  error: string | null;
  alert: Alert;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  deadlineAt: string | null;
  /** When a resolved alert with this run's fingerprint arrived for its flow (its endsAt), else null. */
  alertResolvedAt: string | null;
  /** A run a `flow.call` step started: the calling run and its step (null otherwise). */
  parentExecutionId: string | null;
  parentStepId: string | null;
  /** How many calls deep this run is (0 for a run an alert, a schedule or a person started). */
  callDepth: number;
  /** The flow's target key rendered for this run, when the flow has `limits.target`. */
  targetKey?: string;
  /** A guard rail held this run when it was created (kept after a release). `at`: ms since the epoch. */
  held?: { limit: LimitName; reason: string; at: number };
  /**
   * A person released the held run. `by`: their identity (`user:<id>`, `admin`); `name`: as a
   * person reads it (the run's own page only: `GET /api/executions/:id`). `at`: ms since the epoch.
   */
  released?: { by: string; name?: string; at: number; comment?: string };
}

/** A run a step of this run started (`flow.call`). */
export interface CalledRun {
  id: string;
  flowId: string;
  /** The calling step. */
  parentStepId: string | null;
  status: ExecutionStatus;
}

/** One node run inside an execution. `input`, `config` (rendered, secrets as references) and `output` are JSON. */
export interface Step {
  id: string;
  seq: number;
  nodeId: string;
  nodeType: string;
  parentStepId: string | null;
  status: StepStatus;
  attempt: number;
  port: string | null;
  input: unknown;
  config: unknown;
  output: unknown;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  wakeAt: string | null;
  /** What a `waiting` step waits for (`retry`, `poll`, `approval`, `delay`…); null otherwise. */
  waitReason: WaitReason | null;
  /** The loop item a step runs for (`<foreach step id>#<index>`), null outside a loop. */
  scope: string | null;
}

/** A step that ran before an approval was asked for. */
export interface ApprovalStepSummary {
  nodeId: string;
  nodeType: string;
  label: string;
  status: StepStatus;
  port: string | null;
  output: unknown;
  error: string | null;
  endedAt: string | null;
}

/** A node that runs if the approval is approved: its config as it would run, or why it cannot be rendered. */
export interface ApprovalNext {
  nodeId: string;
  nodeType: string;
  label: string;
  rendered?: unknown;
  error?: string;
}

/** One person's decision on an approval. */
interface ApprovalDecisionView {
  /** `user:<id>`, or `admin` for the bootstrap admin token. */
  decider: string;
  /** Who, as people read it (the username, or `admin`). */
  name: string;
  decision: 'approve' | 'reject';
  comment: string | null;
  /** How they came in: `session`, `token`, `break-glass`, `slack`… */
  via: string;
  at: string;
}

/**
 * An approval. In lists and answers about one approval it also carries its run's flow id and
 * alert, and what ran before and what approving starts; inside an execution detail it does not.
 * `rules`, `decisions`, `approvals` and `planHash` are always there; `youMayDecide` (and
 * `whyNot` when false) answer for the caller, for pending approvals.
 */
export interface Approval {
  id: string;
  executionId: string;
  stepId: string;
  nodeId: string;
  message: string;
  status: ApprovalStatus;
  createdAt: string;
  deadlineAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  comment: string | null;
  flowId?: string;
  flowName?: string | null;
  alert?: Alert;
  /**
   * When the run's alert resolved (a resolved delivery with its fingerprint reached its flow;
   * the alert's endsAt), null while it has not. Sent with `alert`: an approver must see that
   * the problem may have gone away before approving a fix for it.
   */
  alertResolvedAt?: string | null;
  ran?: ApprovalStepSummary[];
  next?: ApprovalNext[];
  /** The rules it is decided by, fixed when the step began. */
  rules: ApprovalRules;
  /** Every decision so far, oldest first. */
  decisions: ApprovalDecisionView[];
  /** Quorum progress: distinct approvals so far, and how many are needed. */
  approvals: { count: number; needed: number };
  /**
   * SHA-256 (hex) of what approving runs: the flow revision and every node after the approval.
   * A decision must carry the hash its decider saw; null for approvals begun before plan hashes.
   */
  planHash: string | null;
  /** Whether the caller may approve now (pending approvals only). */
  youMayDecide?: boolean;
  /**
   * Whether the caller may reject now: also true for the run's starter or the revision's
   * author, who may not approve (stopping one's own run needs no second pair of eyes).
   */
  youMayReject?: boolean;
  /** Why the caller may not approve, in a sentence they can act on. */
  whyNot?: string;
}

/**
 * `GET /api/approval-links/:token`: what an approval link is good for now. `usable`: decide with
 * it (once); `waiting`: its approval step has not started yet; `decided`: the approval is no
 * longer pending; `expired`; `used` (by whom, when).
 */
export interface ApprovalLinkView {
  state: 'usable' | 'waiting' | 'decided' | 'expired' | 'used';
  executionId: string;
  nodeId: string;
  expiresAt: string;
  usedAt?: string;
  usedBy?: string;
  approval: Approval | null;
}

/** `GET /api/executions/:id`: the execution with its steps, approvals and the flow revision it ran. */
export interface ExecutionDetail extends Execution {
  steps: Step[];
  approvals: Approval[];
  /** The flow exactly as it was when this execution ran (its revision); null if that revision is gone. */
  flow: Flow | null;
  /** The runs its `flow.call` steps started, oldest first. */
  children: CalledRun[];
}

/**
 * One entry of `GET /api/node-types`: what external tools need to build a node's config. `ui`
 * holds the definition's editor hints as written there; `configSchema` is a JSON Schema of the
 * config as it may be written (fields with defaults optional).
 */
export interface NodeTypeView {
  type: string;
  category: NodeCategory;
  label: string;
  description: string;
  icon: string;
  outputs: readonly string[];
  idempotent: boolean;
  sideEffects: boolean;
  ui: Readonly<Record<string, unknown>>;
  samples: readonly { name: string; description: string; payload: unknown }[];
  configSchema: Record<string, unknown>;
}

/** `GET /api/session`: how this request was authenticated. */
/**
 * `GET /api/session/hint` (public): where the sign-in page tells the operator to find the admin
 * token. `file` is the token file's path on the server; absent when SALVE_ADMIN_TOKEN sets it.
 */
export interface SignInHint {
  tokenFile?: string;
  /** Always true: users sign in with their username and password. */
  passwords: true;
  /**
   * Present when single sign-on is configured: the button's label. The button is a plain link
   * to `GET /api/session/oidc/start`; a failed sign-in comes back as `#/sign-in?error=<code>`.
   */
  sso?: { label: string };
}

export interface SessionStatus {
  authenticated: true;
  via: 'bearer' | 'cookie';
}

/** One pause or resume of automation, from the audit log. */
export interface AutomationChange {
  action: 'pause' | 'resume';
  /** The actor's name (a user name, `admin`, a token's name). */
  actor: string;
  /** How they were signed in (`session`, `token`, `slack`…). */
  via: string;
  /** Epoch ms. */
  at: number;
}

/** `GET /api/automation` and the pause/resume answers. */
export interface AutomationState {
  paused: boolean;
  /** While paused: who paused it and when (absent when no audit row records it). */
  pausedBy?: AutomationChange;
  /** The last 10 pauses and resumes, newest first. */
  history: AutomationChange[];
}
