/**
 * The work a computation may do, counted as it is done: every −ln L evaluation charges its
 * units (the Term interface's `evaluationUnits`) to the meter a use case runs under. A
 * computation that spends its allowance stops with `WorkLimitError`, never holding the isolate.
 * Counted work is the deadline that works everywhere: Workers' clocks stand still while a
 * request computes, so a wall-clock check alone would never fire there (where clocks do run,
 * `deadlineMs` stops the computation too).
 */

/** The allowance ran out: the computation stopped; nothing it computed is returned. */
export class WorkLimitError extends Error {
  constructor(
    readonly spent: number,
    readonly limit: number,
    readonly reason: 'work' | 'time',
  ) {
    super(reason === 'work' ? `the computation reached its allowance of ${limit.toExponential(2)} work units` : 'the computation reached its deadline');
    this.name = 'WorkLimitError';
  }
}

interface Meter {
  spent: number;
  readonly limit: number;
  readonly deadline: number;
}

let active: Meter | null = null;

/**
 * Runs `f` with an allowance of `limit` units and, where clocks run, `deadlineMs` of wall time;
 * returns its result and the units spent. Inside an active meter, `f` shares it (a use case
 * made of others is one request).
 */
export function metered<T>(limit: number, deadlineMs: number, f: () => T): { result: T; spent: number } {
  if (active) {
    const before = active.spent;
    return { result: f(), spent: active.spent - before };
  }
  const meter: Meter = { spent: 0, limit, deadline: Date.now() + deadlineMs };
  active = meter;
  try {
    return { result: f(), spent: meter.spent };
  } finally {
    active = null;
  }
}

/** Charges `units` of work to the active meter, if any. */
export function charge(units: number): void {
  if (!active) return;
  active.spent += units;
  if (active.spent > active.limit) throw new WorkLimitError(active.spent, active.limit, 'work');
  if (Date.now() > active.deadline) throw new WorkLimitError(active.spent, active.limit, 'time');
}
