package io.sparklora.job.run;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/** The metrics table: one row per (run, task, adapter, step, split, metric), appended as Parquet. */
public final class MetricsParquet {
    private MetricsParquet() {}

    public static final StructType SCHEMA = new StructType()
            .add("run_id", DataTypes.StringType, false)
            .add("task", DataTypes.StringType, false)
            .add("adapter", DataTypes.StringType, false)
            .add("step", DataTypes.LongType, false)
            .add("epoch", DataTypes.IntegerType, false)
            .add("split", DataTypes.StringType, false)
            .add("metric", DataTypes.StringType, false)
            .add("value", DataTypes.DoubleType, false)
            .add("time", DataTypes.TimestampType, false);

    /** One metric value. */
    public record Row(String runId, String task, String adapter, long step, int epoch, String split, String metric,
                      double value, long timeMillis) {}

    public static void append(SparkSession spark, String path, List<Row> rows) {
        List<org.apache.spark.sql.Row> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(RowFactory.create(r.runId(), r.task(), r.adapter(), r.step(), r.epoch(), r.split(), r.metric(),
                    r.value(), new Timestamp(r.timeMillis())));
        }
        Dataset<org.apache.spark.sql.Row> df = spark.createDataFrame(out, SCHEMA).coalesce(1);
        df.write().mode(SaveMode.Append).parquet(path);
    }
}
