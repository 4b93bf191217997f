package io.sparklora.eval;

import java.util.regex.Pattern;

/**
 * The text normalisation that NIST's mteval-v13a applies before BLEU and NIST, as the E2E script runs it.
 * Reference: tuetschek/e2e-metrics {@code mteval/mteval-v13a-sig.pl}: {@code get_MT_data} (the segment's
 * whitespace runs collapsed to one space) and {@code tokenization} (the default, non-international one:
 * SGML entities, ASCII-only lower-casing, punctuation split except '.' and ',' between digits and '-' after
 * a digit). The E2E script writes outputs into the SGML files unescaped, so "&amp;amp;" in a text becomes
 * "&amp;" exactly as there.
 */
public final class MtevalTokenization {
    // Perl's \s on decoded (utf8) strings is Unicode whitespace.
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
    // [\{-\~\[-\` -\&\(-\+\:-\@\/] : ASCII symbols except ' , - . and digits/letters
    private static final Pattern PUNCTUATION = Pattern.compile("([{-~\\[-` -&(-+:-@/])");
    private static final Pattern PERIOD_COMMA_AFTER_NON_DIGIT = Pattern.compile("([^0-9])([.,])");
    private static final Pattern PERIOD_COMMA_BEFORE_NON_DIGIT = Pattern.compile("([.,])([^0-9])");
    private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

    private MtevalTokenization() {}

    /** Returns the space-separated tokens of one segment ("" when it has none). */
    public static String tokenize(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text is null");
        }
        String t = WHITESPACE.matcher(text).replaceAll(" "); // get_MT_data: concatenate records
        t = t.replace("<skipped>", "");
        t = t.replace("-\n", "").replace("\n", " ");
        t = t.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
        t = " " + asciiLowerCase(t) + " ";
        t = PUNCTUATION.matcher(t).replaceAll(" $1 ");
        t = PERIOD_COMMA_AFTER_NON_DIGIT.matcher(t).replaceAll("$1 $2 ");
        t = PERIOD_COMMA_BEFORE_NON_DIGIT.matcher(t).replaceAll(" $1 $2");
        t = DASH_AFTER_DIGIT.matcher(t).replaceAll("$1 $2 ");
        t = WHITESPACE.matcher(t).replaceAll(" ");
        return t.equals(" ") ? "" : trimSpaces(t);
    }

    /** Splits a tokenized segment as Perl's {@code split /\s+/} does on a trimmed string. */
    static String[] words(String tokenized) {
        return tokenized.isEmpty() ? new String[0] : tokenized.split(" ");
    }

    // tr/[A-Z]/[a-z]/ : only ASCII letters change
    private static String asciiLowerCase(String s) {
        char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'A' && chars[i] <= 'Z') {
                chars[i] = (char) (chars[i] + ('a' - 'A'));
            }
        }
        return new String(chars);
    }

    // s/^\s+// and s/\s+$// after the runs were collapsed to single spaces
    private static String trimSpaces(String s) {
        int start = s.startsWith(" ") ? 1 : 0;
        int end = s.endsWith(" ") ? s.length() - 1 : s.length();
        return s.substring(start, end);
    }
}
