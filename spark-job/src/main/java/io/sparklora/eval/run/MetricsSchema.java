package io.sparklora.eval.run;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The metrics table, one row per (evaluation or training report, metric), appended under
 * {@code <output>/metrics/} by {@link MetricsWriter}; evaluation metrics and training losses share it.
 *
 * <table>
 *   <caption>metrics columns</caption>
 *   <tr><th>column</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>{@code run_id}</td><td>string</td><td>the job run that wrote the row</td></tr>
 *   <tr><td>{@code task}</td><td>string</td><td>task id ({@code sst2}, {@code e2e}, ...)</td></tr>
 *   <tr><td>{@code adapter}</td><td>string</td><td>adapter name (LoRA settings or user label)</td></tr>
 *   <tr><td>{@code step}</td><td>long</td><td>optimizer steps done when measured</td></tr>
 *   <tr><td>{@code epoch}</td><td>int</td><td>epoch of that step (0-based)</td></tr>
 *   <tr><td>{@code split}</td><td>string</td><td>{@code train}, {@code dev}, {@code test}, ...</td></tr>
 *   <tr><td>{@code metric}</td><td>string</td><td>{@code accuracy}, {@code BLEU}, {@code loss}, ...</td></tr>
 *   <tr><td>{@code value}</td><td>double</td><td>the value (BLEU and ROUGE_L as fractions)</td></tr>
 *   <tr><td>{@code time}</td><td>timestamp</td><td>when it was measured</td></tr>
 * </table>
 */
public final class MetricsSchema {
    public static final String DIR = "metrics";

    public static final String RUN_ID = "run_id";
    public static final String TASK = "task";
    public static final String ADAPTER = "adapter";
    public static final String STEP = "step";
    public static final String EPOCH = "epoch";
    public static final String SPLIT = "split";
    public static final String METRIC = "metric";
    public static final String VALUE = "value";
    public static final String TIME = "time";

    public static final StructType SCHEMA = new StructType(new StructField[] {
        field(RUN_ID, DataTypes.StringType),
        field(TASK, DataTypes.StringType),
        field(ADAPTER, DataTypes.StringType),
        field(STEP, DataTypes.LongType),
        field(EPOCH, DataTypes.IntegerType),
        field(SPLIT, DataTypes.StringType),
        field(METRIC, DataTypes.StringType),
        field(VALUE, DataTypes.DoubleType),
        field(TIME, DataTypes.TimestampType),
    });

    private MetricsSchema() {}

    private static StructField field(String name, DataType type) {
        return DataTypes.createStructField(name, type, false);
    }
}
