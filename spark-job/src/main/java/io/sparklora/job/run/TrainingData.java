package io.sparklora.job.run;

import io.sparklora.data.prepare.PreparedData;
import io.sparklora.data.prepare.PreparedSchema;
import io.sparklora.job.cli.ExitCodes.BadInputException;
import io.sparklora.model.task.Example;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import scala.Tuple2;

import java.util.List;

/**
 * Prepared Parquet rows as training {@link Example}s. Each row gets a stable index (its rank by
 * {@code example_id}), from which the batch order derives, so every run and partitioning sees the
 * same global batches.
 */
public final class TrainingData {
    private TrainingData() {}

    /**
     * @param target {@code label}, {@code score} or {@code lm_labels}: the column the task trains on
     * @throws BadInputException when the split is missing, empty, or lacks its targets
     */
    public static JavaRDD<Example> load(SparkSession spark, String root, String task, String split, String target) {
        Dataset<Row> rows;
        try {
            rows = PreparedData.read(spark, root, task, split);
        } catch (RuntimeException e) {
            throw new BadInputException("prepared data " + root + " (task " + task + ", split " + split
                    + ") cannot be read: " + e.getMessage() + "; run `sparklora prepare` first", e);
        }
        if (!List.of(rows.columns()).contains(target)) {
            throw new BadInputException("prepared data " + root + " has no column " + target);
        }
        long unlabelled = rows.filter(functions.col(target).isNull()).limit(1).count();
        if (unlabelled > 0) {
            throw new BadInputException("split " + split + " of task " + task + " in " + root + " has rows without "
                    + target + " (an unlabelled test split cannot be trained or evaluated on)");
        }
        Dataset<Row> ordered = rows.select(PreparedSchema.EXAMPLE_ID, PreparedSchema.INPUT_IDS,
                PreparedSchema.TOKEN_TYPE_IDS, target).orderBy(PreparedSchema.EXAMPLE_ID);
        return ordered.javaRDD().zipWithIndex().map(t -> toExample(t, target));
    }

    private static Example toExample(Tuple2<Row, Long> t, String target) {
        Row r = t._1();
        int[] ids = ints(r.getList(1));
        int[] types = r.isNullAt(2) ? null : ints(r.getList(2));
        int label = target.equals(PreparedSchema.LABEL) ? r.getInt(3) : -1;
        float score = target.equals(PreparedSchema.SCORE) ? r.getFloat(3) : Float.NaN;
        int[] lm = target.equals(PreparedSchema.LM_LABELS) ? ints(r.getList(3)) : null;
        return new Example(t._2(), String.valueOf(r.getLong(0)), ids, types, label, score, lm);
    }

    private static int[] ints(List<Object> values) {
        int[] out = new int[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) values.get(i)).intValue();
        }
        return out;
    }
}
