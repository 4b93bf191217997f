package io.sparklora.job.bench;

import io.sparklora.job.spark.SparkSetup;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code sparklora bench}: times the workloads of issue #8 (bench-common.md) and prints one
 * {@code RESULT} line each, appending the same records as JSON lines to {@code --out}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark LoRA training steps (single process or Spark) and GPT-2 generation on random weights.")
public final class BenchCommand implements Callable<Integer> {
    public enum Mode { single, spark }

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--workloads", split = ",", defaultValue = "gpt2-train,bert-train",
            description = "Comma-separated: gpt2-train, bert-train, gpt2-gen-beam1, gpt2-gen-beam10 (generation in "
                    + "single mode only; default: ${DEFAULT-VALUE}).")
    List<String> workloads;

    @Option(names = "--mode", defaultValue = "single", description = "single or spark (default: ${DEFAULT-VALUE}).")
    Mode mode;

    @Option(names = "--threads", defaultValue = "2", description = "PyTorch intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--runs", defaultValue = "5", description = "Timed steps (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--out", description = "Append the results as JSON lines to this file.")
    Path out;

    @Option(names = "--master", description = "Spark master in spark mode (default: spark-submit's master, else local[2]).")
    String master;

    @Option(names = "--partitions", defaultValue = "2", description = "Partitions of the batch in spark mode (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--micro-batch", defaultValue = "0",
            description = "Examples per forward/backward (default 0: the whole batch, per partition in spark mode).")
    int microBatch;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the weights and batches (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        if (warmup < 0 || runs <= 0 || partitions <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "need --warmup >= 0, --runs >= 1 and --partitions >= 1");
        }
        List<String> names = new ArrayList<>();
        for (String w : workloads) {
            String n = w.trim();
            boolean gen = n.startsWith("gpt2-gen-beam");
            if (gen) {
                GenerationBench.beamsOf(n);
            } else if (!n.equals(TrainWorkloads.GPT2_TRAIN) && !n.equals(TrainWorkloads.BERT_TRAIN)
                    && !n.equals(TrainWorkloads.BERT_TRAIN_FULL)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown workload '" + n
                        + "'; expected gpt2-train, bert-train, bert-train-full-last-layer or gpt2-gen-beamN");
            }
            if ((gen || n.equals(TrainWorkloads.BERT_TRAIN_FULL)) && mode == Mode.spark) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "workload " + n + " runs in --mode single only");
            }
            names.add(n);
        }
        int effective = TorchThreads.configure(threads);
        System.out.printf("bench: mode %s, threads requested %d, PyTorch intra-op %d, inter-op %d, OMP_NUM_THREADS=%s%n",
                mode, threads, effective, TorchThreads.interOp(), System.getenv("OMP_NUM_THREADS"));
        String command = "sparklora " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        ResultSink sink = new ResultSink(System.out, out, command);
        if (mode == Mode.single) {
            for (String n : names) {
                sink.emit(n.startsWith("gpt2-gen-beam")
                        ? GenerationBench.run(n, TrainWorkloads.Gpt2Shape.small(), 32, 32, threads, warmup, runs, seed)
                        : SingleBench.run(TrainWorkloads.byName(n, seed), threads, warmup, runs, microBatch));
            }
            return 0;
        }
        SparkConf conf = SparkSetup.configure(new SparkConf().setAppName("sparklora-bench"));
        // Under spark-submit its master stands; scripts/sparklora's -Dspark.master=local[*] does not.
        boolean submitted = System.getProperty("spark.submit.deployMode") != null;
        if (master != null || !submitted) {
            conf.setMaster(master != null ? master : "local[2]");
        }
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        // Executors' PyTorch threads (their JVMs do not see this one's settings).
        conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", Integer.toString(threads));
        SparkSession session = SparkSession.builder().config(conf).getOrCreate();
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(session.sparkContext());
            for (String n : names) {
                sink.emit(SparkBench.run(jsc, TrainWorkloads.byName(n, seed), partitions, threads, warmup, runs, microBatch));
            }
        } finally {
            session.stop();
        }
        return 0;
    }
}
