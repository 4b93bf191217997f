package io.sparklora.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates in-repo data ({@code data/} at the repository root) and the optional shared data. */
public final class TestFiles {
    private TestFiles() {}

    /** The repository's top-level {@code data/} folder. */
    public static Path repoData() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("data/vocab")) && Files.exists(p.resolve("pom.xml"))) {
                return p.resolve("data");
            }
            p = p.getParent();
        }
        throw new IllegalStateException("repository data/ folder not found above " + Path.of("").toAbsolutePath());
    }

    /** A file under test resources. */
    public static Path resource(String name) {
        try {
            return Path.of(TestFiles.class.getResource("/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("test resource missing: " + name, e);
        }
    }

    /** {@code ../shared/data}, or skips the test when the shared folder is not there. */
    public static Path sharedData() {
        String shared = System.getProperty("sparklora.shared");
        assumeTrue(shared != null && Files.isDirectory(Path.of(shared, "data")),
                "sparklora.shared not set or missing; skipping full-size data test");
        return Path.of(shared, "data");
    }
}
