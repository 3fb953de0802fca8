package dev.verity.log.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes files so that readers see either the old or the complete new content: temp file in the
 * same directory, fsync, atomic rename, fsync of the directory.
 */
public final class AtomicFiles {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private AtomicFiles() {}

  /** Replaces {@code target} with {@code content}, readable by everyone who can read the dir. */
  public static void write(Path target, byte[] content) throws IOException {
    write(target, content, false);
  }

  /** Replaces {@code target} with {@code content} in a file created with mode 0600. */
  public static void writeSecret(Path target, byte[] content) throws IOException {
    write(target, content, true);
  }

  private static void write(Path target, byte[] content, boolean secret) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp =
        dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    Files.deleteIfExists(tmp);
    FileAttribute<?>[] attrs =
        secret && supportsPosix(dir)
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
            : new FileAttribute<?>[0];
    try (FileChannel ch =
        FileChannel.open(
            tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
      ByteBuffer buf = ByteBuffer.wrap(content);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    } catch (FileAlreadyExistsException e) {
      throw new IOException("temporary file " + tmp + " appeared concurrently", e);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    fsyncDirectory(dir);
  }

  /** Makes a rename or file creation in {@code dir} durable. */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open directories; the rename is then as durable as it gets.
      if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")) {
        throw e;
      }
    }
  }

  /** Throws unless {@code file} is readable and writable by its owner only. */
  public static void requireOwnerOnly(Path file) throws IOException {
    if (!supportsPosix(file)) {
      return;
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
    if (!OWNER_ONLY.containsAll(perms)) {
      throw new IOException(
          "key file "
              + file
              + " is accessible by group or others ("
              + PosixFilePermissions.toString(perms)
              + "); restrict it with chmod 600");
    }
  }

  private static boolean supportsPosix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
