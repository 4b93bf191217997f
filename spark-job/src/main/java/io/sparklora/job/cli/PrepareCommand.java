package io.sparklora.job.cli;

import io.sparklora.data.prepare.InputSpec;
import io.sparklora.data.prepare.PrepareJob;
import io.sparklora.data.prepare.PrepareResult;
import io.sparklora.data.prepare.PrepareSpec;
import io.sparklora.data.prepare.RejectFractionExceededException;
import io.sparklora.data.task.GlueTask;
import io.sparklora.data.task.TaskDef;
import io.sparklora.data.task.TaskType;
import io.sparklora.data.task.Tasks;
import io.sparklora.data.tokenize.TokenizerKind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparklora prepare}: tokenizes raw GLUE / E2E / DART / WebNLG files into Parquet
 * ({@code io.sparklora.data.prepare.PreparedSchema}).
 *
 * <p>Inputs either as {@code --input task:split=PATH} (repeatable), or as {@code --task} with
 * {@code --input DIR} and {@code --split}: the split files are then looked up in DIR by their official
 * names ({@code train.tsv}, {@code dev.tsv}; E2E {@code trainset.csv}, {@code devset.csv}, ...), also in
 * DIR's GLUE sub-folder ({@code DIR/SST-2/train.tsv}) so one GLUE root serves several tasks.
 */
@Command(
        name = "prepare",
        mixinStandardHelpOptions = true,
        description = {
            "Tokenize raw task files (any Hadoop path) into Parquet, partitioned by",
            "task and split. Rejected rows go to <output>/_rejects with file, line and",
            "reason; the command fails when a split rejects more than",
            "--max-reject-fraction of the rows it read.",
            "",
            "Examples:",
            "  prepare --task sst2 --input data/glue/SST-2 --split train,dev -o out/prepared",
            "  prepare --tokenizer gpt2 --input e2e:dev=data/e2e/devset.csv -o out/prepared",
            ""
        })
public final class PrepareCommand implements Callable<Integer> {

