package io.sparklora.job.bench;

import io.sparklora.job.dist.TaskModelFactory;
import io.sparklora.job.train.TrainSettings;
import io.sparklora.job.train.TrainState;
import io.sparklora.job.train.Trainers;

/**
 * The single-process loop ({@link Trainers#local}) over one fixed global batch: every step is one
 * micro-batch of the whole batch (forward, backward, clip, AdamW on the driver's flat vector).
 */
public final class SingleBench {
    private SingleBench() {}

    public static BenchResult run(TrainWorkload w, int threads, int warmup, int runs, int microBatch) {
        if (warmup < 0 || runs <= 0) {
            throw new IllegalArgumentException("need --warmup >= 0 and --runs >= 1, got " + warmup + " and " + runs);
        }
        TrainSettings s = w.settings(warmup + runs, microBatch);
        TaskModelFactory factory = w.taskFactory();
        TrainState state = Trainers.initialState(w.base(), factory, s);
        StepLog log = new StepLog(w.name(), warmup);
        Trainers.local(w.examples(), w.base(), factory, s, state, log);
        StepStats stats = log.stats();
        BenchResult r = new BenchResult("djl", w.name(), threads, stats, stats.tokensPerSecond(w.tokensPerStep()))
                .put("warmup", warmup)
                .put("tokens_per_step", w.tokensPerStep())
                .put("micro_batch", s.microBatch())
                .put("trainable", state.layout.size())
                .put("loss_first", log.firstLoss())
                .put("loss_last", log.lastLoss())
                .put("intra_op_threads", TorchThreads.intraOp())
                .put("inter_op_threads", TorchThreads.interOp());
        if (log.peakReset) {
            r.put("rss_before_steps_bytes", log.rssBeforeSteps).put("step_peak_rss_bytes", MemoryProbe.self()[0]);
        }
        return r;
    }
}
