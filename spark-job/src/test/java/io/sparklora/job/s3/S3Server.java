package io.sparklora.job.s3;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * An s3proxy S3 server with an in-memory store on 127.0.0.1 and a free port, for tests. s3proxy runs in its
 * own class loader: its Jetty 12 needs the Servlet 6 API and its Jackson 3 newer annotations than Spark
 * (provided, on the same test classpath) can live with. The build copies those jars to
 * {@code target/s3proxy-lib}; they replace the test classpath's versions of the same artifacts.
 */
final class S3Server implements AutoCloseable {
    private final URLClassLoader loader;
    private final Object proxy;
    private final Object store;
    private final int port;

    private S3Server(URLClassLoader loader, Object proxy, Object store, int port) {
        this.loader = loader;
        this.proxy = proxy;
        this.store = store;
        this.port = port;
    }

    /** Starts a server that accepts SigV2/SigV4 requests signed with {@code accessKey}/{@code secretKey}. */
    static S3Server start(String accessKey, String secretKey) throws Exception {
        URLClassLoader loader = isolatedLoader(Path.of("target/s3proxy-lib"));
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        try {
            Class<?> stores = loader.loadClass("org.gaul.s3proxy.BlobStores");
            Object store = stores.getMethod("create", String.class, Properties.class)
                    .invoke(null, "transient", new Properties());
            Class<?> storeType = loader.loadClass("org.gaul.s3proxy.blobstore.BlobStore");
            Class<?> authType = loader.loadClass("org.gaul.s3proxy.auth.AuthenticationType");
            Object v2OrV4 = authType.getField("AWS_V2_OR_V4").get(null);
            Class<?> s3proxy = loader.loadClass("org.gaul.s3proxy.S3Proxy");
            Object builder = s3proxy.getMethod("builder").invoke(null);
            Class<?> builderType = builder.getClass();
            builderType.getMethod("blobStore", storeType).invoke(builder, store);
            builderType.getMethod("endpoint", URI.class).invoke(builder, URI.create("http://127.0.0.1:0"));
            builderType.getMethod("awsAuthentication", authType, String.class, String.class)
                    .invoke(builder, v2OrV4, accessKey, secretKey);
            Object proxy = builderType.getMethod("build").invoke(builder);
            s3proxy.getMethod("start").invoke(proxy);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!"STARTED".equals(s3proxy.getMethod("getState").invoke(proxy))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("s3proxy did not start within 30 s");
                }
                Thread.sleep(10);
            }
            int port = (Integer) s3proxy.getMethod("getPort").invoke(proxy);
            return new S3Server(loader, proxy, store, port);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    int port() {
        return port;
    }

    void createBucket(String name) throws Exception {
        store.getClass().getMethod("createContainer", String.class).invoke(store, name);
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.getClass().getMethod("stop").invoke(proxy);
        } finally {
            loader.close();
        }
    }

    /** JDK classes from the platform loader; everything else from {@code lib} first, then the test classpath. */
    private static URLClassLoader isolatedLoader(Path lib) throws IOException {
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(lib.toAbsolutePath() + " is missing: build with Maven (process-test-resources)");
        }
        List<Path> own;
        try (Stream<Path> s = Files.list(lib)) {
            own = s.filter(p -> p.toString().endsWith(".jar")).sorted().collect(Collectors.toList());
        }
        Set<String> replaced = own.stream().map(p -> artifact(p.getFileName().toString())).collect(Collectors.toSet());
        List<URL> urls = new ArrayList<>();
        for (Path p : own) {
            urls.add(p.toUri().toURL());
        }
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty() && !replaced.contains(artifact(Path.of(entry).getFileName().toString()))) {
                urls.add(toUrl(entry));
            }
        }
        return new URLClassLoader("s3proxy", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    /** "jackson-annotations-2.20.jar" → "jackson-annotations". */
    private static String artifact(String fileName) {
        return fileName.replaceFirst("-\\d[^-]*(-[A-Za-z0-9.]+)?\\.jar$", "");
    }

    private static URL toUrl(String entry) {
        try {
            return Path.of(entry).toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("bad classpath entry " + entry, e);
        }
    }
}
