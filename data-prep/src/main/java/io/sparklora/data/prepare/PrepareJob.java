package io.sparklora.data.prepare;

import io.sparklora.data.encode.EncodedExample;
import io.sparklora.data.encode.ExampleEncoder;
import io.sparklora.data.read.Example;
import io.sparklora.data.read.ExampleReader;
import io.sparklora.data.read.ParsedRow;
import io.sparklora.data.read.Readers;
import io.sparklora.data.read.Reject;
import io.sparklora.data.task.TaskDef;
import io.sparklora.data.task.TaskType;
import io.sparklora.data.task.Tasks;
import io.sparklora.data.tokenize.TextTokenizer;
import io.sparklora.data.tokenize.TokenizerCache;
import io.sparklora.data.tokenize.TokenizerSpec;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.HashPartitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.input.PortableDataStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.TaskCompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The {@code prepare} Spark job: raw task files on any Hadoop file system to tokenized Parquet
 * ({@link PreparedSchema}).
 *
 * <ol>
 *   <li>Parse: one Spark task per raw file ({@code binaryFiles}) streams it through the task's reader;
 *       every record becomes a row or a reject with file, line and reason.
 *   <li>Shuffle the parsed records into {@code partitions} partitions (sorted by file and record index
 *       within each, so output is deterministic) and tokenize them in parallel. Each executor JVM builds
 *       its tokenizer once ({@link TokenizerCache}) from the broadcast {@link TokenizerSpec}.
 *   <li>Count read/written/rejected per task/split, write rejects to {@code <output>/_rejects}, fail when
 *       a split rejects more than the allowed fraction (before writing its rows), else write the rows.
 * </ol>
 *
 * <p>Re-running replaces the {@code task=/split=} partitions it writes and leaves the others.
 * Compressed inputs are not decompressed.
 */
public final class PrepareJob {

    private static final Logger LOG = LoggerFactory.getLogger(PrepareJob.class);

    // Internal parsed-row layout: plain Spark Rows (Kryo- and Java-serializable).
    private static final int P_TASK = 0;
    private static final int P_SPLIT = 1;
    private static final int P_FILE = 2;
    private static final int P_LINE = 3;
    private static final int P_INDEX = 4;
    private static final int P_TEXT_A = 5;
    private static final int P_TEXT_B = 6;
    private static final int P_LABEL = 7;
    private static final int P_SCORE = 8;
    private static final int P_PROMPT_ID = 9;
    private static final int P_REASON = 10;
    private static final int P_RAW = 11;

    private PrepareJob() {}

    /** Runs the job; throws {@link RejectFractionExceededException} when too much is rejected. */
    public static PrepareResult run(SparkSession spark, PrepareSpec spec) throws IOException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration conf = jsc.hadoopConfiguration();
        for (InputSpec in : spec.inputs()) {
            requireFiles(in, conf);
        }
        TokenizerSpec tokenizerSpec = TokenizerFiles.load(spec.tokenizer(), spec.tokenizerPath(), conf);
        LOG.info("prepare: {} input(s), tokenizer {}, max length {}, output {}", spec.inputs().size(),
                tokenizerSpec, spec.maxLength(), spec.output());
        Broadcast<TokenizerSpec> tokenizer = jsc.broadcast(tokenizerSpec);

