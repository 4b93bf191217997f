package io.sparklora.eval.run;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Appends metric rows to {@code <output>/metrics/} (Parquet, {@link MetricsSchema}). Each call adds one
 * small file; Spark's committer makes it visible only when complete, so readers never see half a call.
 */
public final class MetricsWriter {
    private MetricsWriter() {}

    public static void append(SparkSession spark, String outputPath, List<MetricRow> rows) {
        Objects.requireNonNull(spark, "spark");
        Objects.requireNonNull(rows, "rows");
        if (outputPath == null || outputPath.isBlank()) {
            throw new IllegalArgumentException("output path is empty");
        }
        if (rows.isEmpty()) {
            return;
        }
        List<Row> data = new ArrayList<>(rows.size());
        for (MetricRow r : rows) {
            data.add(Objects.requireNonNull(r, "metric row").toRow());
        }
        spark.createDataFrame(data, MetricsSchema.SCHEMA).coalesce(1).write().mode(SaveMode.Append)
                .parquet(dir(outputPath));
    }

    /** Every metric row written under {@code outputPath}. */
    public static Dataset<Row> read(SparkSession spark, String outputPath) {
        return spark.read().schema(MetricsSchema.SCHEMA).parquet(dir(outputPath));
    }

    /** The rows as records (small tables: the driver's final summary). */
    public static List<MetricRow> readRows(SparkSession spark, String outputPath) {
        List<MetricRow> out = new ArrayList<>();
        for (Row r : read(spark, outputPath).collectAsList()) {
            out.add(MetricRow.fromRow(r));
        }
        return out;
    }

    static String dir(String outputPath) {
        return new Path(outputPath, MetricsSchema.DIR).toString();
    }
}
