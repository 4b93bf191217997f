package io.sparklora.eval.run;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Per-example predictions of one evaluation, written by {@link PredictionsWriter} to
 * {@code <output>/predictions/task=<task>/split=<split>/step=<n>/} (so {@code spark.read().parquet(
 * "<output>/predictions")} adds {@code task}, {@code split} and {@code step} columns; join with the
 * prepared data on task, split and example_id to see the input text of classification examples).
 *
 * <table>
 *   <caption>predictions columns</caption>
 *   <tr><th>column</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>{@code example_id}</td><td>long</td><td>the prepared row's {@code example_id}; for generation
 *       the smallest one of the input's references</td></tr>
 *   <tr><td>{@code index}</td><td>long</td><td>position in the evaluated split (examples, or distinct
 *       inputs for generation)</td></tr>
 *   <tr><td>{@code input}</td><td>string</td><td>generation: the linearised input; null for classification</td></tr>
 *   <tr><td>{@code prediction}</td><td>string</td><td>the predicted label (the task's label string), score, or
 *       generated text</td></tr>
 *   <tr><td>{@code references}</td><td>array&lt;string&gt;</td><td>the gold label or score as one string, or
 *       every reference of the input; empty when the split has none</td></tr>
 *   <tr><td>{@code correct}</td><td>boolean</td><td>classification: prediction equals the label; null
 *       otherwise or when unlabelled</td></tr>
 *   <tr><td>{@code score}</td><td>double</td><td>regression: the predicted value; generation: sentence-level
 *       mteval BLEU against the references; null otherwise</td></tr>
 * </table>
 */
public final class PredictionsSchema {
    public static final String DIR = "predictions";

    public static final String EXAMPLE_ID = "example_id";
    public static final String INDEX = "index";
    public static final String INPUT = "input";
    public static final String PREDICTION = "prediction";
    public static final String REFERENCES = "references";
    public static final String CORRECT = "correct";
    public static final String SCORE = "score";

    public static final StructType SCHEMA = new StructType(new StructField[] {
        field(EXAMPLE_ID, DataTypes.LongType, false),
        field(INDEX, DataTypes.LongType, false),
        field(INPUT, DataTypes.StringType, true),
        field(PREDICTION, DataTypes.StringType, false),
        field(REFERENCES, DataTypes.createArrayType(DataTypes.StringType, false), false),
        field(CORRECT, DataTypes.BooleanType, true),
        field(SCORE, DataTypes.DoubleType, true),
    });

    private PredictionsSchema() {}

    private static StructField field(String name, DataType type, boolean nullable) {
        return DataTypes.createStructField(name, type, nullable);
    }
}