        List<JavaPairRDD<String, Row>> parsedInputs = new ArrayList<>();
        for (int i = 0; i < spec.inputs().size(); i++) {
            InputSpec in = spec.inputs().get(i);
            parsedInputs.add(jsc.binaryFiles(in.path()).flatMapToPair(parseFunction(in.task(), in.split(), i)));
        }
        JavaPairRDD<String, Row> parsed = parsedInputs.get(0);
        for (int i = 1; i < parsedInputs.size(); i++) {
            parsed = parsed.union(parsedInputs.get(i));
        }
        int partitions = spec.partitions() > 0 ? spec.partitions() : jsc.defaultParallelism();
        JavaRDD<Tuple2<Boolean, Row>> outcomes = parsed
                .repartitionAndSortWithinPartitions(new HashPartitioner(partitions))
                .mapPartitions(encodeFunction(tokenizer, spec.maxLength()))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            PrepareResult result = new PrepareResult(spec.output(), count(outcomes, spec.inputs()));
            clearPartitions(spec, conf);
            JavaRDD<Row> rejects = outcomes.filter(t -> t._1()).map(Tuple2::_2);
            spark.createDataFrame(rejects, PreparedSchema.REJECTS).write().mode(SaveMode.Append)
                    .partitionBy(PreparedSchema.TASK, PreparedSchema.SPLIT)
                    .parquet(new Path(spec.output(), PreparedSchema.REJECTS_DIR).toString());
            List<String> over = new ArrayList<>();
            result.counts().forEach((k, c) -> {
                if (c.read() == 0) {
                    over.add(k + ": no records read");
                } else if (c.rejectFraction() > spec.maxRejectFraction()) {
                    over.add(String.format("%s: %d of %d records rejected (%.4f > %.4f)", k, c.rejected(), c.read(),
                            c.rejectFraction(), spec.maxRejectFraction()));
                }
            });
            if (!over.isEmpty()) {
                throw new RejectFractionExceededException("too many rejected records, nothing written for any split: "
                        + String.join("; ", over) + ". See " + new Path(spec.output(), PreparedSchema.REJECTS_DIR)
                        + " for file, line and reason.", result);
            }
            JavaRDD<Row> rows = outcomes.filter(t -> !t._1()).map(Tuple2::_2);
            spark.createDataFrame(rows, PreparedSchema.PREPARED).write().mode(SaveMode.Append)
                    .partitionBy(PreparedSchema.TASK, PreparedSchema.SPLIT)
                    .parquet(spec.output());
            LOG.info("prepare finished:\n{}", result.summary());
            return result;
        } finally {
            outcomes.unpersist(false);
            tokenizer.destroy();
        }
    }

    private static void requireFiles(InputSpec in, Configuration conf) throws IOException {
        Path p = new Path(in.path());
        FileStatus[] matches = p.getFileSystem(conf).globStatus(p);
        if (matches == null || matches.length == 0) {
            throw new IllegalArgumentException("input " + in + ": no file matches " + in.path());
        }
        for (FileStatus s : matches) {
            if (s.isDirectory()) {
                throw new IllegalArgumentException("input " + in + ": " + s.getPath()
                        + " is a directory; give the split's file (or a glob of files)");
            }
        }
    }

    private static Map<String, PrepareResult.Counts> count(JavaRDD<Tuple2<Boolean, Row>> outcomes,
            List<InputSpec> inputs) {
        Map<String, Long> byKey = outcomes
                .map(t -> t._2().getString(0) + "/" + t._2().getString(1) + (t._1() ? "\tR" : "\tW"))
                .countByValue();
        Map<String, PrepareResult.Counts> counts = new LinkedHashMap<>();
        for (InputSpec in : inputs) {
            String k = in.task() + "/" + in.split();
            long w = byKey.getOrDefault(k + "\tW", 0L);
            long r = byKey.getOrDefault(k + "\tR", 0L);
            counts.put(k, new PrepareResult.Counts(w + r, w, r));
        }
        return counts;
    }

    private static void clearPartitions(PrepareSpec spec, Configuration conf) throws IOException {
        Path root = new Path(spec.output());
        FileSystem fs = root.getFileSystem(conf);
        for (InputSpec in : spec.inputs()) {
            String part = PreparedSchema.TASK + "=" + in.task() + "/" + PreparedSchema.SPLIT + "=" + in.split();
            fs.delete(new Path(root, part), true);
            fs.delete(new Path(new Path(root, PreparedSchema.REJECTS_DIR), part), true);
        }
    }

    /** Parses one raw file (runs on an executor; captures only strings and an int). */
    private static PairFlatMapFunction<Tuple2<String, PortableDataStream>, String, Row> parseFunction(
            String taskId, String split, int inputNo) {
        return fileAndStream -> {
            String file = fileAndStream._1();
            TaskDef task = Tasks.byName(taskId);
            ExampleReader reader = Readers.forFile(task, split, new Path(file).getName());
            InputStream in = fileAndStream._2().open();
            TaskContext ctx = TaskContext.get();
            if (ctx != null) {
                ctx.addTaskCompletionListener((TaskCompletionListener) c -> closeQuietly(in));
            }
            Iterator<ParsedRow> rows = reader.read(file, in);
            return new Iterator<Tuple2<String, Row>>() {
                @Override
                public boolean hasNext() {
                    boolean more = rows.hasNext();
                    if (!more) {
                        closeQuietly(in);
                    }
                    return more;
                }

                @Override
                public Tuple2<String, Row> next() {
                    ParsedRow r = rows.next();
                    Row row;
                    if (r.isReject()) {
                        Reject j = r.reject();
                        row = RowFactory.create(taskId, split, j.file(), j.line(), -1L, null, null,
                                Example.NO_LABEL, Float.NaN, -1L, j.reason(), j.raw());
                        return new Tuple2<>(sortKey(inputNo, j.file(), j.line()), row);
                    }
                    Example e = r.example();
                    row = RowFactory.create(taskId, split, e.file(), e.line(), e.index(), e.textA(), e.textB(),
                            e.label(), e.score(), e.promptId(), null, null);
                    return new Tuple2<>(sortKey(inputNo, e.file(), e.line()), row);
                }
            };
        };
    }

    private static String sortKey(int inputNo, String file, long line) {
        return String.format("%05d|%s|%015d", inputNo, file, line);
    }

    /** Tokenizes one partition with this JVM's cached tokenizer. */
    private static FlatMapFunction<Iterator<Tuple2<String, Row>>, Tuple2<Boolean, Row>> encodeFunction(
            Broadcast<TokenizerSpec> tokenizer, int maxLength) {
        return rows -> new Iterator<>() {
            private final TokenizerSpec spec = tokenizer.value();

            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Tuple2<Boolean, Row> next() {
                Row p = rows.next()._2();
                String taskId = p.getString(P_TASK);
                String split = p.getString(P_SPLIT);
                if (!p.isNullAt(P_REASON)) {
                    return reject(taskId, split, p.getString(P_FILE), p.getLong(P_LINE), p.getString(P_REASON),
                            p.getString(P_RAW));
                }
                TaskDef task = Tasks.byName(taskId);
                int limit = task.type() == TaskType.GENERATION ? 0 : maxLength;
                TextTokenizer tok = TokenizerCache.get(spec, limit);
                Example e = new Example(p.getString(P_FILE), p.getLong(P_LINE), p.getLong(P_INDEX),
                        p.getString(P_TEXT_A), p.isNullAt(P_TEXT_B) ? null : p.getString(P_TEXT_B), p.getInt(P_LABEL),
                        p.getFloat(P_SCORE), p.getLong(P_PROMPT_ID));
                EncodedExample enc;
                try {
                    enc = ExampleEncoder.encode(task, e, tok, maxLength);
                } catch (IllegalArgumentException ex) {
                    String raw = e.textB() == null ? e.textA() : e.textA() + "\t" + e.textB();
                    return reject(taskId, split, e.file(), e.line(), "cannot encode: " + ex.getMessage(),
                            Reject.of(e.file(), e.line(), "", raw).raw());
                }
                boolean generation = task.type() == TaskType.GENERATION;
                Row out = RowFactory.create(taskId, split, e.index(), enc.inputIds(), enc.attentionMask(),
                        enc.tokenTypeIds(), enc.label(), enc.score(), enc.lmLabels(), enc.promptLength(),
                        generation ? e.promptId() : null, enc.length(), enc.truncated(), e.textA(), e.textB(),
                        e.file(), e.line());
                return new Tuple2<>(false, out);
            }
        };
    }

    private static Tuple2<Boolean, Row> reject(String task, String split, String file, long line, String reason,
            String raw) {
        return new Tuple2<>(true, RowFactory.create(task, split, file, line, reason, raw));
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            LOG.debug("closing input", e);
        }
    }
}
