package io.sparklora.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * METEOR has no official oracle here (METEOR 1.5's jar and paraphrase table are unavailable): these tests
 * check the scoring formula on alignments worked out by hand and the behaviour of each matching module.
 */
class MeteorTest {
    private static final double TOL = 1e-12;

    @Test
    void identicalSentenceScoresOne() {
        MetricScores s = Meteor.score(List.of(List.of("The Eagle is a pub.")), List.of("The Eagle is a pub."));
        assertEquals(1.0, s.corpus(), TOL);
    }

    @Test
    void exactMatchesOutOfOrderFollowTheFormula() {
        // hyp "eagle pub cheap", ref "eagle cheap pub": 3 exact content matches (0->0, 1->2, 2->1); no two
        // neighbours in the hypothesis are neighbours in the reference, so there are 3 chunks.
        Meteor.Stats s = Meteor.align(List.of("eagle", "pub", "cheap"), List.of("eagle", "cheap", "pub"));
        assertEquals(3, s.matches);
        assertEquals(3, s.chunks);
        // P = R = 1 -> F = 1; Pen = 0.6 * (3/3)^0.2 = 0.6
        assertEquals(0.4, s.score(), TOL);
    }

    @Test
    void functionWordsWeighLessThanContentWords() {
        // hyp "the pub" vs ref "a pub": one content match ("pub"), function words unmatched
        Meteor.Stats s = Meteor.align(List.of("the", "pub"), List.of("a", "pub"));
        assertEquals(1, s.matches);
        double p = 0.75 / (0.75 * 1 + 0.25 * 1); // δ·1 / (δ·|content| + (1-δ)·|function|)
        double f = p * p / (0.85 * p + 0.15 * p);
        double pen = 0.6 * Math.pow(1.0 / 1, 0.2);
        assertEquals((1 - pen) * f, s.score(), TOL);
    }

    @Test
    void stemAndSynonymModulesMatchWithTheirWeights() {
        Meteor.Stats stem = Meteor.align(List.of("pubs"), List.of("pub"));
        assertEquals(1, stem.matches);
        assertEquals(1.0, stem.hypContentMatches[Meteor.Module.STEM.ordinal()], 0.0);
        // one content word each side, weight 0.6: P = R = 0.6, one chunk and full match -> no penalty
        assertEquals(0.6, stem.score(), TOL);

        Meteor.Stats synonym = Meteor.align(List.of("inexpensive"), List.of("cheap"));
        assertEquals(1.0, synonym.hypContentMatches[Meteor.Module.SYNONYM.ordinal()], 0.0);
        assertEquals(0.8, synonym.score(), TOL);

        assertEquals(0, Meteor.align(List.of("pub"), List.of("restaurant")).matches);
    }

    @Test
    void bestReferenceAndAggregateScore() {
        MetricScores s = Meteor.score(
                List.of(List.of("a cheap pub", "The Eagle is a cheap pub."), List.of("near the river")),
                List.of("The Eagle is a cheap pub.", "by the river"));
        assertEquals(1.0, s.segments().get(0), TOL);
        assertTrue(s.segments().get(1) > 0 && s.segments().get(1) < 1);
        assertTrue(s.corpus() > s.segments().get(1) && s.corpus() < 1.0);
    }
}
