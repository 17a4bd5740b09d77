/** The trainer's view of a learning-rate schedule: a rate per epoch and state that round-trips. */
export interface LrSchedule {
  /** Learning rate to use during `epoch` (0-based), given the configured base rate. */
  lrFor(epoch: number, baseLr: number): number;
  /** Called after each epoch with the monitored loss (validation if any, else training). */
  onEpochEnd(epoch: number, loss: number): void;
  state(): unknown;
  loadState(state: unknown): void;
}

/** A schedule that keeps the base rate. */
export const constantSchedule = (): LrSchedule => ({
  lrFor: (_e, base) => base,
  onEpochEnd: () => {},
  state: () => null,
  loadState: () => {},
});
