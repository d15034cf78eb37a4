// The worker side: builds the model from its config, trains it, posts progress, and keeps the
// model and data so that resume() continues where stop() left off.
import { type Model, StateError, type Tensor, callbacks, init, layerToConfig, sequential } from '../index.js';
import { crossingError } from './crossing-errors.js';
import type { FromWorker, ToWorker, TrainRequest } from './protocol.js';
import { checkRequest } from './request-checks.js';
import { SessionEarlyStopping } from './session-early-stopping.js';
import { type TrainingTensors, trainingTensors } from './training-tensors.js';

interface Session {
  request: TrainRequest;
  model: Model;
  x: Tensor;
  y: Tensor;
  sampleWeight?: Tensor;
  validation?: TrainingTensors;
  epochsDone: number;
  /** Training examples of the last epoch that ran (all of them unless stop() cut it short). */
  seenThisEpoch: number;
  earlyStopping?: SessionEarlyStopping;
  /** Set once early stopping has ended the run: nothing is left to resume. */
  stoppedEarly?: { epoch: number; bestEpoch: number };
}

const post = (message: FromWorker, transfer: Transferable[] = []) => postMessage(message, { transfer });

/** Starts a checked request (checkRequest); a model that fails to compile is freed. */
function startSession(request: TrainRequest): Session {
  const early = request.fit.earlyStopping && callbacks.earlyStopping(request.fit.earlyStopping);
  const model = sequential(request.modelConfig);
  try {
    model.compile(request.compile);
    const loss = model.compileConfig!.loss; // under convas's name, given Keras's
    const lossName = typeof loss === 'string' ? loss : loss.type;
    const [x, y, sampleWeight] = trainingTensors(request.data, model, lossName, 'data');
    const validation = request.data.validation && trainingTensors(request.data.validation, model, lossName, 'data.validation');
    const session: Session = { request, model, x, y, sampleWeight, validation, epochsDone: 0, seenThisEpoch: 0 };
    if (early) session.earlyStopping = new SessionEarlyStopping(early, () => session.seenThisEpoch === x.shape[0]);
    return session;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

const PROGRESS_EVERY_MS = 50;

/** Runs fit for the epochs still to do, posting each batch and epoch; ends with the weights. */
async function train(session: Session, shouldStop: () => boolean): Promise<void> {
  const { model, request, earlyStopping } = session;
  const { earlyStopping: _, ...fitSettings } = request.fit;
  const epochs = request.fit.epochs ?? 1;
  const started = performance.now();
  let seen = 0, lastPosted = -Infinity;
  if (!session.stoppedEarly && session.epochsDone < epochs) {
    // From initialEpoch, so that the epochs of a resumed run carry on the numbering. The progress
    // hooks are fit's options: they run before fit reads shouldStop, so a stop asked for at an
    // epoch's end takes effect there.
    await model.fit(session.x, session.y, {
      ...fitSettings, epochs, initialEpoch: session.epochsDone, sampleWeight: session.sampleWeight, validationData: session.validation, shouldStop,
      callbacks: earlyStopping ? [earlyStopping] : [],
      onBatchEnd: (batch, { loss, acc, size }) => {
        seen += size;
        session.seenThisEpoch = (batch === 0 ? 0 : session.seenThisEpoch) + size;
        // Hundreds of batches a second would flood the page with messages and freeze it: post the
        // latest batch at most every PROGRESS_EVERY_MS, and always an epoch's last one.
        const now = performance.now();
        if (now - lastPosted < PROGRESS_EVERY_MS && session.seenThisEpoch < session.x.shape[0]) return;
        lastPosted = now;
        const imagesPerSecond = seen / ((now - started) / 1000);
        post({ type: 'batch', progress: { epoch: session.epochsDone, batch, loss, acc, imagesPerSecond } });
      },
      onEpochEnd: (_, logs) => {
        // An epoch cut short by stop() is not counted: resume starts it afresh.
        if (session.seenThisEpoch === session.x.shape[0]) post({ type: 'epoch', epoch: session.epochsDone++, logs });
      },
    });
    session.stoppedEarly = earlyStopping?.stoppedEarly;
    if (earlyStopping && (session.stoppedEarly || session.epochsDone === epochs)) earlyStopping.end();
  }
  const weights = model.getWeights().map((t) => {
    const values = t.dataSync();
    t.dispose();
    return values;
  });
  // layerToConfig keeps a frozen layer frozen: rebuilt without it, the model would train that layer
  // and list its weights in another order than these.
  const modelConfig = { inputShape: [...model.inputShape], layers: model.layers.map(layerToConfig), seed: model.seed };
  const stoppedEarly = session.stoppedEarly;
  const stopped = !stoppedEarly && session.epochsDone < epochs;
  post({ type: 'done', result: { modelConfig, weights, epochsDone: session.epochsDone, stopped, ...(stoppedEarly ? { stoppedEarly } : {}) } },
    weights.map((w) => w.buffer));
}

let serving = false;

/**
 * Answers a Trainer's messages in this worker. dist/worker.js calls it by itself when it is the
 * worker's script; a module of your own that imports it (to registerLayer() first, say) calls it
 * at its top level, before any await: a message that comes before it is lost. A second call does
 * nothing: two listeners would train each request twice.
 */
export function serveTrainer(): void {
  if (serving) return;
  serving = true;
  let session: Session | undefined;
  let stopRequested = false;
  addEventListener('message', async (event) => {
    const message = (event as MessageEvent<ToWorker>).data;
    if (message.type === 'stop') {
      stopRequested = true;
      return;
    }
    stopRequested = false;
    try {
      await init();
      if (message.type === 'train') {
        session?.model.dispose();
        session = undefined; // a request that fails to start leaves nothing to resume
        session = startSession(checkRequest(message.request));
      }
      if (!session) throw new StateError('resume: there is no training to resume; call train() first');
      await train(session, () => stopRequested);
    } catch (error) {
      post({ type: 'error', ...crossingError(error) });
    }
  });
}
