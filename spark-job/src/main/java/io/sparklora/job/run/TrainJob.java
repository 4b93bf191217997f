package io.sparklora.job.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparklora.data.prepare.PreparedSchema;
import io.sparklora.data.task.TaskDef;
import io.sparklora.data.task.TaskType;
import io.sparklora.data.task.Tasks;
import io.sparklora.eval.run.MetricRow;
import io.sparklora.eval.run.MetricsWriter;
import io.sparklora.job.cli.ExitCodes.BadConfigException;
import io.sparklora.job.cli.ExitCodes.BadInputException;
import io.sparklora.job.config.TrainConfig;
import io.sparklora.job.dist.ExecutorModels;
import io.sparklora.job.dist.FrozenWeights;
import io.sparklora.job.dist.ModelSpecFactory;
import io.sparklora.job.train.StepReport;
import io.sparklora.job.train.TrainSettings;
import io.sparklora.job.train.TrainState;
import io.sparklora.job.train.Trainers;
import io.sparklora.model.io.HfModelDir;
import io.sparklora.model.io.Storage;
import io.sparklora.model.peft.PeftAdapter;
import io.sparklora.model.task.Example;
import io.sparklora.model.task.ModelSpec;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code train} job: everything checked before Spark runs, base weights broadcast once, the
 * distributed loop with checkpoints, then the final adapter, the evaluation, metrics and markers.
 */
