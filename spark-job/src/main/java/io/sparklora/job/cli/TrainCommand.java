package io.sparklora.job.cli;

import io.sparklora.job.config.TrainConfig;
import io.sparklora.job.run.SplitEvaluation;
import io.sparklora.job.run.TrainJob;
import io.sparklora.job.spark.SparkSetup;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code sparklora train}: LoRA adapters trained with Spark, as the job config says. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train LoRA adapters (one task, or several in the same steps) on prepared data (config: HOCON, see conf/*.conf and sparklora-defaults.conf).")
public final class TrainCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, description = "Job config file (HOCON).")
    File config;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "Override a config key, e.g. -D train.lr=1e-4 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--run-id", description = "Run id (same as -D run-id=...), e.g. the schedule date.")
    String runId;

    @Option(names = "--resume", description = "Continue the run from its newest complete checkpoint.")
    boolean resume;

    @Option(names = "--overwrite", description = "Delete an existing run with this id and start again.")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        if (resume && overwrite) {
            throw new ExitCodes.BadConfigException("--resume and --overwrite exclude each other");
        }
        List<String> all = new ArrayList<>(overrides);
        if (runId != null) {
            all.add("run-id=" + runId);
        }
        TrainConfig cfg = TrainConfig.load(config, all);
        SparkSession spark = SparkSetup.session("sparklora train " + cfg.runId());
        try {
            // Evaluation on the eval split after training (and every train.eval-every steps); "none" skips it.
            TrainJob.Evaluation evaluation = "none".equals(cfg.evalSplit()) ? null : new SplitEvaluation();
            TrainJob.Result r = new TrainJob(cfg, resume, overwrite, evaluation,
                    System.console() != null ? System.err : null).run(spark);
            if (r.alreadyFinished()) {
                System.out.println("run " + cfg.runId() + " had already finished: " + r.runDir());
                return SparkloraCli.EXIT_OK;
            }
            System.out.printf(Locale.ROOT, "trained %d adapter(s) in %.0f s%n", r.adapters().size(), r.seconds());
            for (TrainJob.AdapterResult a : r.adapters()) {
                System.out.printf(Locale.ROOT, "%s (%s): %d steps, final loss %.4f%n", a.adapter(), a.task(), a.steps(),
                        a.lastLoss());
                a.metrics().forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-12s %.4f%n", k, v));
                System.out.println("  adapter: " + a.finalAdapter());
            }
            System.out.println("metrics: " + cfg.output() + "/metrics (Parquet)");
            System.out.println("run:     " + r.runDir());
            return SparkloraCli.EXIT_OK;
        } finally {
            spark.stop();
        }
    }
}
