package io.sparklora.eval;

import java.util.ArrayList;
import java.util.List;

/** PTB tokenization of a reference side: all references of all instances in one stream, regrouped. */
final class E2eTokenized {
    private E2eTokenized() {}

    static List<List<String>> ptb(List<List<String>> references) {
        List<String> flat = new ArrayList<>();
        references.forEach(flat::addAll);
        List<String> tokenized = PtbTokenization.tokenize(flat);
        List<List<String>> out = new ArrayList<>(references.size());
        int k = 0;
        for (List<String> refs : references) {
            out.add(new ArrayList<>(tokenized.subList(k, k + refs.size())));
            k += refs.size();
        }
        return out;
    }

    /** Python's {@code str.strip()}: removes leading and trailing {@code str.isspace()} characters. */
    static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isPythonSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** Python's {@code str.split()}: runs of characters for which {@code str.isspace()} holds separate words. */
    static List<String> pythonSplit(String s) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); i++) {
            if (isPythonSpace(s.charAt(i))) {
                if (start >= 0) {
                    words.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
        }
        if (start >= 0) {
            words.add(s.substring(start));
        }
        return words;
    }

    static boolean isPythonSpace(char c) {
        if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\u001C' && c <= '\u001F') || c == '\u0085') {
            return true;
        }
        return Character.getType(c) == Character.SPACE_SEPARATOR
                || c == '\u2028' || c == '\u2029';
    }
}
