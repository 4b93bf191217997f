package io.sparklora.job.run;

import io.sparklora.job.train.TrainState;

/** Moves a run's state between the optimizer and checkpoints. */
final class TrainStateIo {
    private TrainStateIo() {}

    static void restore(TrainState state, CheckpointStore.Restored r) {
        System.arraycopy(r.params(), 0, state.params, 0, state.params.length);
        state.optimizer.restore(r.optimizerStep(), r.expAvg(), r.expAvgSq());
        state.step = r.step();
    }
}
