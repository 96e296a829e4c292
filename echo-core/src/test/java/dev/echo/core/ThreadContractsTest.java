package dev.echo.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The house rule that every public type's Javadoc states its thread contract (docs/architecture.md, "Build gates"),
 * checked over the main sources of every module of the project. Checkstyle's {@code MissingJavadocType} asks for the
 * Javadoc; this asks that it say how the type may be used across threads.
 */
class ThreadContractsTest {
    /** What a contract names: the threads it may be used from, or why any thread will do. */
    private static final Pattern CONTRACT =
            Pattern.compile("thread|immutable|stateless|pure function", Pattern.CASE_INSENSITIVE);
    /** The Javadoc right before a top-level public class, interface or record (annotations may sit between). */
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "(/\\*\\*(?:(?!\\*/).)*\\*/)\\s*(?:@[\\w.]+(?:\\([^)]*\\))?\\s*)*"
                    + "^public\\s+(?:(?:final|abstract|sealed|non-sealed)\\s+)*(?:class|interface|record)\\s+(\\w+)",
            Pattern.DOTALL | Pattern.MULTILINE);

    @Test
    void everyPublicTypeStatesItsThreadContract() throws IOException {
        List<Path> sources = mainSources();
        assertTrue(sources.size() > 100, "found the project's sources: " + sources.size());
        List<String> silent = sources.stream()
                .flatMap(ThreadContractsTest::typesWithoutAContract)
                .toList();
        assertEquals(List.of(), silent, "public types whose Javadoc states no thread contract");
    }

    private static Stream<String> typesWithoutAContract(Path source) {
        try {
            Matcher type = PUBLIC_TYPE.matcher(Files.readString(source));
            if (!type.find() || CONTRACT.matcher(type.group(1)).find()) {
                return Stream.empty();
            }
            return Stream.of(type.group(2) + " (" + source.getFileName() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every module's src/main/java, found from this module's directory (Maven runs tests there). */
    private static List<Path> mainSources() throws IOException {
        Path project = Path.of("").toAbsolutePath().getParent();
        try (Stream<Path> modules = Files.list(project)) {
            return modules.map(module -> module.resolve("src/main/java"))
                    .filter(Files::isDirectory)
                    .flatMap(ThreadContractsTest::javaFiles)
                    .sorted()
                    .toList();
        }
    }

    private static Stream<Path> javaFiles(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> file.toString().endsWith(".java")).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
