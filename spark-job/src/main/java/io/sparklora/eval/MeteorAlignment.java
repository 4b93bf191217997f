package io.sparklora.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Word alignment for {@link Meteor}: every hypothesis/reference word pair related by a module (exact,
 * else same Snowball stem, else shared WordNet synset) is a candidate; the chosen one-to-one alignment
 * maximises the number of matched words, then minimises the number of chunks (runs of matches adjacent
 * on both sides), then the summed position distance |i − j|. The criteria are those of METEOR 1.5's
 * aligner (Denkowski &amp; Lavie 2014; Lavie &amp; Agarwal 2007, section 2.1); the search here is a
 * beam search over reference positions written for this project.
 */
final class MeteorAlignment {
    static final int BEAM = 64;

    private MeteorAlignment() {}

    private record Candidate(int hyp, Meteor.Module module) {}

    private static final class Path {
        final boolean[] usedHyp;
        final int[] refToHyp;
        final Meteor.Module[] modules;
        int matches;
        int chunks;
        int distance;

        Path(int hypLength, int refLength) {
            usedHyp = new boolean[hypLength];
            refToHyp = new int[refLength];
            Arrays.fill(refToHyp, -1);
            modules = new Meteor.Module[refLength];
        }

        Path(Path o) {
            usedHyp = o.usedHyp.clone();
            refToHyp = o.refToHyp.clone();
            modules = o.modules.clone();
            matches = o.matches;
            chunks = o.chunks;
            distance = o.distance;
        }
    }

    private static final Comparator<Path> BEST_FIRST = Comparator.<Path>comparingInt(p -> -p.matches)
            .thenComparingInt(p -> p.chunks)
            .thenComparingInt(p -> p.distance);

    /**
     * @param modulesOut filled with the module of each matched reference word
     * @return for each reference position the matched hypothesis position, or -1
     */
    static int[] search(List<String> hyp, List<String> ref, Meteor.Module[] modulesOut) {
        List<List<Candidate>> candidates = new ArrayList<>();
        for (String r : ref) {
            List<Candidate> forRef = new ArrayList<>();
            for (int i = 0; i < hyp.size(); i++) {
                for (Meteor.Module module : Meteor.Module.values()) {
                    if (module.matches(hyp.get(i), r)) {
                        forRef.add(new Candidate(i, module));
                        break;
                    }
                }
            }
            candidates.add(forRef);
        }
        List<Path> beam = new ArrayList<>();
        beam.add(new Path(hyp.size(), ref.size()));
        for (int j = 0; j < ref.size(); j++) {
            List<Path> next = new ArrayList<>();
            for (Path path : beam) {
                int previous = j > 0 ? path.refToHyp[j - 1] : -1;
                for (Candidate c : candidates.get(j)) {
                    if (path.usedHyp[c.hyp()]) {
                        continue;
                    }
                    Path extended = new Path(path);
                    extended.usedHyp[c.hyp()] = true;
                    extended.refToHyp[j] = c.hyp();
                    extended.modules[j] = c.module();
                    extended.matches++;
                    if (previous < 0 || previous + 1 != c.hyp()) {
                        extended.chunks++;
                    }
                    extended.distance += Math.abs(c.hyp() - j);
                    next.add(extended);
                }
                next.add(path); // reference word j left unmatched
            }
            next.sort(BEST_FIRST);
            beam = next.size() > BEAM ? new ArrayList<>(next.subList(0, BEAM)) : next;
        }
        Path best = beam.get(0);
        System.arraycopy(best.modules, 0, modulesOut, 0, modulesOut.length);
        return best.refToHyp;
    }
}
