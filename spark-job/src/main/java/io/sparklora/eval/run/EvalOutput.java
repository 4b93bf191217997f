package io.sparklora.eval.run;

import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a job's evaluations go: each call appends the evaluation's metric rows to
 * {@code <output>/metrics/} and writes its predictions to {@code <output>/predictions/...}, and returns
 * the metric rows so the job can print {@link MetricsTable#format} at the end.
 */
public final class EvalOutput {
    private static final Logger LOG = LoggerFactory.getLogger(EvalOutput.class);

    private final SparkSession spark;
    private final String outputPath;
    private final String runId;
    private final String adapter;

    public EvalOutput(SparkSession spark, String outputPath, String runId, String adapter) {
        this.spark = Objects.requireNonNull(spark, "spark");
        if (outputPath == null || outputPath.isBlank()) {
            throw new IllegalArgumentException("output path is empty");
        }
        if (runId == null || runId.isBlank() || adapter == null || adapter.isBlank()) {
            throw new IllegalArgumentException("run id and adapter name must not be empty");
        }
        this.outputPath = outputPath;
        this.runId = runId;
        this.adapter = adapter;
    }

    public List<MetricRow> write(String task, String split, long step, int epoch, ClassificationEval eval) {
        String dir = PredictionsWriter.write(spark, outputPath, task, split, step, PredictionsWriter.rows(task, eval));
        return metrics(task, split, step, epoch, eval.metrics(), dir);
    }

    public List<MetricRow> write(String task, String split, long step, int epoch, GenerationEval eval) {
        String dir = PredictionsWriter.write(spark, outputPath, task, split, step, PredictionsWriter.rows(eval));
        return metrics(task, split, step, epoch, eval.metrics(), dir);
    }

    private List<MetricRow> metrics(String task, String split, long step, int epoch, Map<String, Double> values,
                                    String predictions) {
        Instant now = Instant.now();
        List<MetricRow> rows = new ArrayList<>();
        values.forEach((m, v) -> rows.add(new MetricRow(runId, task, adapter, step, epoch, split, m, v, now)));
        MetricsWriter.append(spark, outputPath, rows);
        LOG.info("evaluation {}/{} at step {}: {} (predictions in {})", task, split, step, values, predictions);
        return rows;
    }
}
