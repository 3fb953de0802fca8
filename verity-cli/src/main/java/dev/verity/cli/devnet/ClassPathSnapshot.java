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
 * The class path the node processes run with: this JVM's, with every jar copied into the devnet's
 * own directory (a copy, not a link: a build may rewrite a jar in place). A node restarted later
 * then runs exactly the code the devnet started with, even if the jars it was built from are
 * rebuilt meanwhile; a jar caught half-written is copied again.
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
        copyWhole(entry, t);
        out.add(t.toString());
      } else {
        out.add(entry.toString());
      }
    }
    return String.join(File.pathSeparator, out);
  }

  /** Copies a jar, again after a pause while the copy is not a readable jar (mid-rebuild). */
  private static void copyWhole(Path from, Path to) throws IOException {
    for (int attempt = 1; ; attempt++) {
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
      try (JarFile jar = new JarFile(to.toFile())) {
        jar.size();
        return;
      } catch (IOException e) {
        if (attempt >= 10) {
          throw new IOException(
              "cannot take a readable copy of " + from + ": " + e.getMessage(), e);
        }
        try {
          Thread.sleep(500);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while copying " + from, ie);
        }
      }
    }
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
