package io.sparklora.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the plain-text format of the E2E NLG Challenge's official script: a references file with each
 * instance's references on consecutive lines and one blank line between instances, and a hypotheses
 * file with one output per line. Lines are stripped of surrounding whitespace, as there.
 * Reference: tuetschek/e2e-metrics {@code measure_scores.py} {@code read_lines} and {@code load_data}
 * (a references file without any blank line holds one single reference per instance). Unlike the
 * official script, two blank lines in a row (an instance without references) are an error, trailing blank
 * lines are ignored, and a single block of references with exactly one hypothesis is one instance.
 */
public final class E2eFiles {
    /** Instance i's references and hypothesis. */
    public record Data(List<List<String>> references, List<String> hypotheses) {
        public Data {
            references = references.stream().map(List::copyOf).toList();
            hypotheses = List.copyOf(hypotheses);
        }
    }

    private E2eFiles() {}

    /**
     * @throws MetricInputException for a missing, unreadable, non-UTF-8 or empty file, an instance with
     *     no reference, or different instance counts
     */
    public static Data read(Path referencesFile, Path hypothesesFile) {
        List<String> hypotheses = readHypotheses(hypothesesFile);
        List<List<String>> references = readReferences(referencesFile);
        if (references.size() == 1 && hypotheses.size() > 1) {
            // measure_scores.load_data: a file without blank lines holds one reference per instance
            List<List<String>> single = new ArrayList<>();
            references.get(0).forEach(r -> single.add(List.of(r)));
            references = single;
        }
        if (references.size() != hypotheses.size()) {
            throw new MetricInputException(referencesFile + " holds references for " + references.size()
                    + " instances (blank-line separated) but " + hypothesesFile + " holds " + hypotheses.size()
                    + " outputs (one per line)");
        }
        return new Data(references, hypotheses);
    }

    /** One output per line; an empty line is an empty output. */
    public static List<String> readHypotheses(Path file) {
        List<String> lines = TextLines.read(file);
        if (lines.isEmpty()) {
            throw new MetricInputException(file + ": empty file; expected one system output per line");
        }
        List<String> out = new ArrayList<>(lines.size());
        lines.forEach(l -> out.add(E2eTokenized.pythonStrip(l)));
        return out;
    }

    /** Blank-line separated groups of references. */
    public static List<List<String>> readReferences(Path file) {
        List<String> lines = TextLines.read(file);
        int end = lines.size();
        while (end > 0 && E2eTokenized.pythonStrip(lines.get(end - 1)).isEmpty()) {
            end--;
        }
        if (end == 0) {
            throw new MetricInputException(file + ": no references; expected each instance's references on "
                    + "consecutive lines with a blank line between instances");
        }
        List<List<String>> instances = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (int i = 0; i < end; i++) {
            String line = E2eTokenized.pythonStrip(lines.get(i));
            if (!line.isEmpty()) {
                current.add(line);
            } else if (current.isEmpty()) {
                throw new MetricInputException(file + ":" + (i + 1) + ": blank line "
                        + (instances.isEmpty() ? "before the first reference" : "after another blank line")
                        + "; every instance needs at least one reference");
            } else {
                instances.add(current);
                current = new ArrayList<>();
            }
        }
        instances.add(current);
        return instances;
    }
}
