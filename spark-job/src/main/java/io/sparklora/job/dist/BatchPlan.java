package io.sparklora.job.dist;

import java.io.Serializable;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which examples make up each global step, the same whatever the partitioning: epoch e visits the
 * examples in a permutation drawn from (seed, e), and step s takes the next {@code globalBatch}
 * positions. A partition keeps the examples of its own whose position falls in the step's range, so
 * 1, 2 or 4 partitions compute the same global batch, and a resumed run continues where it stopped.
 */
public final class BatchPlan implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ConcurrentHashMap<String, int[]> RANKS = new ConcurrentHashMap<>();

    private final long examples;
    private final int globalBatch;
    private final long seed;

    public BatchPlan(long examples, int globalBatch, long seed) {
        if (examples <= 0 || examples > Integer.MAX_VALUE || globalBatch <= 0) {
            throw new IllegalArgumentException("batch plan needs 0 < examples <= 2^31-1 and batch size > 0, got "
                    + examples + " and " + globalBatch);
        }
        this.examples = examples;
        this.globalBatch = globalBatch;
        this.seed = seed;
    }

    public long stepsPerEpoch() {
        return (examples + globalBatch - 1) / globalBatch;
    }

    public int epochOf(long step) {
        return (int) (step / stepsPerEpoch());
    }

    /** Whether the example with this global index belongs to the (0-based) global step. */
    public boolean inStep(long exampleIndex, long step) {
        long within = step % stepsPerEpoch();
        int rank = rank(exampleIndex, epochOf(step));
        return rank >= within * globalBatch && rank < (within + 1) * globalBatch;
    }

    /** The example's position in its epoch's order (ties in micro-batching are broken by it). */
    public int rank(long exampleIndex, int epoch) {
        if (exampleIndex < 0 || exampleIndex >= examples) {
            throw new IllegalArgumentException("example index " + exampleIndex + " outside [0, " + examples + ")");
        }
        return ranks(epoch)[(int) exampleIndex];
    }

    private int[] ranks(int epoch) {
        String key = examples + "/" + seed + "/" + epoch;
        return RANKS.computeIfAbsent(key, k -> {
            if (RANKS.size() > 16) {
                RANKS.clear();
            }
            int n = (int) examples;
            int[] perm = new int[n];
            for (int i = 0; i < n; i++) {
                perm[i] = i;
            }
            SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + epoch);
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            int[] rank = new int[n];
            for (int pos = 0; pos < n; pos++) {
                rank[perm[pos]] = pos;
            }
            return rank;
        });
    }
}
