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
import io.sparklora.job.dist.AdapterTask;
import io.sparklora.job.dist.BatchPlan;
import io.sparklora.job.dist.ExecutorModels;
import io.sparklora.job.dist.BroadcastWeights;
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
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code train} job: everything checked before Spark runs, each base model broadcast once, the
 * distributed loop with checkpoints, then the final adapters, the evaluation, metrics and markers.
 * A job trains one adapter or several ({@code sparklora.tasks}) in the same steps.
 */
public final class TrainJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Evaluates the current adapter on the eval split; returns metric name to value. */
    @FunctionalInterface
    public interface Evaluation {
        Map<String, Double> evaluate(Context context, TrainState state, long step);
    }

    /** What an evaluation needs from the running job, for one adapter. */
    public record Context(SparkSession spark, JavaSparkContext jsc, TrainConfig config, TaskDef task, String adapter,
                          BroadcastWeights base, ModelSpecFactory factory, RunLayout layout, long stepsPerEpoch) {}

    /** One adapter's outcome. */
    public record AdapterResult(String adapter, String task, String finalAdapter, long steps, double lastLoss,
                                Map<String, Double> metrics) {}

    /** The outcome, for the CLI and the summary file. */
    public record Result(String runDir, List<AdapterResult> adapters, double seconds, boolean alreadyFinished) {
        /** The first (or only) adapter's final directory. */
        public String finalAdapter() {
            return adapters.get(0).finalAdapter();
        }

        public long steps() {
            return adapters.get(0).steps();
        }

        public double lastLoss() {
            return adapters.get(0).lastLoss();
        }

        public Map<String, Double> metrics() {
            return adapters.get(0).metrics();
        }
    }

    private final TrainConfig cfg;
    private final boolean resume;
    private final boolean overwrite;
    private final Evaluation evaluation;
    private final PrintStream console;

    public TrainJob(TrainConfig cfg, boolean resume, boolean overwrite, Evaluation evaluation, PrintStream console) {
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        this.resume = resume;
        this.overwrite = overwrite;
        this.evaluation = evaluation;
        this.console = console;
    }

    /** One adapter on the driver: its config, model, state, checkpoints and metric rows. */
    private static final class Run {
        final TrainConfig cfg;
        final TaskDef task;
        final String name;
        ModelSpecFactory factory;
        TrainState state;
        TrainSettings settings;
        long examples;
        long stepsPerEpoch;
        CheckpointStore checkpoints;
        MetricRows metrics;
        ProgressLog progress;
        Context context;
        String finalDir;
        double lastLoss = Double.NaN;
        final Map<String, Double> finalMetrics = new LinkedHashMap<>();

        Run(TrainConfig cfg) {
            this.cfg = cfg;
            this.task = task(cfg.task());
            this.name = cfg.adapterName();
        }
    }

    public Result run(SparkSession spark) throws IOException {
        long t0 = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Storage storage = new Storage(spark.sparkContext().hadoopConfiguration());
        List<Run> runs = cfg.adapters().stream().map(Run::new).toList();
        RunLayout layout = new RunLayout(cfg.output(), cfg.runId());

        if (storage.exists(layout.success())) {
            if (resume) {
                LOG.info("run {} already finished ({}); nothing to resume", cfg.runId(), layout.success());
                List<AdapterResult> done = runs.stream().map(r -> new AdapterResult(r.name, r.task.id(),
                        layout.adapters(r.name) + "/final", 0, Double.NaN, Map.of())).toList();
                return new Result(layout.runDir(), done, 0, true);
            }
            if (!overwrite) {
                throw new BadConfigException("run " + cfg.runId() + " already finished in " + layout.runDir()
                        + "; use another run-id, --resume (no-op) or --overwrite");
            }
        }
        if (overwrite && storage.exists(layout.runDir())) {
            storage.delete(layout.runDir(), true);
        } else if (!resume && storage.exists(layout.runDir() + "/adapters")) {
            throw new BadConfigException("run " + cfg.runId() + " has started before (" + layout.runDir()
                    + "/adapters exists); pass --resume to continue it or --overwrite to start again");
        }

        // Everything that can be wrong with the config or the models fails here, before any Spark job.
        // Adapters of the same model path share its weights (one copy on the driver, one broadcast).
        Map<String, FrozenWeights> weights = new LinkedHashMap<>();
        for (Run r : runs) {
            String path = r.cfg.modelPath();
            if (!storage.exists(path)) {
                throw new BadConfigException("config key 'sparklora.model.path' of adapter " + r.name + ": " + path
                        + " does not exist");
            }
            ModelSpec spec;
            try (HfModelDir model = HfModelDir.open(storage, path)) {
                spec = new ModelSpec(r.cfg.family(), model.configJson(), r.cfg.lora(), numLabels(r.task),
                        r.cfg.labelSmoothing());
                if (!weights.containsKey(path)) {
                    weights.put(path, FrozenWeights.from(model.tensors()));
                }
            } catch (IOException | UncheckedIOException e) {
                throw new BadInputException("model " + path + ": " + e.getMessage(), e);
            }
            r.factory = new ModelSpecFactory(spec);
            try {
                r.state = Trainers.initialState(weights.get(path), r.factory, r.cfg.settings(1));
            } catch (IllegalArgumentException e) {
                throw new BadConfigException("model " + path + " with the lora settings of adapter " + r.name + ": "
                        + e.getMessage());
            }
        }

        storage.writeAtomically(layout.configFile(), true,
                out -> out.write(cfg.renderMasked().getBytes(StandardCharsets.UTF_8)));

        JavaRDD<Tuple2<Integer, Example>> data = null;
        for (int k = 0; k < runs.size(); k++) {
            TrainConfig c = runs.get(k).cfg;
            int index = k;
            JavaRDD<Tuple2<Integer, Example>> tagged = TrainingData.load(spark, c.preparedData(), runs.get(k).task.id(),
                    c.trainSplit(), target(runs.get(k).task)).map(e -> new Tuple2<>(index, e));
            data = data == null ? tagged : data.union(tagged);
        }
        int partitions = cfg.partitions() > 0 ? cfg.partitions() : jsc.defaultParallelism();
        // Two copies on a cluster: the partitions come from a round-robin shuffle whose recomputation
        // Spark refuses mid-job (an indeterminate stage), so a lost executor must not lose the only copy.
        data = data.repartition(partitions).persist(jsc.isLocal() ? StorageLevel.MEMORY_AND_DISK()
                : StorageLevel.MEMORY_AND_DISK_2());
        Map<String, BroadcastWeights> bases = new LinkedHashMap<>();
        try {
            Map<Integer, Long> counts = data.map(Tuple2::_1).countByValue();
            List<Trainers.Adapter> adapters = new ArrayList<>();
            for (int k = 0; k < runs.size(); k++) {
                Run r = runs.get(k);
                r.examples = counts.getOrDefault(k, 0L);
                if (r.examples == 0) {
                    throw new BadInputException("split " + r.cfg.trainSplit() + " of " + r.task.id() + " in "
                            + r.cfg.preparedData() + " is empty");
                }
                prepare(r, storage, layout, partitions);
                String path = r.cfg.modelPath();
                BroadcastWeights base = bases.computeIfAbsent(path, p -> BroadcastWeights.of(jsc, weights.get(p)));
                r.context = new Context(spark, jsc, r.cfg, r.task, r.name, base, r.factory, layout, r.stepsPerEpoch);
                adapters.add(new Trainers.Adapter(new AdapterTask(base, r.factory, r.state.layout,
                        new BatchPlan(r.examples, r.settings.globalBatch(), r.settings.seed()), r.settings.microBatch(),
                        r.settings.seed()), r.settings, r.state));
            }
            weights.clear(); // the broadcasts hold the driver's copies from here on
            boolean[] unpersisted = {false};
            Trainers.spark(jsc, data, adapters, (k, report, st) -> {
                if (!unpersisted[0]) {
                    // Every executor has materialised its models: drop their host copies of the weights.
                    // The driver keeps its copy, so an executor started later can still fetch them.
                    bases.values().forEach(b -> b.unpersist());
                    unpersisted[0] = true;
                }
                onStep(runs.get(k), report, st, spark);
            });
            for (Run r : runs) {
                if (r.finalDir == null) {
                    r.finalDir = r.checkpoints.write("final", r.state, true, Map.of("step", r.state.step));
                }
                r.metrics.flush(spark, cfg.output());
            }
            if (evaluation != null) {
                for (Run r : runs) {
                    r.finalMetrics.putAll(evaluation.evaluate(r.context, r.state, r.state.step));
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<AdapterResult> results = runs.stream().map(r -> new AdapterResult(r.name, r.task.id(), r.finalDir,
                    r.state.step, r.lastLoss, r.finalMetrics)).toList();
            Result result = new Result(layout.runDir(), results, seconds, false);
            writeSummary(storage, layout, result);
            storage.writeAtomically(layout.success(), true, out -> { });
            return result;
        } finally {
            for (BroadcastWeights b : bases.values()) {
                ExecutorModels.release(b.id());
                b.destroy();
            }
            data.unpersist();
        }
    }

    /** Settings, fresh or resumed state, checkpoint store and progress of one adapter. */
    private void prepare(Run r, Storage storage, RunLayout layout, int partitions) throws IOException {
        TrainSettings probe = r.cfg.settings(1);
        r.stepsPerEpoch = (r.examples + probe.globalBatch() - 1) / probe.globalBatch();
        long total = r.cfg.maxSteps() > 0 ? r.cfg.maxSteps() : r.stepsPerEpoch * r.cfg.epochs();
        r.settings = r.cfg.settings(total);
        // The probe state carried the layout and initial values; the optimizer needs the real settings.
        r.state = TrainState.fresh(r.state.layout, r.state.params, r.settings);
        ModelSpec spec = r.factory.spec();
        PeftAdapter.Meta meta = new PeftAdapter.Meta(r.cfg.modelPath(),
                r.task.type() == TaskType.GENERATION ? "CAUSAL_LM" : "SEQ_CLS", spec.family() == ModelSpec.Family.GPT2);
        r.checkpoints = new CheckpointStore(storage, layout.adapters(r.name), spec.lora(), meta);
        if (resume) {
            Optional<CheckpointStore.Restored> restored = r.checkpoints.latest(r.state.layout);
            if (restored.isPresent()) {
                TrainStateIo.restore(r.state, restored.get());
                if (restored.get().path().endsWith("/final")) {
                    r.finalDir = restored.get().path();
                }
                LOG.info("resuming adapter {} of run {} from {} (step {})", r.name, cfg.runId(), restored.get().path(),
                        r.state.step);
            } else {
                LOG.info("no complete checkpoint in {}; adapter {} starts from step 0", layout.adapters(r.name), r.name);
            }
        }
        r.metrics = new MetricRows(cfg.runId(), r.task.id(), r.name);
        r.progress = new ProgressLog(r.settings.logEvery(), console, r.name);
        LOG.info("adapter {}: {} examples of {}, {} partitions; {} steps of {} examples", r.name, r.examples,
                r.task.id(), partitions, total, r.settings.globalBatch());
    }

    private void onStep(Run r, StepReport report, TrainState st, SparkSession spark) {
        r.progress.onStep(report);
        r.lastLoss = report.loss();
        r.metrics.training(report);
        try {
            if (report.step() == report.totalSteps()) {
                // Written as soon as the adapter is done, so a later failure of another adapter loses nothing.
                r.finalDir = r.checkpoints.write("final", st, true, Map.of("step", st.step));
            } else if (r.cfg.checkpointEvery() > 0 && report.step() % r.cfg.checkpointEvery() == 0) {
                r.checkpoints.write(CheckpointStore.stepName(report.step()), st, true, info(report));
                r.metrics.flush(spark, cfg.output());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (evaluation != null && r.cfg.evalEvery() > 0 && report.step() % r.cfg.evalEvery() == 0
                && report.step() < report.totalSteps()) {
            LOG.info("{} {} at step {}: {}", r.name, r.cfg.evalSplit(), report.step(),
                    evaluation.evaluate(r.context, st, report.step()));
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
        if (r.adapters().size() == 1) {
            s.put("final_adapter", r.finalAdapter());
            s.put("steps", r.steps());
            s.put("final_train_loss", r.lastLoss());
            s.put("metrics", r.metrics());
        }
        List<Map<String, Object>> adapters = new ArrayList<>();
        for (AdapterResult a : r.adapters()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("adapter", a.adapter());
            m.put("task", a.task());
            m.put("final_adapter", a.finalAdapter());
            m.put("steps", a.steps());
            m.put("final_train_loss", a.lastLoss());
            m.put("metrics", a.metrics());
            adapters.add(m);
        }
        s.put("adapters", adapters);
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
