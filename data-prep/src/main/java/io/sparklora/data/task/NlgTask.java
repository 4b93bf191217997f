package io.sparklora.data.task;

import java.util.List;

/**
 * Data-to-text generation tasks as microsoft/LoRA's GPT-2 examples use them (see
 * {@code io.sparklora.data.encode.LoraLmEncoder} for the token convention).
 */
public enum NlgTask implements TaskDef {
    /** E2E NLG: official CSVs ({@code mr,ref}; test MR-only {@code MR}) or LoRA's {@code MR||ref} text. */
    E2E("e2e", List.of("BLEU", "NIST", "METEOR", "ROUGE_L", "CIDEr")),
    /** DART v1.1.1 JSON (list of {@code tripleset} + {@code annotations}). */
    DART("dart", List.of("BLEU", "METEOR", "TER")),
    /** WebNLG challenge 2017 JSON as in microsoft/LoRA ({@code entries} with lexicalisations). */
    WEBNLG("webnlg", List.of("BLEU", "METEOR", "TER"));

    private final String id;
    private final List<String> metrics;

    NlgTask(String id, List<String> metrics) {
        this.id = id;
        this.metrics = metrics;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public TaskType type() {
        return TaskType.GENERATION;
    }

    @Override
    public List<String> labels() {
        return List.of();
    }

    @Override
    public List<String> metrics() {
        return metrics;
    }

    @Override
    public boolean isPair() {
        return true;
    }

    @Override
    public List<String> splits() {
        return List.of("train", "dev", "test");
    }

    @Override
    public String defaultFileName(String split) {
        return switch (this) {
            case E2E -> switch (split) {
                case "train" -> "trainset.csv";
                case "dev" -> "devset.csv";
                case "test" -> "testset_w_refs.csv";
                default -> split + ".csv";
            };
            case DART -> "dart-v1.1.1-full-" + split + ".json";
            case WEBNLG -> split + ".json";
        };
    }
}
