// The worker side: builds the model from its config, trains it, posts progress, and keeps the
// model and data so that resume() continues where stop() left off.
import { type Model, StateError, type Tensor, init, oneHot, sequential, tensor } from '../index.js';
import type { FromWorker, ToWorker, TrainRequest, TrainingData } from './protocol.js';

interface Session {
  request: TrainRequest;
  model: Model;
  x: Tensor;
  y: Tensor;
  validation?: [Tensor, Tensor];
  epochsDone: number;
}

const post = (message: FromWorker, transfer: Transferable[] = []) => postMessage(message, { transfer });

function toTensors({ images, labels }: TrainingData, model: Model): [Tensor, Tensor] {
  const classes = model.outputShape[0];
  const targets = labels instanceof Uint8Array ? oneHot(labels, classes) : labels;
  const count = targets.length / classes;
  return [tensor(images, [count, ...model.inputShape]), tensor(targets, [count, classes])];
}

function startSession(request: TrainRequest): Session {
  const model = sequential(request.modelConfig);
  model.compile(request.compile);
  const [x, y] = toTensors(request.data, model);
  const validation = request.data.validation && toTensors(request.data.validation, model);
  return { request, model, x, y, validation, epochsDone: 0 };
}

const PROGRESS_EVERY_MS = 50;

/** Runs fit for the epochs still to do, posting each batch and epoch; ends with the weights. */
async function train(session: Session, shouldStop: () => boolean): Promise<void> {
  const { model, request } = session;
  const epochs = (request.fit.epochs ?? 1) - session.epochsDone;
  const started = performance.now();
  let seen = 0, seenThisEpoch = 0, lastPosted = -Infinity;
  if (epochs > 0) {
    await model.fit(session.x, session.y, {
      ...request.fit, epochs, validationData: session.validation, shouldStop,
      onBatchEnd: (batch, { loss, acc, size }) => {
        seen += size;
        seenThisEpoch += size;
        // Hundreds of batches a second would flood the page with messages and freeze it: post the
        // latest batch at most every PROGRESS_EVERY_MS, and always an epoch's last one.
        const now = performance.now();
        if (now - lastPosted < PROGRESS_EVERY_MS && seenThisEpoch < session.x.shape[0]) return;
        lastPosted = now;
        const imagesPerSecond = seen / ((now - started) / 1000);
        post({ type: 'batch', progress: { epoch: session.epochsDone, batch, loss, acc, imagesPerSecond } });
      },
      onEpochEnd: (_, logs) => {
        // An epoch cut short by stop() is not counted: resume starts it afresh.
        const complete = seenThisEpoch === session.x.shape[0];
        seenThisEpoch = 0;
        if (complete) post({ type: 'epoch', epoch: session.epochsDone++, logs });
      },
    });
  }
  const weights = model.getWeights().map((t) => {
    const values = t.dataSync();
    t.dispose();
    return values;
  });
  const modelConfig = { inputShape: [...model.inputShape], layers: model.layers.map((l) => l.getConfig()), seed: model.seed };
  const stopped = session.epochsDone < (request.fit.epochs ?? 1);
  post({ type: 'done', result: { modelConfig, weights, epochsDone: session.epochsDone, stopped } }, weights.map((w) => w.buffer));
}

/** Answers a Trainer's messages in this worker. dist/worker.js calls it by itself when loaded as a worker. */
export function serveTrainer(): void {
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
        session = startSession(message.request);
      }
      if (!session) throw new StateError('resume: there is no training to resume; call train() first');
      await train(session, () => stopRequested);
    } catch (error) {
      const { name, message: text } = error instanceof Error ? error : new Error(String(error));
      post({ type: 'error', name, message: text });
    }
  });
}
