package io.sparklora.data.task;

import java.util.List;
import java.util.Locale;

/**
 * The GLUE tasks in their official distribution format (the TSV files written by
 * {@code download_glue_data.py}). GLUE files are raw lines split on tab with no CSV quoting.
 *
 * <p>Class-id order follows the Hugging Face {@code glue} dataset (so that ids agree with checkpoints
 * fine-tuned through it): for example MNLI entailment=0, neutral=1, contradiction=2.
 *
 * <p>Layouts: for labelled splits {@code columns} is the exact number of tab-separated fields (MNLI
 * alone varies: train has 12, dev 16, so its label is "the last field"); for {@code test*} splits
 * the official files hold an index and the text(s) only, no label.
 */
public enum GlueTask implements TaskDef {
    // id, dir, header?, labelled cols (-1 = any >= min), textA, textB, label (-1 = last), test cols, test A, test B, labels, metrics
    COLA("cola", "CoLA", false, 4, 3, -1, 1, 2, 1, -1, List.of("0", "1"), List.of("mcc")),
    SST2("sst2", "SST-2", true, 2, 0, -1, 1, 2, 1, -1, List.of("0", "1"), List.of("accuracy")),
    MRPC("mrpc", "MRPC", true, 5, 3, 4, 0, 5, 3, 4, List.of("0", "1"), List.of("accuracy", "f1")),
    STSB("stsb", "STS-B", true, 10, 7, 8, 9, 9, 7, 8, List.of(), List.of("pearson", "spearman")),
    QQP("qqp", "QQP", true, 6, 3, 4, 5, 3, 1, 2, List.of("0", "1"), List.of("accuracy", "f1")),
    MNLI("mnli", "MNLI", true, -1, 8, 9, -1, 10, 8, 9,
            List.of("entailment", "neutral", "contradiction"), List.of("accuracy")),
    QNLI("qnli", "QNLI", true, 4, 1, 2, 3, 3, 1, 2, List.of("entailment", "not_entailment"), List.of("accuracy")),
    RTE("rte", "RTE", true, 4, 1, 2, 3, 3, 1, 2, List.of("entailment", "not_entailment"), List.of("accuracy")),
    WNLI("wnli", "WNLI", true, 4, 1, 2, 3, 3, 1, 2, List.of("0", "1"), List.of("accuracy"));

    /** MNLI's labelled layouts have at least this many fields (train 12, dev 16). */
    static final int MNLI_MIN_COLUMNS = 12;

    private final String id;
    private final String dirName;
    private final boolean header;
    private final int columns;
    private final int textA;
    private final int textB;
    private final int labelColumn;
    private final int testColumns;
    private final int testTextA;
    private final int testTextB;
    private final List<String> labels;
    private final List<String> metrics;

    GlueTask(String id, String dirName, boolean header, int columns, int textA, int textB, int labelColumn,
            int testColumns, int testTextA, int testTextB, List<String> labels, List<String> metrics) {
        this.id = id;
        this.dirName = dirName;
        this.header = header;
        this.columns = columns;
        this.textA = textA;
        this.textB = textB;
        this.labelColumn = labelColumn;
        this.testColumns = testColumns;
        this.testTextA = testTextA;
        this.testTextB = testTextB;
        this.labels = labels;
        this.metrics = metrics;
    }

    @Override
    public String id() {
        return id;
    }

    /** The folder name in the GLUE distribution ({@code SST-2}, {@code STS-B}, ...). */
    public String dirName() {
        return dirName;
    }

    @Override
    public TaskType type() {
        return this == STSB ? TaskType.REGRESSION : TaskType.CLASSIFICATION;
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    @Override
    public List<String> metrics() {
        return metrics;
    }

    @Override
    public boolean isPair() {
        return textB >= 0;
    }

    /** Whether the train/dev files start with a header line (all but CoLA). Test files always do. */
    public boolean hasHeader(String split) {
        return header || isTestSplit(split);
    }

    /** Test splits of the official distribution carry no labels. */
    public static boolean isTestSplit(String split) {
        return split.toLowerCase(Locale.ROOT).startsWith("test");
    }

    /** The layout of one split's rows. */
    public Layout layout(String split) {
        if (isTestSplit(split)) {
            return new Layout(testColumns, testColumns, testTextA, testTextB, -2);
        }
        if (columns < 0) {
            return new Layout(MNLI_MIN_COLUMNS, Integer.MAX_VALUE, textA, textB, labelColumn);
        }
        return new Layout(columns, columns, textA, textB, labelColumn);
    }

    @Override
    public List<String> splits() {
        return this == MNLI
                ? List.of("train", "dev_matched", "dev_mismatched", "test_matched", "test_mismatched")
                : List.of("train", "dev", "test");
    }

    @Override
    public String defaultFileName(String split) {
        return split + ".tsv";
    }

    /**
     * Field positions of one split. {@code label} is a field index, {@code -1} for the last field, or
     * {@code -2} when the split carries no label.
     */
    public record Layout(int minColumns, int maxColumns, int textA, int textB, int label) {
        public boolean labelled() {
            return label != -2;
        }

        public String describeColumns() {
            return minColumns == maxColumns ? Integer.toString(minColumns)
                    : maxColumns == Integer.MAX_VALUE ? "at least " + minColumns : minColumns + ".." + maxColumns;
        }
    }
}
