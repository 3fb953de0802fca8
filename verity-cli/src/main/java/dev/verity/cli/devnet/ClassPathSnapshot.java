package dev.verity.cli.devnet;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;

/**
 * The class path the node processes run with: this JVM's, with every jar hard-linked (or copied)
 * into the devnet's own directory. A node restarted later then runs exactly the code the devnet
 * started with, even if the jars it was built from are rebuilt in the meantime.
 */
final class ClassPathSnapshot {
  private ClassPathSnapshot() {}

  static String take(Path libDir) throws IOException {
    Files.createDirectories(libDir);
    List<String> out = new ArrayList<>();
    int i = 0;
    for (Path entry : entries()) {
      if (Files.isRegularFile(entry) && entry.getFileName().toString().endsWith(".jar")) {
        Path t = libDir.resolve((i++) + "-" + entry.getFileName());
        Files.deleteIfExists(t);
        try {
          Files.createLink(t, entry);
        } catch (IOException | UnsupportedOperationException e) {
          Files.copy(entry, t, StandardCopyOption.REPLACE_EXISTING);
        }
        out.add(t.toString());
      } else {
        out.add(entry.toString());
      }
    }
    return String.join(File.pathSeparator, out);
  }

  /** The class path entries, with the Class-Path of a manifest-only launcher jar expanded. */
  static List<Path> entries() throws IOException {
    Set<Path> out = new LinkedHashSet<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (e.isBlank()) {
        continue;
      }
      Path p = Path.of(e).toAbsolutePath();
      out.add(p);
      if (Files.isRegularFile(p) && p.toString().endsWith(".jar")) {
        try (JarFile jar = new JarFile(p.toFile())) {
          var mf = jar.getManifest();
          String cp = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
          if (cp != null) {
            for (String ref : cp.trim().split("\\s+")) {
              try {
                URI u = p.toUri().resolve(ref);
                if ("file".equals(u.getScheme())) {
                  out.add(Path.of(u));
                }
              } catch (IllegalArgumentException x) {
                // not a file reference: leave it to the JVM
              }
            }
          }
        }
      }
    }
    return List.copyOf(out);
  }
}
