package io.dfq.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Files the dashboard sends as they are: its own scripts and styles and Apache ECharts from the
 * class path, and trial artifacts from the artifact directory.
 *
 * <p>Static files come from a fixed list, never from a path in the request, and ECharts from its
 * WebJar, so nothing is fetched from the network at run time. An artifact is sent only when its
 * recorded path, resolved under the artifact root, stays under it and is a regular file: a
 * recorded {@code ../} or a directory (a teacher's folder) is not served.
 */
final class Assets {

    /** ECharts in its WebJar; the version is the dashboard pom's {@code echarts.version}. */
    static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";

    private static final Map<String, String> STATIC = Map.of(
            "echarts.min.js", ECHARTS,
            "dfq.css", "static/dfq.css",
            "dfq.js", "static/dfq.js",
            "leaderboard.js", "static/leaderboard.js",
            "charts.js", "static/charts.js",
            "ablation.js", "static/ablation.js",
            "trial.js", "static/trial.js");

    private static final Map<String, String> TYPES = Map.of(
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "png", "image/png",
            "json", "application/json", "txt", Reply.TEXT);

    private final Path artifacts;

    Assets(Path artifacts) {
        this.artifacts = artifacts.toAbsolutePath().normalize();
    }

    /** The static file {@code name} ({@code /static/NAME}). */
    Reply file(String name) {
        String resource = STATIC.get(name);
        if (resource == null) {
            throw HttpError.notFound("no static file " + name);
        }
        try (InputStream in = Assets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the class path");
            }
            return new Reply(200, type(name), in.readAllBytes(), Map.of("Cache-Control", "max-age=3600"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + resource, e);
        }
    }

    /** Whether the artifact at {@code relative} (as recorded) is a file that {@link #artifact} sends. */
    boolean isFile(String relative) {
        Path file = resolve(relative);
        return file != null && Files.isRegularFile(file);
    }

    /**
     * The artifact file at {@code relative}: inline when the browser shows it (PNG, JSON, text),
     * else as a download.
     */
    Reply artifact(String relative) {
        Path file = resolve(relative);
        if (file == null || !Files.isRegularFile(file)) {
            throw HttpError.notFound("artifact " + relative + " is not a file under the artifact directory");
        }
        String name = file.getFileName().toString();
        String type = TYPES.getOrDefault(extension(name), "application/octet-stream");
        Map<String, String> headers = type.equals("application/octet-stream")
                ? Map.of("Content-Disposition", "attachment; filename=\"" + name.replaceAll("[^A-Za-z0-9._-]", "_")
                        + "\"")
                : Map.of();
        try {
            return new Reply(200, type, Files.readAllBytes(file), headers);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read artifact " + file, e);
        }
    }

    private Path resolve(String relative) {
        Path file = artifacts.resolve(relative).normalize();
        return file.startsWith(artifacts) ? file : null;
    }

    private static String type(String name) {
        return TYPES.getOrDefault(extension(name), "application/octet-stream");
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
