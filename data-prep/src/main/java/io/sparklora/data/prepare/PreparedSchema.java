package io.sparklora.data.prepare;

import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Parquet layout written by {@link PrepareJob} and read by training and evaluation. Keep it stable.
 *
 * <p>Layout on disk: {@code <output>/task=<task>/split=<split>/part-*.parquet} (Hive-style partitions, so
 * {@code spark.read().parquet(output)} yields {@code task} and {@code split} columns; filter on them), and
 * the rejects in {@code <output>/_rejects/task=<task>/split=<split>/} (hidden from partition discovery by
 * the leading underscore). Rows are not padded: the batcher pads.
 *
 * <table>
 *   <caption>columns of prepared rows</caption>
 *   <tr><th>column</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>{@code task}</td><td>string</td><td>task id ({@code sst2}, {@code stsb}, {@code e2e}, ...); partition</td></tr>
 *   <tr><td>{@code split}</td><td>string</td><td>{@code train}, {@code dev}, {@code dev_matched}, {@code test}, ...; partition</td></tr>
 *   <tr><td>{@code example_id}</td><td>long</td><td>0-based index of the record in its source file (header
 *       excluded, rejected records counted), so ids do not move when a row is rejected. With one file per
 *       split (the usual case) it is unique within (task, split); in general (task, split, source_file,
 *       example_id) is the key.</td></tr>
 *   <tr><td>{@code input_ids}</td><td>array&lt;int&gt;</td><td>token ids with the model's special tokens</td></tr>
 *   <tr><td>{@code attention_mask}</td><td>array&lt;int&gt;</td><td>all 1 (no padding stored)</td></tr>
 *   <tr><td>{@code token_type_ids}</td><td>array&lt;int&gt;</td><td>BERT segment ids 0/1; null for GPT-2/RoBERTa</td></tr>
 *   <tr><td>{@code label}</td><td>int</td><td>class id for classification tasks (index into
 *       {@code TaskDef.labels()}); null otherwise and for unlabelled test splits</td></tr>
 *   <tr><td>{@code score}</td><td>float</td><td>regression target (STS-B, 0..5); null otherwise</td></tr>
 *   <tr><td>{@code lm_labels}</td><td>array&lt;int&gt;</td><td>generation: per-position targets, already
 *       shifted ({@code lm_labels[i]} is the token to predict from position i), -1 = ignore (context, last
 *       position); see {@code LoraLmEncoder}. Null otherwise</td></tr>
 *   <tr><td>{@code prompt_length}</td><td>int</td><td>generation: number of leading context tokens (MR plus
 *       the 50256 separator), the prefix to feed when generating; null otherwise</td></tr>
 *   <tr><td>{@code prompt_id}</td><td>long</td><td>generation: index of the distinct context within the
 *       source file; rows with the same prompt_id are references of one input. Null otherwise</td></tr>
 *   <tr><td>{@code length}</td><td>int</td><td>number of tokens = size of {@code input_ids}</td></tr>
 *   <tr><td>{@code truncated}</td><td>boolean</td><td>whether tokens were cut to fit the max length</td></tr>
 *   <tr><td>{@code text_a}</td><td>string</td><td>first sentence, or the linearised context</td></tr>
 *   <tr><td>{@code text_b}</td><td>string</td><td>second sentence, or the reference; null when absent</td></tr>
 *   <tr><td>{@code source_file}</td><td>string</td><td>path of the raw file</td></tr>
 *   <tr><td>{@code source_line}</td><td>long</td><td>1-based line where the record starts</td></tr>
 * </table>
 *
 * <p>Rejects ({@link #REJECTS}): {@code task}, {@code split} (partitions), {@code file}, {@code line},
 * {@code reason}, {@code raw} (the offending text, at most 1000 characters). When nothing was rejected the
 * folder holds no Parquet file, so read it with {@code spark.read().schema(PreparedSchema.REJECTS)}.
 */
public final class PreparedSchema {

    public static final String TASK = "task";
    public static final String SPLIT = "split";
    public static final String EXAMPLE_ID = "example_id";
    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";
    public static final String LABEL = "label";
    public static final String SCORE = "score";
    public static final String LM_LABELS = "lm_labels";
    public static final String PROMPT_LENGTH = "prompt_length";
    public static final String PROMPT_ID = "prompt_id";
    public static final String LENGTH = "length";
    public static final String TRUNCATED = "truncated";
    public static final String TEXT_A = "text_a";
    public static final String TEXT_B = "text_b";
    public static final String SOURCE_FILE = "source_file";
    public static final String SOURCE_LINE = "source_line";

    public static final String REJECTS_DIR = "_rejects";
    public static final String FILE = "file";
    public static final String LINE = "line";
    public static final String REASON = "reason";
    public static final String RAW = "raw";

    /** The ignore index in {@code lm_labels} (microsoft/LoRA's). */
    public static final int IGNORE_INDEX = -1;

    private static final DataType INTS = DataTypes.createArrayType(DataTypes.IntegerType, false);

    /** Prepared rows, partition columns included (they come first). */
    public static final StructType PREPARED = new StructType(new StructField[] {
        field(TASK, DataTypes.StringType, false),
        field(SPLIT, DataTypes.StringType, false),
        field(EXAMPLE_ID, DataTypes.LongType, false),
        field(INPUT_IDS, INTS, false),
        field(ATTENTION_MASK, INTS, false),
        field(TOKEN_TYPE_IDS, INTS, true),
        field(LABEL, DataTypes.IntegerType, true),
        field(SCORE, DataTypes.FloatType, true),
        field(LM_LABELS, INTS, true),
        field(PROMPT_LENGTH, DataTypes.IntegerType, true),
        field(PROMPT_ID, DataTypes.LongType, true),
        field(LENGTH, DataTypes.IntegerType, false),
        field(TRUNCATED, DataTypes.BooleanType, false),
        field(TEXT_A, DataTypes.StringType, false),
        field(TEXT_B, DataTypes.StringType, true),
        field(SOURCE_FILE, DataTypes.StringType, false),
        field(SOURCE_LINE, DataTypes.LongType, false),
    });

    /** Reject rows, partition columns included. */
    public static final StructType REJECTS = new StructType(new StructField[] {
        field(TASK, DataTypes.StringType, false),
        field(SPLIT, DataTypes.StringType, false),
        field(FILE, DataTypes.StringType, false),
        field(LINE, DataTypes.LongType, false),
        field(REASON, DataTypes.StringType, false),
        field(RAW, DataTypes.StringType, true),
    });

    public static final List<String> PARTITION_COLUMNS = List.of(TASK, SPLIT);

    private PreparedSchema() {}

    private static StructField field(String name, DataType type, boolean nullable) {
        return DataTypes.createStructField(name, type, nullable);
    }
}
