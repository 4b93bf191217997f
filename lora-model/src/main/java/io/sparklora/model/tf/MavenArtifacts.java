package io.sparklora.model.tf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a Maven artifact in the local repository and, when it is missing, fetches it by running
 * {@code mvn -q dependency:get}. The local repository is {@code -Dmaven.repo.local}, else the
 * {@code MAVEN_REPO_LOCAL} environment variable, else {@code ~/.m2/repository} (a {@code localRepository}
 * set only in {@code settings.xml} is not read: pass it with one of the two).
 */
public final class MavenArtifacts {
    private static final Logger LOG = LoggerFactory.getLogger(MavenArtifacts.class);
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_.\\-]+");

    private MavenArtifacts() {}

    /** Coordinates {@code groupId:artifactId[:packaging]:version} (packaging defaults to jar). */
    public static final class Coordinates {
        public final String groupId;
        public final String artifactId;
        public final String packaging;
        public final String version;

        private Coordinates(String g, String a, String p, String v) {
            this.groupId = g;
            this.artifactId = a;
            this.packaging = p;
            this.version = v;
        }

        public static Coordinates parse(String coords) {
            Objects.requireNonNull(coords, "coordinates");
            String[] p = coords.trim().split(":", -1);
            if (p.length != 3 && p.length != 4) {
                throw new IllegalArgumentException("artifact '" + coords + "': expected groupId:artifactId:version");
            }
            for (String s : p) {
                if (!PART.matcher(s).matches()) {
                    throw new IllegalArgumentException("artifact '" + coords + "': bad part '" + s + "'");
                }
            }
            return p.length == 3 ? new Coordinates(p[0], p[1], "jar", p[2]) : new Coordinates(p[0], p[1], p[2], p[3]);
        }

        /** The path of the file inside a repository laid out the Maven 2 way. */
        public Path pathIn(Path repository) {
            return repository.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version)
                    .resolve(artifactId + "-" + version + "." + packaging);
        }

        @Override
        public String toString() {
            return groupId + ":" + artifactId + ("jar".equals(packaging) ? "" : ":" + packaging) + ":" + version;
        }
    }

    /** The local repository directory this process uses. */
    public static Path localRepository() {
        String prop = System.getProperty("maven.repo.local");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("MAVEN_REPO_LOCAL");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /** The artifact's file if it is already in the local repository (no download). */
    public static java.util.Optional<Path> findLocal(String coordinates) {
        Path p = Coordinates.parse(coordinates).pathIn(localRepository());
        return Files.isRegularFile(p) ? java.util.Optional.of(p) : java.util.Optional.empty();
    }

    /** The artifact's file, downloading it with {@code mvn dependency:get} first if needed. */
    public static Path resolve(String coordinates) throws IOException {
        Coordinates c = Coordinates.parse(coordinates);
        Path repo = localRepository();
        Path file = c.pathIn(repo);
        if (Files.isRegularFile(file)) {
            return file;
        }
        LOG.info("{} not in {}; fetching it with mvn dependency:get", c, repo);
        List<String> cmd = new ArrayList<>(List.of(mavenExecutable(), "-q", "-B", "dependency:get",
                "-Dartifact=" + c, "-Dtransitive=false", "-Dmaven.repo.local=" + repo.toAbsolutePath()));
        Process p;
        try {
            p = new ProcessBuilder(cmd).inheritIO().start();
        } catch (IOException e) {
            throw new IOException("cannot run Maven ('" + cmd.get(0) + "') to fetch " + c
                    + ": install Maven, set MAVEN_CMD, or pass a local jar (--jar): " + e.getMessage(), e);
        }
        int rc;
        try {
            rc = p.waitFor();
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + c, e);
        }
        if (rc != 0) {
            throw new IOException("'" + String.join(" ", cmd) + "' failed with exit code " + rc + " (offline or artifact unknown?)");
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException("Maven reported success but " + file + " does not exist");
        }
        return file;
    }

    private static String mavenExecutable() {
        String env = System.getenv("MAVEN_CMD");
        return env != null && !env.isBlank() ? env : "mvn";
    }
}