    @Option(names = "--task", split = ",", paramLabel = "TASK",
            description = "Task id(s): cola, sst2, mrpc, stsb, qqp, mnli, qnli, rte, wnli, e2e, dart, webnlg. "
                    + "With --task, --input is a folder (or, for a single split, a file).")
    List<String> tasks = new ArrayList<>();

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "PATH|TASK:SPLIT=PATH",
            description = "Raw input; repeatable. Without --task each must be TASK:SPLIT=PATH (a file or glob).")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--split", split = ",", paramLabel = "SPLIT",
            description = "Splits to read with --task (default: train,dev; MNLI: train,dev_matched,dev_mismatched).")
    List<String> splits = new ArrayList<>();

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "PATH",
            description = "Output root (any Hadoop path). Partitions task=/split= written here are replaced.")
    String output;

    @Option(names = "--tokenizer", paramLabel = "KIND",
            description = "bert, gpt2 or roberta (default: gpt2 when every task is generation, else bert).")
    String tokenizer;

    @Option(names = "--vocab", paramLabel = "PATH",
            description = "tokenizer.json, BERT vocab.txt, or a folder with one (default: data/vocab/"
                    + "bert-base-uncased/vocab.txt for bert, data/vocab/gpt2 for gpt2 and roberta).")
    String vocab;

    @Option(names = "--max-length", paramLabel = "N",
            description = "Maximum tokens per example, special tokens included (default: 128; 512 for generation).")
    Integer maxLength;

    @Option(names = "--max-reject-fraction", paramLabel = "F", defaultValue = "0.01",
            description = "Fail when a split rejects more than this fraction of its rows (default: ${DEFAULT-VALUE}).")
    double maxRejectFraction;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
            description = "Tokenization partitions (default: Spark's default parallelism).")
    int partitions;

    @Option(names = "--master", paramLabel = "URL", defaultValue = "local[*]",
            description = "Spark master when not run under spark-submit (default: ${DEFAULT-VALUE}).")
    String master;

    @Override
    public Integer call() throws IOException {
        SparkConf conf = new SparkConf();
        SparkSession.Builder builder = SparkSession.builder().appName("sparklora-prepare");
        if (!conf.contains("spark.master")) {
            builder.master(master).config("spark.ui.enabled", "false");
        }
        SparkSession spark = builder.getOrCreate();
        try {
            PrepareSpec spec = buildSpec(spark.sparkContext().hadoopConfiguration());
            PrepareResult result;
            try {
                result = PrepareJob.run(spark, spec);
            } catch (RejectFractionExceededException e) {
                System.out.print(e.result().summary());
                throw new ExitCodes.BadInputException(e.getMessage(), e);
            }
            System.out.print(result.summary());
            System.out.println("Prepared Parquet written to " + spec.output()
                    + (result.total().rejected() > 0 ? "; rejects in " + new Path(spec.output(), "_rejects") : ""));
            return SparkloraCli.EXIT_OK;
        } finally {
            spark.stop();
        }
    }

    PrepareSpec buildSpec(Configuration hadoop) throws IOException {
        List<InputSpec> specs = new ArrayList<>();
        if (tasks.isEmpty()) {
            if (!splits.isEmpty()) {
                throw new ExitCodes.BadConfigException("--split needs --task; otherwise write --input TASK:SPLIT=PATH");
            }
            for (String in : inputs) {
                specs.add(InputSpec.parse(in));
            }
        } else {
            if (inputs.size() != 1) {
                throw new ExitCodes.BadConfigException("with --task give exactly one --input folder, got " + inputs);
            }
            for (String t : tasks) {
                specs.addAll(resolve(Tasks.byName(t), inputs.get(0), hadoop));
            }
        }
        boolean allGeneration = specs.stream().allMatch(s -> s.taskDef().type() == TaskType.GENERATION);
        TokenizerKind kind = tokenizer != null ? TokenizerKind.parse(tokenizer)
                : allGeneration ? TokenizerKind.GPT2 : TokenizerKind.BERT;
        String vocabPath = vocab != null ? vocab
                : kind == TokenizerKind.BERT ? "data/vocab/bert-base-uncased/vocab.txt" : "data/vocab/gpt2";
        int max = maxLength != null ? maxLength : allGeneration ? 512 : 128;
        return new PrepareSpec(specs, kind, vocabPath, max, maxRejectFraction, output, partitions);
    }

    private List<InputSpec> resolve(TaskDef task, String input, Configuration hadoop) throws IOException {
        Path p = new Path(input);
        FileSystem fs = p.getFileSystem(hadoop);
        if (!fs.exists(p)) {
            throw new ExitCodes.BadConfigException("input " + input + " does not exist");
        }
        if (!fs.getFileStatus(p).isDirectory()) {
            if (tasks.size() != 1 || splits.size() != 1) {
                throw new ExitCodes.BadConfigException("input " + input
                        + " is a file: give exactly one --task and one --split for it");
            }
            return List.of(new InputSpec(task.id(), splits.get(0), input));
        }
        List<String> wanted = !splits.isEmpty() ? splits
                : task == GlueTask.MNLI ? List.of("train", "dev_matched", "dev_mismatched") : List.of("train", "dev");
        List<InputSpec> out = new ArrayList<>();
        for (String split : wanted) {
            String name = task.defaultFileName(split);
            Path direct = new Path(p, name);
            Path nested = task instanceof GlueTask g ? new Path(new Path(p, g.dirName()), name) : null;
            if (fs.exists(direct)) {
                out.add(new InputSpec(task.id(), split, direct.toString()));
            } else if (nested != null && fs.exists(nested)) {
                out.add(new InputSpec(task.id(), split, nested.toString()));
            } else {
                throw new ExitCodes.BadConfigException("no " + name + " for " + task.id() + "/" + split + " in " + input
                        + (nested != null ? " or " + nested.getParent() : ""));
            }
        }
        return out;
    }
}
