package io.sparklora.data.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklora.data.TestFiles;
import io.sparklora.data.task.GlueTask;
import io.sparklora.data.task.NlgTask;
import io.sparklora.data.task.TaskDef;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Full-size files in {@code ../shared/data}: every row is read, none rejected, and the counts and label
 * distributions equal the official ones listed in the shared data README (the oracle). Skipped when the
 * shared folder is absent.
 */
class SharedRowCountTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        // task, split, file, rows, count of class id 0 (-1: not checked), count of class id 1
        "cola, train, glue/CoLA/train.tsv, 8551, 2528, 6023",
        "cola, dev, glue/CoLA/dev.tsv, 1043, -1, -1",
        "sst2, train, glue/SST-2/train.tsv, 67349, 29780, 37569",
        "sst2, dev, glue/SST-2/dev.tsv, 872, -1, -1",
        "mrpc, train, glue/MRPC/train.tsv, 3668, 1194, 2474",
        "mrpc, dev, glue/MRPC/dev.tsv, 408, -1, -1",
        "stsb, train, glue/STS-B/train.tsv, 5749, -1, -1",
        "stsb, dev, glue/STS-B/dev.tsv, 1500, -1, -1",
        "rte, train, glue/RTE/train.tsv, 2490, -1, -1",
        "rte, dev, glue/RTE/dev.tsv, 277, 146, 131",
        "qnli, dev, glue/QNLI/dev.tsv, 5463, 2702, 2761",
        "wnli, train, glue/WNLI/train.tsv, 635, -1, -1",
        "wnli, dev, glue/WNLI/dev.tsv, 71, 40, 31",
        "e2e, train, e2e/trainset.csv, 42061, -1, -1",
        "e2e, dev, e2e/devset.csv, 4672, -1, -1",
        "e2e, test, e2e/testset_w_refs.csv, 4693, -1, -1",
        "e2e, test, e2e/testset.csv, 630, -1, -1",
        "e2e, dev, e2e/valid.txt, 4672, -1, -1",
        "e2e, test, e2e/test.txt, 4693, -1, -1",
        "dart, dev, dart/dart-v1.1.1-full-dev.json, 6980, -1, -1",
    })
    void readsEveryRow(String taskName, String split, String file, int rows, int zeros, int ones) throws Exception {
        Path shared = TestFiles.sharedData();
        TaskDef task = io.sparklora.data.task.Tasks.byName(taskName);
        ReadAll r = ReadAll.of(task, split, shared.resolve(file));
        assertEquals(0, r.rejects.size(), () -> "rejects: " + r.rejects.subList(0, Math.min(5, r.rejects.size())));
        assertEquals(rows, r.examples.size());
        if (zeros >= 0) {
            assertEquals(zeros, r.countLabel(0));
            assertEquals(ones, r.countLabel(1));
        }
        if (task instanceof GlueTask g && g == GlueTask.STSB) {
            assertTrue(r.examples.stream().allMatch(e -> e.score() >= 0 && e.score() <= 5));
        }
        // indices are 0..n-1 in order when nothing is rejected
        for (int i = 0; i < r.examples.size(); i++) {
            assertEquals(i, r.examples.get(i).index());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"e2e/devset.csv, 547", "e2e/testset_w_refs.csv, 630", "e2e/trainset.csv, 4862",
        "e2e/valid.txt, 547", "e2e/test.txt, 630"})
    void e2eDistinctMrsMatchTheReadme(String file, int mrs) throws Exception {
        ReadAll r = ReadAll.of(NlgTask.E2E, "dev", TestFiles.sharedData().resolve(file));
        Set<Long> ids = new HashSet<>();
        r.examples.forEach(e -> ids.add(e.promptId()));
        assertEquals(mrs, ids.size());
        assertEquals(mrs - 1, r.examples.stream().mapToLong(Example::promptId).max().orElse(-1));
    }

    @org.junit.jupiter.api.Test
    void trainsetLinesAccountForTheQuotedLineBreaks() throws Exception {
        ReadAll r = ReadAll.of(NlgTask.E2E, "train", TestFiles.sharedData().resolve("e2e/trainset.csv"));
        // data row k (1-based) starts on line k+1 until row 15765, which spans two lines (README)
        assertEquals(15766, r.examples.get(15764).line());
        assertEquals(15768, r.examples.get(15765).line());
        assertTrue(r.examples.get(15764).textB().contains("\n"));
        // rows 15765 and 32410 both hold a line break: the last row starts on line 42061 + 1 + 2
        assertEquals(42064, r.examples.get(42060).line());
    }

    @org.junit.jupiter.api.Test
    void webnlgKeepsTheGoodLexicalisationsAndRejectsTheRest() throws Exception {
        ReadAll r = ReadAll.of(NlgTask.WEBNLG, "dev", TestFiles.sharedData().resolve("webnlg/dev.json"));
        assertEquals(2258, r.examples.size());
        assertEquals(10, r.rejects.size());
        assertTrue(r.rejects.stream().allMatch(j -> j.reason().contains("toFix")));
        Set<Long> ids = new HashSet<>();
        r.examples.forEach(e -> ids.add(e.promptId()));
        assertTrue(ids.size() <= 872 && ids.size() > 860);
    }
}
