package io.sparklora.eval;

import edu.stanford.nlp.ling.CoreAnnotations;
import edu.stanford.nlp.ling.CoreLabel;
import edu.stanford.nlp.process.CoreLabelTokenFactory;
import edu.stanford.nlp.process.PTBTokenizer;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The tokenisation that pycocoevalcap applies before ROUGE-L, CIDEr-D (and here METEOR): Stanford's
 * PTBTokenizer from CoreNLP 3.4.1 run as {@code -preserveLines -lowerCase} over all sentences of one side
 * (references, or hypotheses) joined by newlines, then punctuation tokens removed.
 * Reference: tuetschek/e2e-metrics {@code pycocoevalcap/tokenizer/ptbtokenizer.py}
 * ({@code PTBTokenizer.tokenize}, {@code PUNCTUATIONS}) and CoreNLP 3.4.1 {@code PTBTokenizer.tokReader}.
 * The whole side is one stream, as there, because the lexer looks ahead across a line break (an
 * abbreviation such as "U.S." at a line end splits off a period when the next line starts upper-case).
 * Tokens are lower-cased before the punctuation filter, so "-lrb-"/"-rrb-" (brackets) stay, as there.
 */
public final class PtbTokenization {
    /** ptbtokenizer.py PUNCTUATIONS */
    static final Set<String> PUNCTUATION = Set.of("''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-",
            ".", "?", "!", ",", ":", "-", "--", "...", ";");

    private PtbTokenization() {}

    /**
     * Tokenizes each sentence; returns for each one its lower-cased tokens without punctuation, joined by
     * single spaces (as pycocoevalcap stores them; "" when nothing is left).
     */
    public static List<String> tokenize(List<String> sentences) {
        MetricArgs.noNulls(sentences, "sentences");
        List<List<String>> tokens = tokenizeKeepingPunctuation(sentences);
        List<String> out = new ArrayList<>(tokens.size());
        for (List<String> line : tokens) {
            List<String> kept = new ArrayList<>();
            for (String token : line) {
                if (!PUNCTUATION.contains(token)) {
                    kept.add(token);
                }
            }
            out.add(String.join(" ", kept));
        }
        return out;
    }

    /** The lower-cased PTB tokens of each sentence, punctuation included. */
    static List<List<String>> tokenizeKeepingPunctuation(List<String> sentences) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < sentences.size(); i++) {
            if (i > 0) {
                text.append('\n');
            }
            // ptbtokenizer.py replaces '\n' inside a caption; other line breaks would also end a line here
            text.append(sentences.get(i).replaceAll("[\\n\\r\\u2028\\u2029\\u0085\\u000B\\u000C]", " "));
        }
        List<List<String>> lines = new ArrayList<>();
        List<String> current = new ArrayList<>();
        PTBTokenizer<CoreLabel> tokenizer =
                new PTBTokenizer<>(new StringReader(text.toString()), new CoreLabelTokenFactory(), ",tokenizeNLs");
        while (tokenizer.hasNext()) {
            String token = tokenizer.next().get(CoreAnnotations.TextAnnotation.class);
            if (PTBTokenizer.getNewlineToken().equals(token)) {
                lines.add(current);
                current = new ArrayList<>();
            } else {
                current.add(token.toLowerCase(Locale.ENGLISH));
            }
        }
        lines.add(current);
        if (lines.size() != sentences.size()) {
            throw new IllegalStateException("PTBTokenizer returned " + lines.size() + " lines for "
                    + sentences.size() + " sentences");
        }
        return lines;
    }
}
