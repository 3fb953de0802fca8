package dev.verity.hub.manifest;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.core.FormatException;
import dev.verity.core.SignatureVerificationException;
import dev.verity.core.dsse.DsseEnvelope;
import dev.verity.core.key.SigningKey;
import dev.verity.core.key.VerifyingKey;
import java.util.List;
import java.util.Objects;

/**
 * A model manifest signed as a DSSE envelope, with its parsed statement and its digest.
 *
 * <p>The manifest digest is SHA-256 of the DSSE payload bytes, i.e. of the canonical statement JSON
 * ({@link ModelManifest#toStatementBytes()}); it does not depend on the signatures.
 */
public record SignedManifest(DsseEnvelope envelope, ModelManifest manifest, Digest digest) {
  /** The DSSE payload type of in-toto statements. */
  public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";

  public SignedManifest {
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(digest, "digest");
    if (!envelope.payloadType().equals(PAYLOAD_TYPE)) {
      throw new IllegalArgumentException("payloadType must be " + PAYLOAD_TYPE);
    }
    if (!Digest.of(envelope.payload()).equals(digest)) {
      throw new IllegalArgumentException("digest does not match the envelope payload");
    }
    if (!manifest.toStatementBytes().equals(envelope.payload())) {
      throw new IllegalArgumentException("manifest does not match the envelope payload");
    }
  }

  /** Signs {@code manifest} with {@code key}, which must be the manifest's publisher key. */
  public static SignedManifest sign(ModelManifest manifest, SigningKey key) {
    if (!key.verifyingKey().equals(manifest.publisher())) {
      throw new IllegalArgumentException(
          "signing key "
              + key.verifyingKey().toText()
              + " is not the manifest's publisher "
              + manifest.publisher().toText());
    }
    Bytes payload = manifest.toStatementBytes();
    return new SignedManifest(
        DsseEnvelope.sign(PAYLOAD_TYPE, payload, key), manifest, Digest.of(payload));
  }

  /**
   * Parses envelope JSON and the statement inside it. Does not check signatures: call {@link
   * #verify()}.
   *
   * @throws FormatException if the envelope is malformed, its payload type is not {@value
   *     #PAYLOAD_TYPE}, or the statement is not a valid Verity model manifest
   */
  public static SignedManifest parse(byte[] envelopeJson) throws FormatException {
    DsseEnvelope env = DsseEnvelope.parse(envelopeJson);
    if (!PAYLOAD_TYPE.equals(env.payloadType())) {
      throw new FormatException(
          "wrong payloadType '"
              + abbreviate(env.payloadType())
              + "': a model manifest envelope has payloadType '"
              + PAYLOAD_TYPE
              + "'");
    }
    ModelManifest m = ModelManifest.parseStatement(env.payload());
    return new SignedManifest(env, m, Digest.of(env.payload()));
  }

  public static SignedManifest parse(Bytes envelopeJson) throws FormatException {
    return parse(envelopeJson.toByteArray());
  }

  /** Canonical JSON of the envelope. */
  public byte[] toJson() {
    return envelope.toJson().toByteArray();
  }

  /**
   * Checks that the envelope carries a valid signature by the publisher key named in the manifest.
   *
   * @throws SignatureVerificationException if unsigned, signed only by other keys, or the signature
   *     does not verify (tampered payload or signature)
   */
  public void verify() throws SignatureVerificationException {
    try {
      envelope.verify(List.of(manifest.publisher()));
    } catch (SignatureVerificationException e) {
      throw new SignatureVerificationException(
          "manifest " + digest + " (" + label() + "): " + e.getMessage(), e);
    }
  }

  /**
   * Like {@link #verify()}, and also requires the publisher to be {@code expected}.
   *
   * @throws SignatureVerificationException "signed by X, expected Y" if the publisher differs
   */
  public void verify(VerifyingKey expected) throws SignatureVerificationException {
    Objects.requireNonNull(expected, "expected");
    verify();
    if (!manifest.publisher().equals(expected)) {
      throw new SignatureVerificationException(
          "manifest "
              + digest
              + " ("
              + label()
              + ") is signed by "
              + manifest.publisher().toText()
              + ", expected "
              + expected.toText());
    }
  }

  private String label() {
    return manifest.name() + " " + manifest.version();
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }
}
