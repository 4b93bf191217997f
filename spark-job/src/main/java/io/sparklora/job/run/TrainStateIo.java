package io.sparklora.job.run;

import io.sparklora.job.train.TrainSettings;
import io.sparklora.job.train.TrainState;

/** Moves a run's state between the optimizer and checkpoints. */
final class TrainStateIo {
    private TrainStateIo() {}

    /** A fresh optimizer for the real settings (the probe state only carried layout and initial values). */
    static TrainState freshOrResumed(TrainState probe, TrainSettings settings) {
        return TrainState.fresh(probe.layout, probe.params, settings);
    }

    static void restore(TrainState state, CheckpointStore.Restored r) {
        System.arraycopy(r.params(), 0, state.params, 0, state.params.length);
        state.optimizer.restore(r.optimizerStep(), r.expAvg(), r.expAvgSq());
        state.step = r.step();
    }
}
