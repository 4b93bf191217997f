package io.sparklora.eval.run;

import io.sparklora.data.prepare.PreparedData;
import io.sparklora.data.prepare.PreparedSchema;
import io.sparklora.data.task.TaskDef;
import io.sparklora.data.task.TaskType;
import io.sparklora.data.task.Tasks;
import io.sparklora.model.task.Example;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static org.apache.spark.sql.functions.col;

/**
 * One task split of the prepared Parquet ({@link PreparedSchema}) as model inputs: {@link Example}s for
 * training and classification, or {@link PromptGroup}s (one per distinct input, all its references
 * attached) for generation. Example {@code index} is the row's position in (source_file, example_id)
 * order, 0..n-1, so the training job's data order and the evaluation's keys are the same on any cluster.
 */
public final class EvalData {
    static final String PROMPTS = "prompts";
    static final String CONTEXTS = "contexts";
    static final String FIRST_ID = "first_id";
    static final String REFS = "refs";

    private final String root;
    private final TaskDef task;
    private final String split;
    private final Dataset<Row> rows;
    private final long count;

    private EvalData(String root, TaskDef task, String split, Dataset<Row> rows, long count) {
        this.root = root;
        this.task = task;
        this.split = split;
        this.rows = rows;
        this.count = count;
    }

    /**
     * Reads the rows of {@code task}/{@code split} under {@code preparedRoot} (what {@code prepare}
     * wrote); fails when there are none.
     */
    public static EvalData fromPrepared(SparkSession spark, String preparedRoot, String task, String split) {
        Objects.requireNonNull(spark, "spark");
        if (preparedRoot == null || preparedRoot.isBlank()) {
            throw new IllegalArgumentException("prepared data root is empty");
        }
        if (split == null || split.isBlank()) {
            throw new IllegalArgumentException("split is empty");
        }
        TaskDef def = Tasks.byName(task);
        Dataset<Row> rows = PreparedData.read(spark, preparedRoot, def.id(), split);
        long n = rows.count();
        if (n == 0) {
            throw new IllegalArgumentException("no prepared rows for task " + def.id() + ", split " + split + " under "
                    + preparedRoot + " (expected " + PreparedSchema.TASK + "=" + def.id() + "/" + PreparedSchema.SPLIT
                    + "=" + split + "/*.parquet; run prepare for it)");
        }
        return new EvalData(preparedRoot, def, split, rows, n);
    }

    public TaskDef task() {
        return task;
    }

    public String split() {
        return split;
    }

    /** Number of prepared rows (examples, or references for generation). */
    public long count() {
        return count;
    }

    /** The prepared rows with every {@link PreparedSchema#PREPARED} column (for SQL-side joins). */
    public Dataset<Row> rows() {
        return rows;
    }

    /**
     * Every row as an {@link Example} with {@code index} 0..n-1 in (source_file, example_id) order and
     * {@code exampleId} the decimal {@code example_id}.
     *
     * @param partitions how many partitions the result has; 0 keeps those of the sort
     */
    public JavaRDD<Example> examples(int partitions) {
        checkPartitions(partitions);
        JavaRDD<Example> out = rows.orderBy(col(PreparedSchema.SOURCE_FILE), col(PreparedSchema.EXAMPLE_ID)).javaRDD()
                .zipWithIndex().map(t -> toExample(t._1(), t._2()));
        return partitions > 0 ? out.repartition(partitions) : out;
    }

    /**
     * The distinct inputs of a generation split, ordered by (source_file, prompt_id), each with its
     * references in example_id order. Fails on executors if the rows of one prompt disagree on its tokens.
     *
     * @param partitions how many partitions the result has; 0 keeps those of the sort
     */
    public JavaRDD<PromptGroup> prompts(int partitions) {
        checkPartitions(partitions);
        if (task.type() != TaskType.GENERATION) {
            throw new IllegalArgumentException("task " + task.id() + " is " + task.type() + ", not generation: it has no prompts");
        }
        Column prompt = functions.slice(col(PreparedSchema.INPUT_IDS), functions.lit(1), col(PreparedSchema.PROMPT_LENGTH));
        Dataset<Row> groups = rows
                .groupBy(col(PreparedSchema.SOURCE_FILE), col(PreparedSchema.PROMPT_ID))
                .agg(functions.min(col(PreparedSchema.EXAMPLE_ID)).as(FIRST_ID),
                        functions.collect_set(prompt).as(PROMPTS),
                        functions.collect_set(col(PreparedSchema.TEXT_A)).as(CONTEXTS),
                        functions.sort_array(functions.collect_list(functions.struct(col(PreparedSchema.EXAMPLE_ID),
                                col(PreparedSchema.TEXT_B)))).as(REFS))
                .orderBy(col(PreparedSchema.SOURCE_FILE), col(PreparedSchema.PROMPT_ID));
        JavaRDD<PromptGroup> out = groups.javaRDD().zipWithIndex().map(t -> toPromptGroup(t._1(), t._2()));
        return partitions > 0 ? out.repartition(partitions) : out;
    }

