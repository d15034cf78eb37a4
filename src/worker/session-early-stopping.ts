// Early stopping over a whole session of the training worker: train() and every resume() after it
// are one run for the callback. Handed to each fit as it is, it would begin afresh at each resume
// (forgetting the best epoch and the wait), judge an epoch that stop() cut short, and put the best
// weights back on a stop that resume() then continues from. Here it begins once, hears only whole
// epochs (numbered across the session: fit runs from initialEpoch), and the best weights come back
// only when the run ends — stopped early, or its last epoch done.
import { Callback, type EarlyStopping, type Logs, type TrainedModel, type TrainingParams } from '../index.js';

export class SessionEarlyStopping extends Callback {
  private begun = false;

  /** `epochComplete` tells, at an epoch's end, whether every batch of it ran. */
  constructor(private readonly early: EarlyStopping, private readonly epochComplete: () => boolean) {
    super();
  }

  setModel(model: TrainedModel): void {
    super.setModel(model);
    this.early.setModel(model);
  }

  setParams(params: TrainingParams): void {
    super.setParams(params);
    this.early.setParams(params);
  }

  onTrainBegin(): void {
    if (this.begun) return;
    this.begun = true;
    this.early.onTrainBegin();
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    if (this.epochComplete()) this.early.onEpochEnd(epoch, logs);
  }

  /** Where early stopping ended the run, if it did: the epoch it stopped after and the best one. */
  get stoppedEarly(): { epoch: number; bestEpoch: number } | undefined {
    return this.early.stoppedEpoch ? { epoch: this.early.stoppedEpoch, bestEpoch: this.early.bestEpoch } : undefined;
  }

  /** Ends the run: with restoreBestWeights, the best epoch's weights go back into the model. */
  end(): void {
    this.early.onTrainEnd();
  }
}
