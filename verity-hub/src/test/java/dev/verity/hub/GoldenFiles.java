package dev.verity.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden fixture files under {@code src/test/resources/golden}. Tests compare freshly computed
 * bytes with the committed files; running with {@code -Dverity.golden.update=true} rewrites them
 * (review the diff before committing).
 */
public final class GoldenFiles {
  private GoldenFiles() {}

  public static Path dir() {
    return Path.of("src", "test", "resources", "golden");
  }

  public static byte[] read(String name) throws IOException {
    return Files.readAllBytes(dir().resolve(name));
  }

  public static void assertMatches(String name, byte[] actual) throws IOException {
    Path file = dir().resolve(name);
    if (Boolean.getBoolean("verity.golden.update")) {
      Files.createDirectories(file.getParent());
      Files.write(file, actual);
    }
    assertThat(Files.exists(file)).as("golden file %s exists", file).isTrue();
    assertThat(new String(actual, java.nio.charset.StandardCharsets.UTF_8))
        .as("golden file %s", name)
        .isEqualTo(Files.readString(file));
    assertThat(actual).isEqualTo(Files.readAllBytes(file));
  }
}