    /** A prepared row as the trainer's record; labels and scores that are null become -1 and NaN. */
    public static Example toExample(Row r, long index) {
        long id = r.getLong(r.fieldIndex(PreparedSchema.EXAMPLE_ID));
        int labelAt = r.fieldIndex(PreparedSchema.LABEL);
        int scoreAt = r.fieldIndex(PreparedSchema.SCORE);
        try {
            return new Example(index, Long.toString(id), ints(r, PreparedSchema.INPUT_IDS),
                    ints(r, PreparedSchema.TOKEN_TYPE_IDS), r.isNullAt(labelAt) ? -1 : r.getInt(labelAt),
                    r.isNullAt(scoreAt) ? Float.NaN : r.getFloat(scoreAt), ints(r, PreparedSchema.LM_LABELS));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("prepared row " + where(r) + ": " + e.getMessage(), e);
        }
    }

    static PromptGroup toPromptGroup(Row g, long index) {
        String file = g.getString(g.fieldIndex(PreparedSchema.SOURCE_FILE));
        int pidAt = g.fieldIndex(PreparedSchema.PROMPT_ID);
        if (g.isNullAt(pidAt)) {
            throw new IllegalArgumentException("prepared rows of " + file + " have no prompt_id; is this a generation task?");
        }
        long promptId = g.getLong(pidAt);
        List<Object> prompts = g.getList(g.fieldIndex(PROMPTS));
        List<String> contexts = g.getList(g.fieldIndex(CONTEXTS));
        if (prompts.size() != 1 || contexts.size() != 1) {
            throw new IllegalArgumentException("rows of " + file + " with prompt_id " + promptId + " disagree: "
                    + prompts.size() + " distinct prompt token sequences and " + contexts.size()
                    + " distinct contexts (expected one each; is prompt_length null?)");
        }
        List<Row> refRows = g.getList(g.fieldIndex(REFS));
        List<String> refs = new ArrayList<>();
        for (Row ref : refRows) {
            if (!ref.isNullAt(1)) {
                refs.add(ref.getString(1));
            }
        }
        Object p = prompts.get(0);
        // nested arrays come back as Scala sequences
        List<?> tokens = p instanceof scala.collection.Seq<?> seq ? scala.jdk.javaapi.CollectionConverters.asJava(seq)
                : (List<?>) p;
        int[] prompt = new int[tokens.size()];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = (Integer) tokens.get(i);
        }
        return new PromptGroup(index, promptId, g.getLong(g.fieldIndex(FIRST_ID)), prompt, contexts.get(0),
                refs.toArray(new String[0]));
    }

    private static int[] ints(Row r, String column) {
        int at = r.fieldIndex(column);
        if (r.isNullAt(at)) {
            return null;
        }
        List<Integer> list = r.getList(at);
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            Integer v = list.get(i);
            if (v == null) {
                throw new IllegalArgumentException("prepared row " + where(r) + ": null in " + column + " at " + i);
            }
            out[i] = v;
        }
        return out;
    }

    private static String where(Row r) {
        return r.getString(r.fieldIndex(PreparedSchema.SOURCE_FILE)) + " line "
                + r.getLong(r.fieldIndex(PreparedSchema.SOURCE_LINE));
    }

    private static void checkPartitions(int partitions) {
        if (partitions < 0) {
            throw new IllegalArgumentException("partitions must be >= 0 (0 = as sorted), got " + partitions);
        }
    }

    @Override
    public String toString() {
        return "EvalData[" + task.id() + "/" + split + ", " + count + " rows, " + root + "]";
    }
}
