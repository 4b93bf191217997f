package io.sparklora.data.prepare;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/** Reading what {@link PrepareJob} wrote. */
public final class PreparedData {

    private PreparedData() {}

    /** The prepared rows of one task and split, with every {@link PreparedSchema#PREPARED} column. */
    public static Dataset<Row> read(SparkSession spark, String output, String task, String split) {
        if (task == null || split == null) {
            throw new IllegalArgumentException("task and split are required");
        }
        return spark.read().schema(PreparedSchema.PREPARED).parquet(output)
                .where(functions.col(PreparedSchema.TASK).equalTo(task)
                        .and(functions.col(PreparedSchema.SPLIT).equalTo(split)));
    }

    /** The rejects of every task and split under {@code output} (empty when nothing was rejected). */
    public static Dataset<Row> rejects(SparkSession spark, String output) {
        return spark.read().schema(PreparedSchema.REJECTS)
                .parquet(new org.apache.hadoop.fs.Path(output, PreparedSchema.REJECTS_DIR).toString());
    }
}
