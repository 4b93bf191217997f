package io.sparklora.eval;

import java.util.Set;

/**
 * English function words for METEOR's content/function weighting (δ). METEOR 1.5 derives its list from
 * corpus frequencies and ships it with the jar, which is not available; this is a hand-written list of
 * English determiners, pronouns, prepositions, conjunctions, auxiliaries and particles, and every token
 * without a letter or digit (punctuation) also counts as a function word, as in METEOR's list.
 */
final class MeteorFunctionWords {
    private static final Set<String> WORDS = Set.of(
            "a", "an", "the", "this", "that", "these", "those", "some", "any", "each", "every", "no", "all",
            "both", "either", "neither", "other", "another", "such", "what", "which", "whose",
            "i", "me", "my", "mine", "we", "us", "our", "ours", "you", "your", "yours", "he", "him", "his",
            "she", "her", "hers", "it", "its", "they", "them", "their", "theirs", "who", "whom", "there",
            "here", "where", "when", "why", "how", "myself", "itself", "themselves",
            "of", "in", "on", "at", "to", "for", "with", "by", "from", "about", "as", "into", "onto", "over",
            "under", "near", "off", "out", "up", "down", "through", "between", "within", "without",
            "after", "before", "during", "against", "among", "around", "behind", "beside", "beyond", "than",
            "and", "or", "but", "nor", "so", "yet", "if", "because", "while", "although", "though", "whether",
            "unless", "since", "until", "also", "too", "not", "n't", "very", "just", "only", "then",
            "is", "are", "was", "were", "be", "been", "being", "am", "'s", "'re", "'m", "'ve", "'d", "'ll",
            "has", "have", "had", "having", "do", "does", "did", "will", "would", "shall", "should", "can",
            "could", "may", "might", "must", "ca", "wo");

    private MeteorFunctionWords() {}

    static boolean isFunctionWord(String token) {
        if (WORDS.contains(token)) {
            return true;
        }
        for (int i = 0; i < token.length(); i++) {
            if (Character.isLetterOrDigit(token.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
