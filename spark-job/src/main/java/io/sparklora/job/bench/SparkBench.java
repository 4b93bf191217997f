package io.sparklora.job.bench;

import io.sparklora.job.dist.ExecutorModels;
import io.sparklora.job.dist.BroadcastWeights;
import io.sparklora.job.dist.ModelSpecFactory;
import io.sparklora.job.dist.TaskModelFactory;
import io.sparklora.job.train.StepReport;
import io.sparklora.job.train.TrainSettings;
import io.sparklora.job.train.TrainState;
import io.sparklora.job.train.Trainers;
import io.sparklora.model.task.Example;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The distributed loop ({@link Trainers#spark}) on whatever master the context has: the fixed batch as
 * a cached RDD, the base broadcast once, executor models materialised by an untimed job first.
 *
 * <p>Overhead: {@code StepResult.computeNanos} is the forward/backward time summed over partitions.
 * Partitions that share a JVM share its one model under a lock, so they run one after another: in
 * local mode the whole sum is on the step's critical path. On a cluster with one partition per
 * executor they run side by side, so the critical path is about sum / executors (the mean task; the
 * slowest task is a little longer, so the overhead is slightly overstated there). Hence
 * {@code overhead_fraction = 1 - (compute / parallelism) / wall} with parallelism 1 in local mode and
 * the number of distinct executors that ran the timed steps' tasks on a cluster, summed over the
 * timed steps.
 */
public final class SparkBench {
    private static final Logger LOG = LoggerFactory.getLogger(SparkBench.class);

    private SparkBench() {}

    public static BenchResult run(JavaSparkContext jsc, TrainWorkload w, int partitions, int threads, int warmup,
                                  int runs, int microBatch) {
        if (partitions <= 0 || partitions > w.globalBatch()) {
            throw new IllegalArgumentException("--partitions must be in [1, batch " + w.globalBatch() + "], got "
                    + partitions);
        }
        if (warmup < 0 || runs <= 0) {
            throw new IllegalArgumentException("need --warmup >= 0 and --runs >= 1, got " + warmup + " and " + runs);
        }
        String master = jsc.sc().master();
        boolean local = master.startsWith("local");
        if (!local) {
            awaitExecutors(jsc, partitions, 120_000);
        }
        SparkTraffic traffic = new SparkTraffic();
        jsc.sc().addSparkListener(traffic);
        ModelSpecFactory factory = w.factory();
        JavaRDD<Example> data = jsc.parallelize(w.examples(), partitions).cache();
        long t0 = System.nanoTime();
        BroadcastWeights base = BroadcastWeights.of(jsc, w.base());
        double broadcastS = (System.nanoTime() - t0) / 1e9;
        try {
            // The executors' memory before they build the model: the JVM, Spark and the natives loaded.
            jsc.setJobDescription("bench: executor memory before the model");
            List<MemoryProbe.Jvm> before = MemoryProbe.executors(data);
            t0 = System.nanoTime();
            jsc.setJobDescription("bench: materialise executor models");
            data.mapPartitions(new Materialise(base, factory)).count();
            double materialiseS = (System.nanoTime() - t0) / 1e9;
            // The executors' memory once the model is built, before any activation exists.
            List<MemoryProbe.Jvm> built = MemoryProbe.executors(data);
            int executors = local ? 1 : Math.max(1, jsc.sc().statusTracker().getExecutorInfos().length - 1);

            TrainSettings s = w.settings(warmup + runs, microBatch);
            TrainState state = Trainers.initialState(w.base(), factory, s);
            StepLog log = new StepLog(w.name(), warmup);
            Trainers.spark(jsc, data, w.globalBatch(), base, factory, s, state, log);
            jsc.setJobDescription("bench: executor memory probe");
            List<MemoryProbe.Jvm> jvms = MemoryProbe.executors(data);
            drainListeners(jsc);

            List<SparkTraffic.Task> tasks = traffic.timedTasks(warmup);
            int taskExecutors = (int) tasks.stream().map(SparkTraffic.Task::executor).distinct().count();
            int parallelism = local ? 1 : Math.max(1, taskExecutors);
            double wall = 0;
            double compute = 0;
            double[] computeS = new double[log.timed().size()];
            int i = 0;
            for (StepReport r : log.timed()) {
                wall += r.stepNanos() / 1e9;
                compute += r.computeNanos() / 1e9 / parallelism;
                computeS[i++] = r.computeNanos() / 1e9 / parallelism;
            }
            long maxBytes = tasks.stream().mapToLong(SparkTraffic.Task::resultBytes).max().orElse(-1);
            double meanBytes = tasks.stream().mapToLong(SparkTraffic.Task::resultBytes).average().orElse(-1);
            long peak = MemoryProbe.max(jvms, MemoryProbe.Jvm::peakRssBytes);
            long builtPeak = MemoryProbe.max(built, MemoryProbe.Jvm::peakRssBytes);
            long builtRss = MemoryProbe.max(built, MemoryProbe.Jvm::rssBytes);
            long beforeRss = MemoryProbe.max(before, MemoryProbe.Jvm::rssBytes);
            int taskThreads = jvms.stream().mapToInt(MemoryProbe.Jvm::intraOpThreads).max().orElse(-1);
            long[] driver = MemoryProbe.self();
            long weightBytes = w.base().bytes();
            StepStats stats = log.stats();
            LOG.info("{} on {}: {} tasks timed, JVMs {}", w.name(), master, tasks.size(), jvms);
            return new BenchResult(impl(master, executors), w.name(), threads, stats,
                    stats.tokensPerSecond(w.tokensPerStep()))
                    .put("warmup", warmup)
                    .put("tokens_per_step", w.tokensPerStep())
                    .put("micro_batch", s.microBatch())
                    .put("master", master.replace(' ', '_'))
                    .put("partitions", partitions)
                    .put("executors", executors)
                    .put("step_task_executors", taskExecutors)
                    .put("compute_median_s", StepStats.of(computeS).medianS())
                    .put("overhead_fraction", wall > 0 ? 1 - compute / wall : 0.0)
                    .put("overhead_basis", local ? "serial-shared-model" : "parallel-mean-task")
                    .put("bytes_per_step_per_executor_max", maxBytes)
                    .put("bytes_per_step_per_executor_mean", Math.round(meanBytes))
                    .put("trainable_bytes", 4L * state.layout.size())
                    .put("broadcast_bytes", weightBytes)
                    .put("broadcast_serialized_bytes", traffic.broadcastBytes(base.broadcastIds()))
                    .put("broadcast_create_s", broadcastS)
                    .put("materialise_s", materialiseS)
                    .put("rss_scope", local ? "driver-jvm" : "executor-jvm")
                    .put("executor_peak_rss_bytes", peak)
                    .put("weight_bytes", weightBytes)
                    .put("peak_rss_over_weights", peak > 0 ? (double) peak / weightBytes : -1.0)
                    .put("executor_peak_rss_after_build_bytes", builtPeak)
                    .put("executor_rss_after_build_bytes", builtRss)
                    .put("executor_heap_committed_before_build_bytes", MemoryProbe.max(before, MemoryProbe.Jvm::heapCommittedBytes))
                    .put("executor_heap_committed_after_build_bytes", MemoryProbe.max(built, MemoryProbe.Jvm::heapCommittedBytes))
                    .put("executor_heap_committed_bytes", MemoryProbe.max(jvms, MemoryProbe.Jvm::heapCommittedBytes))
                    .put("executor_rss_before_build_bytes", beforeRss)
                    .put("build_peak_over_weights", beforeRss > 0 ? (double) (builtPeak - beforeRss) / weightBytes : -1.0)
                    .put("broadcast_blocks", base.blocks())
                    .put("driver_peak_rss_bytes", driver[0])
                    .put("task_intra_op_threads", taskThreads)
                    .put("loss_first", log.firstLoss())
                    .put("loss_last", log.lastLoss());
        } finally {
            jsc.sc().removeSparkListener(traffic);
            if (!local) {
                jsc.setJobDescription("bench: release executor models");
                data.foreachPartition(new Release(base.id()));
            }
            ExecutorModels.release(base.id());
            base.destroy();
            data.unpersist(false);
        }
    }

    /**
     * One partition per executor is the point of the cluster runs: without waiting, the first executor
     * to register may take (and cache) every partition.
     */
    private static void awaitExecutors(JavaSparkContext jsc, int wanted, long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        int have;
        while ((have = jsc.sc().statusTracker().getExecutorInfos().length - 1) < wanted) {
            if (System.currentTimeMillis() > deadline) {
                LOG.warn("only {} of {} executors registered after {} s; partitions may share executors", have,
                        wanted, timeoutMillis / 1000);
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Frees the executors' models of a finished workload, so the next one in this application has the memory. */
    static final class Release implements org.apache.spark.api.java.function.VoidFunction<Iterator<Example>> {
        private static final long serialVersionUID = 1L;
        private final long broadcastId;

        Release(long broadcastId) {
            this.broadcastId = broadcastId;
        }

        @Override
        public void call(Iterator<Example> partition) {
            ExecutorModels.release(broadcastId);
        }
    }

    /** Waits until the listener has seen every event of the finished jobs. */
    private static void drainListeners(JavaSparkContext jsc) {
        try {
            jsc.sc().listenerBus().waitUntilEmpty(60_000);
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warn("Spark's listener bus did not drain in 60 s; traffic figures may miss tasks");
        }
    }

    /** {@code spark-local2} for {@code local[2]}, {@code spark-standalone-2exec} on a 2-executor cluster. */
    static String impl(String master, int executors) {
        if (master.startsWith("local")) {
            String n = master.replaceAll("[^0-9*]", "");
            return "spark-local" + (n.isEmpty() ? "1" : n.equals("*")
                    ? Integer.toString(Runtime.getRuntime().availableProcessors()) : n);
        }
        String kind = master.startsWith("spark://") ? "standalone" : master.replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
        return "spark-" + kind + "-" + executors + "exec";
    }

    /** Builds each executor's model once, before timing, and caches the partitions. */
    static final class Materialise implements FlatMapFunction<Iterator<Example>, Integer> {
        private static final long serialVersionUID = 1L;
        private final BroadcastWeights base;
        private final TaskModelFactory factory;

        Materialise(BroadcastWeights base, TaskModelFactory factory) {
            this.base = base;
            this.factory = factory;
        }

        @Override
        public Iterator<Integer> call(Iterator<Example> partition) {
            int n = 0;
            while (partition.hasNext()) {
                partition.next();
                n++;
            }
            ExecutorModels.withModel(base, factory, h -> null);
            return List.of(n).iterator();
        }
    }
}
