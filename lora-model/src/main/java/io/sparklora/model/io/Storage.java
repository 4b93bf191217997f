package io.sparklora.model.io;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small facade over Hadoop's {@link FileSystem} so that every model, adapter and checkpoint path can be
 * {@code file:///...}, a plain path, {@code hdfs://...} or {@code s3a://...}.
 *
 * <p>Paths are strings in Hadoop syntax. A path without a scheme is resolved like Hadoop and Spark do,
 * against {@code fs.defaultFS} of the configuration, which is the local file system unless a cluster
 * configuration says otherwise; a relative plain path is relative to the working directory.
 * The local file system is used "raw" (no {@code .crc} side files).
 *
 * <p>Thread-safe: it keeps no state besides the configuration ({@link FileSystem} instances are Hadoop's
 * cached ones and are never closed here).
 */
public final class Storage {
    private static final Logger LOG = LoggerFactory.getLogger(Storage.class);

    /** Writes the content of a file being created. */
    @FunctionalInterface
    public interface OutputWriter {
        void write(OutputStream out) throws IOException;
    }

    private static volatile Storage local;

    private final Configuration conf;

    /** A shared instance with a default configuration (created on first use). */
    public static Storage local() {
        Storage s = local;
        if (s == null) {
            synchronized (Storage.class) {
                if (local == null) {
                    local = new Storage();
                }
                s = local;
            }
        }
        return s;
    }

    /** Uses a default Hadoop configuration (plain paths are local unless core-site.xml says otherwise). */
    public Storage() {
        this(new Configuration());
    }

    /** Uses the given configuration, e.g. Spark's {@code sparkContext.hadoopConfiguration()}. */
    public Storage(Configuration conf) {
        this.conf = Objects.requireNonNull(conf, "conf");
    }

    public Configuration configuration() {
        return conf;
    }

    private static org.apache.hadoop.fs.Path hpath(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("path is null or blank");
        }
        return new org.apache.hadoop.fs.Path(path);
    }

    private FileSystem fs(org.apache.hadoop.fs.Path p) throws IOException {
        FileSystem fs = p.getFileSystem(conf);
        if (fs instanceof LocalFileSystem) {
            return ((LocalFileSystem) fs).getRawFileSystem();
        }
        return fs;
    }

    /** Fully qualified form of a path ({@code file:/tmp/x}, {@code hdfs://nn/x}). */
    public String qualify(String path) throws IOException {
        org.apache.hadoop.fs.Path p = hpath(path);
        return fs(p).makeQualified(p).toString();
    }

    /**
     * The local {@link java.nio.file.Path} of {@code path} when it lives on the local file system, so callers
     * can use memory mapping or {@link Files} directly; empty for remote file systems.
     */
    public Optional<java.nio.file.Path> localPath(String path) throws IOException {
        org.apache.hadoop.fs.Path p = hpath(path);
        FileSystem fs = fs(p);
        if (fs instanceof RawLocalFileSystem) {
            return Optional.of(((RawLocalFileSystem) fs).pathToFile(fs.makeQualified(p)).toPath());
        }
        return Optional.empty();
    }

    /** Opens a file for (seekable, positioned) reading. */
    public FSDataInputStream open(String path) throws IOException {
        org.apache.hadoop.fs.Path p = hpath(path);
        return fs(p).open(p);
    }

    public boolean exists(String path) throws IOException {
        org.apache.hadoop.fs.Path p = hpath(path);
        return fs(p).exists(p);
    }

    public boolean isDirectory(String path) throws IOException {
        org.apache.hadoop.fs.Path p = hpath(path);
        try {
            return fs(p).getFileStatus(p).isDirectory();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    /** Length in bytes of a file; FileNotFoundException if it does not exist. */
    public long length(String path) throws IOException {
        org.apache.hadoop.fs.Path p = hpath(path);
        FileStatus st = fs(p).getFileStatus(p);
        if (st.isDirectory()) {
            throw new IOException(path + ": is a directory, expected a file");
        }
        return st.getLen();
    }

    /** Qualified paths of the entries of a directory, sorted by name. */
    public List<String> list(String dir) throws IOException {
        org.apache.hadoop.fs.Path p = hpath(dir);
        FileStatus[] st = fs(p).listStatus(p);
        List<FileStatus> sorted = new ArrayList<>(List.of(st));
        sorted.sort(Comparator.comparing(s -> s.getPath().getName()));
        List<String> out = new ArrayList<>(sorted.size());
        for (FileStatus s : sorted) {
            out.add(s.getPath().toString());
        }
        return out;
    }

    /** Creates a directory and its parents; succeeds when it already exists. */
    public void mkdirs(String dir) throws IOException {
        org.apache.hadoop.fs.Path p = hpath(dir);
        if (!fs(p).mkdirs(p)) {
            throw new IOException(dir + ": could not create directory");
        }
    }

    /** Deletes a file or (recursively) a directory; returns false when nothing was there. */
    /**
     * Renames a file or directory (how a checkpoint directory written under a temporary name becomes
     * visible at once). Fails if {@code to} exists.
     */
    public void rename(String from, String to) throws IOException {
        org.apache.hadoop.fs.Path src = hpath(from);
        org.apache.hadoop.fs.Path dst = hpath(to);
        FileSystem fs = fs(src);
        if (fs.exists(dst)) {
            throw new FileAlreadyExistsException(dst.toString(), null, "rename target exists");
        }
        if (!fs.rename(src, dst)) {
            throw new IOException("rename " + src + " -> " + dst + " failed");
        }
    }

    public boolean delete(String path, boolean recursive) throws IOException {
        org.apache.hadoop.fs.Path p = hpath(path);
        return fs(p).delete(p, recursive);
    }

    /**
     * Reads a whole file, refusing files longer than {@code maxBytes} before allocating anything (and files
     * that grow past it while being read).
     */
    public byte[] readAllBytes(String path, long maxBytes) throws IOException {
        if (maxBytes < 0 || maxBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxBytes must be in [0, " + (Integer.MAX_VALUE - 8) + "], got " + maxBytes);
        }
        long len = length(path);
        if (len > maxBytes) {
            throw new IOException(path + ": file has " + len + " bytes, more than the allowed " + maxBytes);
        }
        try (InputStream in = open(path)) {
            byte[] data = in.readNBytes((int) len);
            if (data.length < len) {
                throw new EOFException(path + ": expected " + len + " bytes, file ended after " + data.length);
            }
            if (in.read() >= 0) {
                throw new IOException(path + ": file grew while being read (expected " + len + " bytes)");
            }
            return data;
        }
    }

    /**
     * Writes a file atomically: the content goes to a hidden temporary file in the same directory, which is
     * then renamed to {@code path}; readers never see a partial file, and a failed write leaves no file
     * behind (the temporary is deleted). The parent directory is created if needed.
     *
     * <p>Overwrite semantics: with {@code overwrite == false} an existing target is an error
     * ({@link FileAlreadyExistsException}) and is left untouched. With {@code overwrite == true} an existing
     * target is replaced: atomically on the local file system ({@code rename(2)}); on other file systems
     * (HDFS, S3A) the old file is deleted right before the rename, so there is a short window without a file.
     */
    public void writeAtomically(String path, boolean overwrite, OutputWriter writer) throws IOException {
        Objects.requireNonNull(writer, "writer");
        org.apache.hadoop.fs.Path target = hpath(path);
        FileSystem fs = fs(target);
        target = fs.makeQualified(target);
        org.apache.hadoop.fs.Path parent = target.getParent();
        if (parent == null) {
            throw new IllegalArgumentException(path + ": cannot write the root directory");
        }
        if (!overwrite && fs.exists(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "exists and overwrite is false");
        }
        fs.mkdirs(parent);
        org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(parent,
                "." + target.getName() + ".tmp-" + UUID.randomUUID());
        boolean done = false;
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                writer.write(out);
                out.flush();
                try {
                    out.hsync();
                } catch (UnsupportedOperationException e) {
                    LOG.debug("hsync not supported for {}", tmp);
                }
            }
            if (fs instanceof RawLocalFileSystem) {
                RawLocalFileSystem local = (RawLocalFileSystem) fs;
                java.nio.file.Path src = local.pathToFile(tmp).toPath();
                java.nio.file.Path dst = local.pathToFile(target).toPath();
                if (overwrite) {
                    Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    // a link fails if the target appeared meanwhile: no silent replacement
                    try {
                        Files.createLink(dst, src);
                        Files.delete(src);
                    } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
                        if (e instanceof FileAlreadyExistsException) {
                            throw (FileAlreadyExistsException) e;
                        }
                        // no hard links on this file system: a plain move, which refuses an existing target
                        Files.move(src, dst);
                    }
                }
            } else {
                if (fs.exists(target)) {
                    if (!overwrite) {
                        throw new FileAlreadyExistsException(target.toString(), null, "appeared while writing");
                    }
                    fs.delete(target, false);
                }
                if (!fs.rename(tmp, target)) {
                    throw new IOException(target + ": rename from " + tmp + " failed");
                }
            }
            done = true;
        } finally {
            if (!done) {
                try {
                    fs.delete(tmp, false);
                } catch (IOException e) {
                    LOG.warn("could not delete temporary file {}: {}", tmp, e.toString());
                }
            }
        }
    }
}
