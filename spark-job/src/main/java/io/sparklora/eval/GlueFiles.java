package io.sparklora.eval;

import java.nio.file.Path;
import java.util.List;

/** Reads one number per line (GLUE predictions or labels) with errors that name the file and line. */
public final class GlueFiles {
    private GlueFiles() {}

    /**
     * @throws MetricInputException for a missing, unreadable or empty file, a blank line, or a value that
     *     is not a finite number
     */
    public static double[] readValues(Path file) {
        List<String> lines = TextLines.read(file);
        if (lines.isEmpty()) {
            throw new MetricInputException(file + ": empty file; expected one number per line");
        }
        double[] values = new double[lines.size()];
        for (int i = 0; i < values.length; i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty()) {
                throw new MetricInputException(file + ":" + (i + 1) + ": empty line; expected one number per line");
            }
            try {
                values[i] = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new MetricInputException(file + ":" + (i + 1) + ": '" + text + "' is not a number", e);
            }
            if (!Double.isFinite(values[i]) || text.matches("(?i).*[a-z&&[^e]].*")) {
                // Java also parses "NaN", "Infinity" and "1d"/"1f"; only plain decimal numbers are accepted
                throw new MetricInputException(file + ":" + (i + 1) + ": '" + text + "' is not a finite decimal number");
            }
        }
        return values;
    }

    /** Reads predictions and labels and checks that they have the same number of lines. */
    public static double[][] readPair(Path predictions, Path labels) {
        double[] p = readValues(predictions);
        double[] y = readValues(labels);
        if (p.length != y.length) {
            throw new MetricInputException(predictions + " has " + p.length + " lines but " + labels + " has "
                    + y.length + "; expected one prediction per label");
        }
        return new double[][] {p, y};
    }
}
