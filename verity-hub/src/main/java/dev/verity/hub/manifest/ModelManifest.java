package dev.verity.hub.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.FormatException;
import dev.verity.core.json.CanonicalJson;
import dev.verity.core.json.JsonObject;
import dev.verity.core.key.VerifyingKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a publisher states about a model: the predicate of an in-toto Statement v1 whose subjects
 * are the model's files. See verity-hub/README.md for the exact bytes.
 *
 * <p>{@code parent}, {@code license}, {@code description} and {@code source} are optional: {@code
 * parent} is {@code null} when absent (use {@link #parentDigest()}), the strings are {@code ""}
 * when absent and are then omitted from the JSON. {@code createdAt} has whole-second precision.
 * Files are kept sorted by path; paths are unique.
 */
public record ModelManifest(
    String name,
    String version,
    ModelFormat format,
    List<ManifestFile> files,
    Digest parent,
    String license,
    String description,
    String source,
    Instant createdAt,
    VerifyingKey publisher) {

  public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
  public static final String PREDICATE_TYPE = "https://verity.dev/ModelManifest/v1";
  public static final int MAX_FILES = 100_000;
  public static final int MAX_TEXT = 4096;

  /** Names: lower-case letters, digits, '.', '_', '-'; starting with a letter or digit. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");

  /** Versions: letters, digits, '.', '_', '+', '-'; starting with a letter or digit. */
  public static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");

  private static final Set<String> STATEMENT_FIELDS =
      Set.of("_type", "subject", "predicateType", "predicate");
  private static final Set<String> SUBJECT_FIELDS = Set.of("name", "digest");
  private static final Set<String> SUBJECT_DIGEST_FIELDS = Set.of("sha256");
  private static final Set<String> PREDICATE_FIELDS =
      Set.of(
          "name",
          "version",
          "format",
          "files",
          "parent",
          "license",
          "description",
          "source",
          "createdAt",
          "publisher");
  private static final Set<String> FILE_FIELDS = Set.of("path", "size", "digest");
  private static final Pattern RFC3339_UTC =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");

  public ModelManifest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(files, "files");
    Objects.requireNonNull(license, "license");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(publisher, "publisher");
    checkName(name);
    checkVersion(version);
    checkText("license", license);
    checkText("description", description);
    checkText("source", source);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("a model has at least one file");
    }
    if (files.size() > MAX_FILES) {
      throw new IllegalArgumentException(
          "a model has at most " + MAX_FILES + " files, got " + files.size());
    }
    List<ManifestFile> sorted = new ArrayList<>(files);
    sorted.sort((a, b) -> a.path().compareTo(b.path()));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).path().equals(sorted.get(i - 1).path())) {
        throw new IllegalArgumentException("duplicate file path '" + sorted.get(i).path() + "'");
      }
    }
    files = List.copyOf(sorted);
    createdAt = createdAt.truncatedTo(ChronoUnit.SECONDS);
  }

  /** Throws {@link IllegalArgumentException} naming the rule if {@code name} is not valid. */
  public static void checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "bad model name '"
              + abbreviate(name)
              + "': use 1-128 lower-case letters, digits, '.', '_' or '-', starting with a letter"
              + " or digit");
    }
  }

  /** Throws {@link IllegalArgumentException} naming the rule if {@code version} is not valid. */
  public static void checkVersion(String version) {
    if (!VERSION.matcher(version).matches()) {
      throw new IllegalArgumentException(
          "bad model version '"
              + abbreviate(version)
              + "': use 1-64 letters, digits, '.', '_', '+' or '-', starting with a letter or"
              + " digit");
    }
  }

  public Optional<Digest> parentDigest() {
    return Optional.ofNullable(parent);
  }

  /** Sum of all file sizes. */
  public long totalSize() {
    long total = 0;
    for (ManifestFile f : files) {
      total = Math.addExact(total, f.size());
    }
    return total;
  }

  /** The file at {@code path}, if the model has one. */
  public Optional<ManifestFile> file(String path) {
    return files.stream().filter(f -> f.path().equals(path)).findFirst();
  }

  /** The in-toto Statement as a JSON tree. */
  public ObjectNode toStatement() {
    ObjectNode st = CanonicalJson.object();
    st.put("_type", STATEMENT_TYPE);
    ArrayNode subjects = st.putArray("subject");
    for (ManifestFile f : files) {
      ObjectNode s = subjects.addObject();
      s.put("name", f.path());
      s.putObject("digest").put("sha256", f.digest().hex());
    }
    st.put("predicateType", PREDICATE_TYPE);
    ObjectNode p = st.putObject("predicate");
    p.put("name", name);
    p.put("version", version);
    p.put("format", format.id());
    ArrayNode fs = p.putArray("files");
    for (ManifestFile f : files) {
      ObjectNode o = fs.addObject();
      o.put("path", f.path());
      o.put("size", f.size());
      o.put("digest", f.digest().toString());
    }
    if (parent != null) {
      p.put("parent", parent.toString());
    }
    putIfPresent(p, "license", license);
    putIfPresent(p, "description", description);
    putIfPresent(p, "source", source);
    p.put("createdAt", createdAt.toString());
    p.put("publisher", publisher.toText());
    return st;
  }

  /** Canonical JSON bytes of the statement: the DSSE payload whose SHA-256 is the digest. */
  public Bytes toStatementBytes() {
    return CanonicalJson.encode(toStatement());
  }

  /**
   * Parses statement bytes. They must be canonical JSON, a Statement v1 with this predicate type,
   * subjects equal to the predicate's files, and must re-encode to exactly the same bytes, so that
   * one manifest has exactly one digest.
   */
  public static ModelManifest parseStatement(Bytes payload) throws FormatException {
    JsonNode root = CanonicalJson.parseCanonical(payload.toByteArray(), "manifest statement");
    JsonObject st = JsonObject.of(root, "statement").allowOnly(STATEMENT_FIELDS);
    String type = st.requireString("_type");
    if (!STATEMENT_TYPE.equals(type)) {
      throw new FormatException(
          "statement._type is '" + abbreviate(type) + "', expected '" + STATEMENT_TYPE + "'");
    }
    String predicateType = st.requireString("predicateType");
    if (!PREDICATE_TYPE.equals(predicateType)) {
      throw new FormatException(
          "statement.predicateType is '"
              + abbreviate(predicateType)
              + "', expected '"
              + PREDICATE_TYPE
              + "'");
    }
    JsonObject p = st.requireObject("predicate").allowOnly(PREDICATE_FIELDS);
    String name = p.requireString("name");
    String version = p.requireString("version");
    try {
      checkName(name);
      checkVersion(version);
    } catch (IllegalArgumentException e) {
      throw new FormatException("predicate: " + e.getMessage(), e);
    }
    ModelFormat format = ModelFormat.parse(p.requireString("format"));
    List<JsonNode> fileNodes = p.requireArray("files");
    if (fileNodes.isEmpty()) {
      throw new FormatException("predicate.files: a model has at least one file");
    }
    if (fileNodes.size() > MAX_FILES) {
      throw new FormatException("predicate.files: more than " + MAX_FILES + " files");
    }
    List<ManifestFile> files = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String previous = null;
    for (int i = 0; i < fileNodes.size(); i++) {
      JsonObject f = JsonObject.of(fileNodes.get(i), "predicate.files[" + i + "]");
      f.allowOnly(FILE_FIELDS);
      String path = f.requireString("path");
      long size = f.requireLong("size");
      Digest digest = parseDigest(f.requireString("digest"), f.child("digest"));
      ManifestFile file;
      try {
        file = new ManifestFile(path, size, digest);
      } catch (IllegalArgumentException e) {
        throw new FormatException(f.path() + ": " + e.getMessage(), e);
      }
      if (!seen.add(path)) {
        throw new FormatException(f.path() + ": duplicate file path '" + path + "'");
      }
      if (previous != null && previous.compareTo(path) > 0) {
        throw new FormatException(
            f.path() + ": files must be sorted by path ('" + path + "' after '" + previous + "')");
      }
      previous = path;
      files.add(file);
    }
    checkSubjects(st.requireArray("subject"), files);
    Digest parent = null;
    String parentText = p.optionalString("parent");
    if (parentText != null) {
      parent = parseDigest(parentText, p.child("parent"));
    }
    String license = optionalText(p, "license");
    String description = optionalText(p, "description");
    String source = optionalText(p, "source");
    String created = p.requireString("createdAt");
    if (!RFC3339_UTC.matcher(created).matches()) {
      throw new FormatException(
          "predicate.createdAt: expected RFC 3339 UTC with whole seconds like"
              + " 2026-01-31T12:00:00Z, got '"
              + abbreviate(created)
              + "'");
    }
    Instant createdAt;
    try {
      createdAt = Instant.parse(created);
    } catch (DateTimeParseException e) {
      throw new FormatException("predicate.createdAt: not a valid time: " + created, e);
    }
    VerifyingKey publisher;
    try {
      publisher = VerifyingKey.parse(p.requireString("publisher"));
    } catch (FormatException e) {
      throw new FormatException("predicate.publisher: " + e.getMessage(), e);
    }
    ModelManifest m;
    try {
      m =
          new ModelManifest(
              name,
              version,
              format,
              files,
              parent,
              license,
              description,
              source,
              createdAt,
              publisher);
    } catch (IllegalArgumentException e) {
      throw new FormatException("predicate: " + e.getMessage(), e);
    }
    if (!m.toStatementBytes().equals(payload)) {
      throw new FormatException(
          "manifest statement is not in the canonical form Verity writes for it");
    }
    return m;
  }

  private static void checkSubjects(List<JsonNode> subjects, List<ManifestFile> files)
      throws FormatException {
    if (subjects.size() != files.size()) {
      throw new FormatException(
          "statement.subject has "
              + subjects.size()
              + " entries but predicate.files has "
              + files.size()
              + "; there must be one subject per file");
    }
    for (int i = 0; i < subjects.size(); i++) {
      JsonObject s =
          JsonObject.of(subjects.get(i), "statement.subject[" + i + "]").allowOnly(SUBJECT_FIELDS);
      String name = s.requireString("name");
      JsonObject d = s.requireObject("digest").allowOnly(SUBJECT_DIGEST_FIELDS);
      String hex = d.requireString("sha256");
      ManifestFile f = files.get(i);
      if (!name.equals(f.path()) || !hex.equals(f.digest().hex())) {
        throw new FormatException(
            s.path()
                + " ('"
                + abbreviate(name)
                + "', sha256 "
                + abbreviate(hex)
                + ") does not match predicate.files["
                + i
                + "] ('"
                + f.path()
                + "', "
                + f.digest()
                + ")");
      }
    }
  }

  private static Digest parseDigest(String text, String where) throws FormatException {
    try {
      return Digest.parse(text);
    } catch (IllegalArgumentException e) {
      throw new FormatException(where + ": " + e.getMessage(), e);
    }
  }

  private static String optionalText(JsonObject p, String name) throws FormatException {
    String v = p.optionalString(name);
    if (v == null) {
      return "";
    }
    if (v.isEmpty()) {
      throw new FormatException(p.child(name) + ": omit the field instead of an empty string");
    }
    try {
      checkText(name, v);
    } catch (IllegalArgumentException e) {
      throw new FormatException("predicate." + e.getMessage(), e);
    }
    return v;
  }

  private static void checkText(String field, String value) {
    if (value.length() > MAX_TEXT) {
      throw new IllegalArgumentException(field + " is longer than " + MAX_TEXT + " characters");
    }
  }

  private static void putIfPresent(ObjectNode o, String name, String value) {
    if (!value.isEmpty()) {
      o.put(name, value);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }
}
