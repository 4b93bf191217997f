package io.sparklora.eval.run;

import io.sparklora.data.tokenize.TextTokenizer;
import io.sparklora.eval.E2eMetrics;
import io.sparklora.eval.MetricScores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A generation evaluation: one hypothesis per distinct input, in prompt index order, and the E2E
 * corpus metrics against all references of each input (none when some input has no reference, as in
 * the MR-only test file).
 */
public record GenerationEval(List<GeneratedText> outputs, Map<String, Double> metrics) {
    private static final Logger LOG = LoggerFactory.getLogger(GenerationEval.class);

    public GenerationEval {
        outputs = List.copyOf(outputs);
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** Decodes the sequences (sorted by prompt index) with the GPT-2 tokenizer and scores them. */
    public static GenerationEval of(List<GeneratedSequence> sequences, TextTokenizer tokenizer) {
        Objects.requireNonNull(sequences, "sequences");
        Objects.requireNonNull(tokenizer, "tokenizer");
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("no generated sequences to score");
        }
        List<String> hyps = new ArrayList<>(sequences.size());
        List<List<String>> refs = new ArrayList<>(sequences.size());
        boolean referenced = true;
        for (GeneratedSequence g : sequences) {
            hyps.add(E2eText.decode(tokenizer, g.tokens));
            refs.add(Arrays.asList(g.input.references));
            referenced &= g.input.references.length > 0;
        }
        Map<String, Double> metrics = Map.of();
        List<Double> bleu = null;
        if (referenced) {
            E2eMetrics.Result r = E2eMetrics.compute(refs, hyps);
            metrics = r.corpus();
            MetricScores b = r.scores().get(E2eMetrics.BLEU);
            bleu = b == null ? null : b.segments();
        } else {
            LOG.info("some inputs have no reference; generating without metrics");
        }
        List<GeneratedText> out = new ArrayList<>(sequences.size());
        for (int i = 0; i < sequences.size(); i++) {
            GeneratedSequence g = sequences.get(i);
            double s = bleu != null && bleu.size() == sequences.size() ? bleu.get(i) : Double.NaN;
            out.add(new GeneratedText(g.input, g.tokens, hyps.get(i), refs.get(i), s));
        }
        return new GenerationEval(out, metrics);
    }
}