public final class TrainJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Evaluates the current adapter on the eval split; returns metric name to value. */
    @FunctionalInterface
    public interface Evaluation {
        Map<String, Double> evaluate(Context context, TrainState state, long step);
    }

    /** What an evaluation needs from the running job. */
    public record Context(SparkSession spark, JavaSparkContext jsc, TrainConfig config, TaskDef task,
                          Broadcast<FrozenWeights> base, ModelSpecFactory factory, RunLayout layout, long stepsPerEpoch) {}

    /** The outcome, for the CLI and the summary file. */
    public record Result(String runDir, String finalAdapter, long steps, double lastLoss, Map<String, Double> metrics,
                         double seconds, boolean alreadyFinished) {}

    private final TrainConfig cfg;
    private final boolean resume;
    private final boolean overwrite;
    private final Evaluation evaluation;
    private final PrintStream console;

    public TrainJob(TrainConfig cfg, boolean resume, boolean overwrite, Evaluation evaluation, PrintStream console) {
        this.cfg = cfg;
        this.resume = resume;
        this.overwrite = overwrite;
        this.evaluation = evaluation;
        this.console = console;
    }

    public Result run(SparkSession spark) throws IOException {
        long t0 = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
        TaskDef task = task(cfg.task());
        RunLayout layout = new RunLayout(cfg.output(), cfg.runId(), task.id());

        if (storage.exists(layout.success())) {
            if (resume) {
                LOG.info("run {} already finished ({}); nothing to resume", cfg.runId(), layout.success());
                return new Result(layout.runDir(), layout.adapters() + "/final", 0, Double.NaN, Map.of(), 0, true);
            }
            if (!overwrite) {
                throw new BadConfigException("run " + cfg.runId() + " already finished in " + layout.runDir()
                        + "; use another run-id, --resume (no-op) or --overwrite");
            }
        }
        if (overwrite && storage.exists(layout.runDir())) {
            storage.delete(layout.runDir(), true);
        } else if (!resume && storage.exists(layout.adapters())) {
            throw new BadConfigException("run " + cfg.runId() + " has started before (" + layout.adapters()
                    + " exists); pass --resume to continue it or --overwrite to start again");
        }

        // Everything that can be wrong with the config or the model fails here, before any Spark job.
        if (!storage.exists(cfg.modelPath())) {
            throw new BadConfigException("config key 'sparklora.model.path': " + cfg.modelPath() + " does not exist");
        }
        ModelSpec spec;
        FrozenWeights frozen;
        try (HfModelDir model = HfModelDir.open(storage, cfg.modelPath())) {
            spec = new ModelSpec(cfg.family(), model.configJson(), cfg.lora(), numLabels(task), cfg.labelSmoothing());
            frozen = FrozenWeights.from(model.tensors());
        } catch (IOException | UncheckedIOException e) {
            throw new BadInputException("model " + cfg.modelPath() + ": " + e.getMessage(), e);
        }
        ModelSpecFactory factory = new ModelSpecFactory(spec);
        TrainSettings probe = cfg.settings(1);
        TrainState state;
        try {
            state = Trainers.initialState(frozen, factory, probe);
        } catch (IllegalArgumentException e) {
            throw new BadConfigException("model " + cfg.modelPath() + " with the lora settings: " + e.getMessage());
        }

        storage.writeAtomically(layout.configFile(), true,
                out -> out.write(cfg.renderMasked().getBytes(StandardCharsets.UTF_8)));

        JavaRDD<Example> data = TrainingData.load(spark, cfg.preparedData(), task.id(), cfg.trainSplit(), target(task));
        int partitions = cfg.partitions() > 0 ? cfg.partitions() : jsc.defaultParallelism();
        data = data.repartition(partitions).persist(StorageLevel.MEMORY_AND_DISK());
        long n = data.count();
        if (n == 0) {
            throw new BadInputException("split " + cfg.trainSplit() + " of " + task.id() + " in " + cfg.preparedData() + " is empty");
        }
        long stepsPerEpoch = (n + probe.globalBatch() - 1) / probe.globalBatch();
        long total = cfg.maxSteps() > 0 ? cfg.maxSteps() : stepsPerEpoch * cfg.epochs();
        TrainSettings settings = cfg.settings(total);
        // The probe state carried the layout and initial values; the optimizer needs the real settings.
        state = TrainState.fresh(state.layout, state.params, settings);
        PeftAdapter.Meta meta = new PeftAdapter.Meta(cfg.modelPath(),
                task.type() == TaskType.GENERATION ? "CAUSAL_LM" : "SEQ_CLS", spec.family() == ModelSpec.Family.GPT2);
        CheckpointStore checkpoints = new CheckpointStore(storage, layout.adapters(), spec.lora(), meta);
        if (resume) {
            Optional<CheckpointStore.Restored> restored = checkpoints.latest(state.layout);
            if (restored.isPresent()) {
                TrainStateIo.restore(state, restored.get());
                LOG.info("resuming run {} from {} (step {})", cfg.runId(), restored.get().path(), state.step);
            } else {
                LOG.info("no complete checkpoint in {}; starting run {} from step 0", layout.adapters(), cfg.runId());
            }
        }
        LOG.info("{} examples of {} in {} partitions; {} steps of {} examples", n, task.id(), partitions, total,
                settings.globalBatch());

        Broadcast<FrozenWeights> base = jsc.broadcast(frozen);
        frozen = null; // the broadcast holds the driver's copy from here on
        Context ctx = new Context(spark, jsc, cfg, task, base, factory, layout, stepsPerEpoch);
        MetricRows metrics = new MetricRows(cfg.runId(), task.id(), cfg.runId());
        ProgressLog progress = new ProgressLog(settings.logEvery(), console);
        double[] lastLoss = {Double.NaN};
        Map<String, Double> finalMetrics = new LinkedHashMap<>();
        try {
            long firstStep = state.step + 1;
            Trainers.spark(jsc, data, n, base, factory, settings, state, (report, st) -> {
                if (report.step() == firstStep) {
                    // Every executor has materialised the model: drop their host copies of the weights.
                    // The driver keeps its copy, so an executor started later can still fetch them.
                    base.unpersist(false);
                }
                progress.onStep(report);
                lastLoss[0] = report.loss();
                metrics.training(report);
                try {
                    if (cfg.checkpointEvery() > 0 && report.step() % cfg.checkpointEvery() == 0
                            && report.step() < report.totalSteps()) {
                        checkpoints.write(CheckpointStore.stepName(report.step()), st, true, info(report));
                        metrics.flush(spark, cfg.output());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (evaluation != null && cfg.evalEvery() > 0 && report.step() % cfg.evalEvery() == 0
                        && report.step() < report.totalSteps()) {
                    LOG.info("{} at step {}: {}", cfg.evalSplit(), report.step(), evaluation.evaluate(ctx, st, report.step()));
                }
            });
            String finalDir = checkpoints.write("final", state, true, Map.of("step", state.step));
            metrics.flush(spark, cfg.output());
            if (evaluation != null) {
                finalMetrics.putAll(evaluation.evaluate(ctx, state, state.step));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Result result = new Result(layout.runDir(), finalDir, state.step, lastLoss[0], finalMetrics, seconds, false);
            writeSummary(storage, layout, result);
            storage.writeAtomically(layout.success(), true, out -> { });
            return result;
        } finally {
            ExecutorModels.release(base.id());
            base.destroy();
            data.unpersist();
        }
    }

    private static Map<String, Object> info(StepReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", r.epoch());
        m.put("loss", r.loss());
        m.put("learning_rate", r.lr());
        m.put("data_position", "global step " + r.step() + " (batches derive from seed, epoch and step)");
        return m;
    }

    private static void writeSummary(Storage storage, RunLayout layout, Result r) throws IOException {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("run_dir", r.runDir());
        s.put("final_adapter", r.finalAdapter());
        s.put("steps", r.steps());
        s.put("final_train_loss", r.lastLoss());
        s.put("metrics", r.metrics());
        s.put("seconds", r.seconds());
        s.put("finished", Instant.now().toString());
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(s);
        storage.writeAtomically(layout.summary(), true, out -> out.write(bytes));
    }

    static TaskDef task(String name) {
        try {
            return Tasks.byName(name);
        } catch (IllegalArgumentException e) {
            throw new BadConfigException("config key 'sparklora.task': " + e.getMessage());
        }
    }

    static int numLabels(TaskDef task) {
        switch (task.type()) {
            case CLASSIFICATION:
                return task.numLabels();
            case REGRESSION:
                return 1;
            default:
                return 0;
        }
    }

    static String target(TaskDef task) {
        switch (task.type()) {
            case CLASSIFICATION:
                return PreparedSchema.LABEL;
            case REGRESSION:
                return PreparedSchema.SCORE;
            default:
                return PreparedSchema.LM_LABELS;
        }
    }

    /** Training rows gathered on the driver and appended to the metrics Parquet now and then. */
    static final class MetricRows {
        private final String runId;
        private final String task;
        private final String adapter;
        private final List<MetricRow> pending = new ArrayList<>();

        MetricRows(String runId, String task, String adapter) {
            this.runId = runId;
            this.task = task;
            this.adapter = adapter;
        }

        void training(StepReport r) {
            Instant now = Instant.now();
            pending.add(new MetricRow(runId, task, adapter, r.step(), r.epoch(), "train", "loss", r.loss(), now));
            pending.add(new MetricRow(runId, task, adapter, r.step(), r.epoch(), "train", "learning_rate", r.lr(), now));
            pending.add(new MetricRow(runId, task, adapter, r.step(), r.epoch(), "train", "tokens_per_second",
                    r.tokensPerSecond(), now));
        }

        void flush(SparkSession spark, String output) {
            if (!pending.isEmpty()) {
                MetricsWriter.append(spark, output, pending);
                pending.clear();
            }
        }
    }
}
