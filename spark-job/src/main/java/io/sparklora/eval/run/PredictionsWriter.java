package io.sparklora.eval.run;

import io.sparklora.data.task.TaskDef;
import io.sparklora.data.task.Tasks;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** Writes one evaluation's predictions ({@link PredictionsSchema}), replacing an earlier write of the same step. */
public final class PredictionsWriter {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    private PredictionsWriter() {}

    /** Writes {@code rows} (built by {@link #rows}) to {@code <output>/predictions/task=/split=/step=}. */
    public static String write(SparkSession spark, String outputPath, String task, String split, long step,
                               List<Row> rows) {
        Objects.requireNonNull(spark, "spark");
        Objects.requireNonNull(rows, "rows");
        String dir = dir(outputPath, task, split, step);
        spark.createDataFrame(rows, PredictionsSchema.SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite).parquet(dir);
        return dir;
    }

    /** Every prediction under {@code outputPath}, with task, split and step columns. */
    public static Dataset<Row> read(SparkSession spark, String outputPath) {
        return spark.read().parquet(new Path(outputPath, PredictionsSchema.DIR).toString());
    }

    static String dir(String outputPath, String task, String split, long step) {
        if (outputPath == null || outputPath.isBlank()) {
            throw new IllegalArgumentException("output path is empty");
        }
        checkName(task, "task");
        checkName(split, "split");
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        return new Path(new Path(outputPath, PredictionsSchema.DIR),
                "task=" + task + "/split=" + split + "/step=" + step).toString();
    }

    /** Rows of a classification or regression evaluation; label strings are the task's own when it has them. */
    public static List<Row> rows(String task, ClassificationEval eval) {
        Objects.requireNonNull(eval, "eval");
        List<String> labels = labels(task);
        boolean regression = eval.task().isRegression();
        List<Row> out = new ArrayList<>(eval.predictions().size());
        for (ScoredExample s : eval.predictions()) {
            String prediction = regression ? Float.toString((float) s.prediction) : label(labels, s.prediction);
            List<String> refs = !s.hasLabel() ? List.of()
                    : List.of(regression ? Float.toString((float) s.label) : label(labels, s.label));
            Boolean correct = regression || !s.hasLabel() ? null : s.prediction == s.label;
            Double score = regression ? s.prediction : null;
            out.add(RowFactory.create(exampleId(s.exampleId), s.index, null, prediction,
                    scala.jdk.javaapi.CollectionConverters.asScala(refs).toSeq(), correct, score));
        }
        return out;
    }

    /** Rows of a generation evaluation. */
    public static List<Row> rows(GenerationEval eval) {
        Objects.requireNonNull(eval, "eval");
        List<Row> out = new ArrayList<>(eval.outputs().size());
        for (GeneratedText g : eval.outputs()) {
            Double score = Double.isNaN(g.sentenceBleu()) ? null : g.sentenceBleu();
            out.add(RowFactory.create(g.input().exampleId, g.input().index, g.input().context, g.hypothesis(),
                    scala.jdk.javaapi.CollectionConverters.asScala(g.references()).toSeq(), null, score));
        }
        return out;
    }

    private static List<String> labels(String task) {
        try {
            TaskDef def = Tasks.byName(task);
            return def.labels();
        } catch (IllegalArgumentException unknown) {
            return List.of();
        }
    }

    private static String label(List<String> labels, double classId) {
        int c = (int) classId;
        return c >= 0 && c < labels.size() ? labels.get(c) : Integer.toString(c);
    }

    private static long exampleId(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("example id '" + id
                    + "' is not a number; predictions are keyed by the prepared example_id (long)", e);
        }
    }

    private static void checkName(String s, String what) {
        if (s == null || !NAME.matcher(s).matches()) {
            throw new IllegalArgumentException(what + " must match [A-Za-z0-9_.-]+ to name a folder, got '" + s + "'");
        }
    }
}
