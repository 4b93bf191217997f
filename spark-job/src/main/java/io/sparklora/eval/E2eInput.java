package io.sparklora.eval;

import java.util.List;

/** Checks of the (references, hypotheses) pairs that every E2E metric takes. */
final class E2eInput {
    private E2eInput() {}

    static void check(List<List<String>> references, List<String> hypotheses) {
        MetricArgs.noNulls(references, "references");
        MetricArgs.noNulls(hypotheses, "hypotheses");
        if (references.size() != hypotheses.size()) {
            throw new IllegalArgumentException("references are given for " + references.size()
                    + " instances but there are " + hypotheses.size() + " hypotheses");
        }
        if (hypotheses.isEmpty()) {
            throw new IllegalArgumentException("no instances to score");
        }
        for (int i = 0; i < references.size(); i++) {
            List<String> refs = references.get(i);
            if (refs.isEmpty()) {
                throw new IllegalArgumentException("instance " + i + " has no reference");
            }
            for (int r = 0; r < refs.size(); r++) {
                if (refs.get(r) == null) {
                    throw new IllegalArgumentException("reference " + r + " of instance " + i + " is null");
                }
            }
        }
    }
}
