package io.sparklora.job.run;

import io.sparklora.job.train.StepReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.util.Locale;

/**
 * What a person follows during training: one log line per logging interval (step/total, loss,
 * learning rate, tokens/s, ETA), and a progress bar on an interactive console.
 */
public final class ProgressLog {
    private static final Logger LOG = LoggerFactory.getLogger("io.sparklora.progress");
    private final int every;
    private final PrintStream console;
    private final String prefix;
    private final long startNanos = System.nanoTime();
    private double lossSum;
    private long lossCount;
    private long tokens;
    private long nanos;

    /**
     * @param console where to draw the bar, or null for none
     * @param adapter the adapter's name, which starts each line (several adapters train in one job)
     */
    public ProgressLog(int every, PrintStream console, String adapter) {
        if (every <= 0) {
            throw new IllegalArgumentException("log interval must be > 0, got " + every);
        }
        this.every = every;
        this.console = console;
        this.prefix = adapter == null || adapter.isEmpty() ? "" : adapter + " ";
    }

    public void onStep(StepReport r) {
        lossSum += r.loss();
        lossCount++;
        tokens += r.tokens();
        nanos += r.stepNanos();
        if (r.step() % every == 0 || r.step() == r.totalSteps()) {
            double elapsed = (System.nanoTime() - startNanos) / 1e9;
            double eta = elapsed / r.step() * (r.totalSteps() - r.step());
            LOG.info(prefix + String.format(Locale.ROOT, "step %d/%d  loss %.4f  lr %.3g  tokens/s %.0f  ETA %s",
                    r.step(), r.totalSteps(), lossSum / lossCount, r.lr(), tokens * 1e9 / Math.max(1, nanos),
                    duration(eta)));
            lossSum = 0;
            lossCount = 0;
            tokens = 0;
            nanos = 0;
        }
        if (console != null) {
            int width = 30;
            int done = (int) (width * r.step() / r.totalSteps());
            console.printf(Locale.ROOT, "\r%s[%s%s] %d/%d loss %.4f ", prefix, "=".repeat(done), " ".repeat(width - done),
                    r.step(), r.totalSteps(), r.loss());
            if (r.step() == r.totalSteps()) {
                console.println();
            }
            console.flush();
        }
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
