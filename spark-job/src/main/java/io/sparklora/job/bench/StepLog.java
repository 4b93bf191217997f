package io.sparklora.job.bench;

import io.sparklora.job.train.StepReport;
import io.sparklora.job.train.TrainState;
import io.sparklora.job.train.Trainers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** Collects the step reports of a bench run and keeps those after the warm-up. */
final class StepLog implements Trainers.StepListener {
    private static final Logger LOG = LoggerFactory.getLogger(StepLog.class);

    private final String workload;
    private final int warmup;
    final List<StepReport> all = new ArrayList<>();
    /** RSS when the timed steps began, and whether the peak was reset then (-1 / false before). */
    long rssBeforeSteps = -1;
    boolean peakReset;

    StepLog(String workload, int warmup) {
        this.workload = workload;
        this.warmup = warmup;
    }

    @Override
    public void onStep(StepReport report, TrainState state) {
        all.add(report);
        LOG.info("{} step {}/{}{}: {} s, loss {}", workload, report.step(), report.totalSteps(),
                report.step() <= warmup ? " (warm-up)" : "", report.stepNanos() / 1e9, report.loss());
        if (report.step() == warmup) {
            // The timed steps' own peak: everything before (building, first-step allocations) is left out.
            rssBeforeSteps = MemoryProbe.self()[1];
            peakReset = MemoryProbe.resetPeak();
        }
    }

    List<StepReport> timed() {
        return all.subList(Math.min(warmup, all.size()), all.size());
    }

    StepStats stats() {
        return StepStats.of(timed().stream().mapToDouble(r -> r.stepNanos() / 1e9).toArray());
    }

    double firstLoss() {
        return all.get(0).loss();
    }

    double lastLoss() {
        return all.get(all.size() - 1).loss();
    }
}
