package dev.verity.core.key;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.core.Bytes;
import dev.verity.core.FormatException;
import dev.verity.core.VerityException;
import dev.verity.core.json.CanonicalJson;
import dev.verity.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/**
 * Key files on disk.
 *
 * <p>Private key file (mode 0600), one line of canonical JSON plus a newline:
 *
 * <pre>{@code
 * {"publicKey":"ed25519:<base64 32 bytes>","seed":"<base64 32-byte RFC 8032 secret>","type":"verity-ed25519-private-key-v1"}
 * }</pre>
 *
 * Public key file: the key's text form and a newline, {@code ed25519:<base64 32 bytes>}.
 *
 * <p>Private key files are created with permissions 0600 from the first byte (a temp file created
 * with that mode in the same directory, fsynced, then hard-linked to the final name, which fails
 * rather than replace an existing file). Reading one refuses files that group or others may access.
 */
public final class KeyFiles {
  public static final String PRIVATE_TYPE = "verity-ed25519-private-key-v1";
  private static final Set<String> PRIVATE_FIELDS = Set.of("type", "seed", "publicKey");
  private static final long MAX_KEY_FILE = 4096;

  private KeyFiles() {}

  /**
   * Writes {@code key} to a new file at {@code path} with mode 0600.
   *
   * @throws FileAlreadyExistsException if {@code path} exists; key files are never overwritten
   */
  public static void writePrivate(Path path, SigningKey key) throws IOException {
    ObjectNode o = CanonicalJson.object();
    o.put("type", PRIVATE_TYPE);
    o.put("seed", key.seed().toBase64());
    o.put("publicKey", key.verifyingKey().toText());
    byte[] content =
        (CanonicalJson.encode(o).toUtf8String() + "\n").getBytes(StandardCharsets.UTF_8);
    writeNew(path, content, PosixFilePermissions.fromString("rw-------"));
  }

  /**
   * Reads a private key file written by {@link #writePrivate}.
   *
   * @throws InsecureKeyFileException if group or others have any permission on the file
   * @throws FormatException if the file is not a Verity private key file or is inconsistent
   */
  public static SigningKey readPrivate(Path path) throws IOException, VerityException {
    if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new FormatException("private key file " + path + " is not a regular file");
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
    Set<PosixFilePermission> loose = EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission p : perms) {
      if (!p.name().startsWith("OWNER")) {
        loose.add(p);
      }
    }
    if (!loose.isEmpty()) {
      throw new InsecureKeyFileException(
          "private key file "
              + path
              + " is accessible by group or others (mode "
              + PosixFilePermissions.toString(perms)
              + "); refusing to use it. Run: chmod 600 "
              + path);
    }
    byte[] bytes = readSmall(path, "private key file");
    JsonObject o =
        JsonObject.of(
                CanonicalJson.parse(bytes, "private key file " + path), "private key file " + path)
            .allowOnly(PRIVATE_FIELDS);
    String type = o.requireString("type");
    if (!PRIVATE_TYPE.equals(type)) {
      throw new FormatException(
          "private key file " + path + ": type is '" + type + "', expected '" + PRIVATE_TYPE + "'");
    }
    byte[] seed;
    try {
      seed = Base64.getDecoder().decode(o.requireString("seed"));
    } catch (IllegalArgumentException e) {
      throw new FormatException("private key file " + path + ": seed is not valid base64", e);
    }
    if (seed.length != SigningKey.SEED_LENGTH) {
      throw new FormatException(
          "private key file " + path + ": seed must be 32 bytes, got " + seed.length);
    }
    SigningKey key = SigningKey.fromSeed(Bytes.copyOf(seed));
    VerifyingKey declared = VerifyingKey.parse(o.requireString("publicKey"));
    if (!declared.equals(key.verifyingKey())) {
      throw new FormatException(
          "private key file " + path + " is corrupt: its publicKey does not match its seed");
    }
    return key;
  }

  /** Writes the public key's text form to a new file (mode 0644); never overwrites. */
  public static void writePublic(Path path, VerifyingKey key) throws IOException {
    writeNew(
        path,
        (key.toText() + "\n").getBytes(StandardCharsets.US_ASCII),
        PosixFilePermissions.fromString("rw-r--r--"));
  }

  /** Reads a public key file: {@code ed25519:<base64>} with optional surrounding whitespace. */
  public static VerifyingKey readPublic(Path path) throws IOException, FormatException {
    byte[] bytes = readSmall(path, "public key file");
    try {
      return VerifyingKey.parse(new String(bytes, StandardCharsets.UTF_8).strip());
    } catch (FormatException e) {
      throw new FormatException("public key file " + path + ": " + e.getMessage(), e);
    }
  }

  private static byte[] readSmall(Path path, String what) throws IOException, FormatException {
    long size = Files.size(path);
    if (size > MAX_KEY_FILE) {
      throw new FormatException(what + " " + path + " is too large (" + size + " bytes)");
    }
    return Files.readAllBytes(path);
  }

  private static void writeNew(Path path, byte[] content, Set<PosixFilePermission> perms)
      throws IOException {
    Path abs = path.toAbsolutePath();
    Path dir = abs.getParent();
    if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(
          abs.toString(), null, "refusing to overwrite a key file");
    }
    Path tmp = dir.resolve("." + abs.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(perms))) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      // The umask may have removed bits; set the exact mode (never adds group/other for 0600).
      Files.setPosixFilePermissions(tmp, perms);
      // A hard link publishes the file atomically and fails if the name is taken, unlike rename.
      Files.createLink(abs, tmp);
      fsyncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems cannot fsync directories; the file itself is already durable.
    }
  }
}
