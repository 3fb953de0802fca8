package dev.verity.hub.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestFileTest {
  private static final Digest D = Digest.of(new byte[0]);

  @TempDir Path dir;

  @Test
  void checkPath_eachBadPath_namesRule() {
    assertBad("", "empty");
    assertBad("../x", "path traversal");
    assertBad("a/../../x", "path traversal");
    assertBad("..", "path traversal");
    assertBad("/etc/passwd", "absolute");
    assertBad("a//b", "empty segment");
    assertBad("a/", "empty segment");
    assertBad("./a", "'.' segment");
    assertBad("a\\b", "backslash");
    assertBad("..\\x", "backslash");
    assertBad("C:/x", "':'");
    assertBad("a\0b", "NUL");
    assertBad("a\nb", "control character");
    assertBad("x".repeat(256), "segment longer than 255");
    assertBad("a/".repeat(600) + "b", "longer than 1024 bytes");
  }

  @Test
  void checkPath_ordinaryPaths_accepted() {
    for (String p :
        new String[] {"model.onnx", "weights/part-1.bin", ".hidden", "a..b", "…/é", "a b/c"}) {
      ManifestFile.checkPath(p);
    }
  }

  @Test
  void constructor_negativeSize_rejected() {
    assertThatThrownBy(() -> new ManifestFile("a", -1, D))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("size must be >= 0");
  }

  @Test
  void resolveUnder_nestedPath_staysUnderRoot() throws IOException {
    Path p = new ManifestFile("w/x.bin", 0, D).resolveUnder(dir);
    assertThat(p).isEqualTo(dir.toAbsolutePath().resolve("w").resolve("x.bin"));
  }

  @Test
  void resolveUnder_symlinkedDirectoryOutsideRoot_refused() throws IOException {
    Path outside = Files.createTempDirectory("outside");
    try {
      Files.createSymbolicLink(dir.resolve("w"), outside);
      assertThatThrownBy(() -> new ManifestFile("w/x.bin", 0, D).resolveUnder(dir))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("through a symbolic link");
    } finally {
      Files.deleteIfExists(outside);
    }
  }

  @Property(tries = 2000)
  void resolveUnder_anyAcceptedPath_isStrictlyInsideRoot(@ForAll("paths") String path)
      throws IOException {
    // Refused paths are discarded (counted by jqwik); the property is about the accepted ones.
    Assume.that(isAccepted(path));
    ManifestFile f = new ManifestFile(path, 0, D);
    Path root = Path.of("/tmp/verity-root").toAbsolutePath();
    Path resolved = f.resolveUnder(root);
    // Lexical check (AssertJ's Path.startsWith would canonicalize through the file system).
    assertThat(resolved.normalize().startsWith(root)).as(path).isTrue();
    assertThat(resolved.normalize()).isNotEqualTo(root);
    for (Path part : root.relativize(resolved.normalize())) {
      assertThat(part.toString()).isNotEqualTo("..");
    }
  }

  @Provide
  Arbitrary<String> paths() {
    Arbitrary<String> tricky =
        Arbitraries.of(
            "..", ".", "", "a", "b.bin", "~", "C:", "\\", "..\\..", "%2e%2e", "...", ".a", "a..");
    // Segments the checker accepts unless they are exactly "." or "..": dots in every position.
    Arbitrary<String> plausible =
        Arbitraries.strings().withChars("ab.~%").ofMinLength(1).ofMaxLength(5);
    Arbitrary<String> hostile = Arbitraries.strings().withChars("ab./\\:\0").ofMaxLength(5);
    Arbitrary<String> segment =
        Arbitraries.frequencyOf(Tuple.of(1, tricky), Tuple.of(3, plausible), Tuple.of(1, hostile));
    return segment.list().ofMinSize(1).ofMaxSize(5).map(l -> String.join("/", l));
  }

  private static boolean isAccepted(String path) {
    try {
      ManifestFile.checkPath(path);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void assertBad(String path, String message) {
    assertThatThrownBy(() -> ManifestFile.checkPath(path))
        .as(path)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
