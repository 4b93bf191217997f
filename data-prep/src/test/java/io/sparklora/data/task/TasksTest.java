package io.sparklora.data.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TasksTest {

    @Test
    void lookupByIdAndGlueFolderName() {
        assertSame(GlueTask.SST2, Tasks.byName("SST-2"));
        assertSame(GlueTask.STSB, Tasks.byName("sts_b"));
        assertSame(NlgTask.E2E, Tasks.byName("E2E"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tasks.byName("squad"));
        assertTrue(e.getMessage().contains("sst2"));
        assertEquals(12, Tasks.all().size());
    }

    @Test
    void labelSetsAndTypes() {
        assertEquals(TaskType.REGRESSION, GlueTask.STSB.type());
        assertEquals(1, GlueTask.STSB.numLabels());
        assertEquals(List.of("entailment", "neutral", "contradiction"), GlueTask.MNLI.labels());
        assertEquals(3, GlueTask.MNLI.numLabels());
        assertEquals("mcc", GlueTask.COLA.metrics().get(0));
        assertEquals(List.of("pearson", "spearman"), GlueTask.STSB.metrics());
        assertFalse(GlueTask.SST2.isPair());
        assertTrue(GlueTask.QNLI.isPair());
        assertEquals(TaskType.GENERATION, NlgTask.DART.type());
        assertFalse(GlueTask.COLA.hasHeader("train"));
        assertTrue(GlueTask.COLA.hasHeader("test"));
        assertFalse(GlueTask.SST2.layout("test").labelled());
        assertEquals("devset.csv", NlgTask.E2E.defaultFileName("dev"));
    }
}
