package dev.verity.core.dsse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.core.Bytes;
import dev.verity.core.FormatException;
import dev.verity.core.SignatureVerificationException;
import dev.verity.core.json.CanonicalJson;
import dev.verity.core.json.JsonObject;
import dev.verity.core.key.SigningKey;
import dev.verity.core.key.VerifyingKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A DSSE envelope (https://github.com/secure-systems-lab/dsse, protocol v1.0, JSON envelope).
 *
 * <p>Signatures are Ed25519 over {@link #pae PAE(payloadType, payload)}. JSON written by {@link
 * #toJson()} is Verity canonical JSON: {@code
 * {"payload":"<b64>","payloadType":"<type>","signatures":[{"keyid":"<id>","sig":"<b64>"}]}} with
 * standard padded base64. {@link #parse} accepts standard or URL-safe base64 (as DSSE allows),
 * padding optional, any member order and whitespace; it rejects unknown members, missing members,
 * wrong JSON types, bad base64, and more than {@link #MAX_SIGNATURES} signatures.
 */
public record DsseEnvelope(String payloadType, Bytes payload, List<DsseSignature> signatures) {
  public static final int MAX_SIGNATURES = 16;

  private static final Set<String> ENVELOPE_FIELDS = Set.of("payload", "payloadType", "signatures");
  private static final Set<String> SIGNATURE_FIELDS = Set.of("keyid", "sig");

  public DsseEnvelope {
    Objects.requireNonNull(payloadType, "payloadType");
    Objects.requireNonNull(payload, "payload");
    signatures = List.copyOf(signatures);
    if (signatures.size() > MAX_SIGNATURES) {
      throw new IllegalArgumentException(
          "an envelope holds at most " + MAX_SIGNATURES + " signatures, got " + signatures.size());
    }
  }

  /**
   * DSSE v1 pre-authentication encoding: {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP
   * body}, where LEN is the byte length in ASCII decimal without leading zeros, type is UTF-8, and
   * SP is one 0x20 byte.
   */
  public static Bytes pae(String payloadType, Bytes payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    String head = "DSSEv1 " + type.length + " ";
    String mid = " " + payload.length() + " ";
    return Bytes.utf8(head).concat(Bytes.copyOf(type)).concat(Bytes.utf8(mid)).concat(payload);
  }

  /** An envelope over {@code payload} with one signature by {@code key}. */
  public static DsseEnvelope sign(String payloadType, Bytes payload, SigningKey key) {
    return new DsseEnvelope(payloadType, payload, List.of()).addSignature(key);
  }

  /** This envelope with one more signature, by {@code key}. */
  public DsseEnvelope addSignature(SigningKey key) {
    List<DsseSignature> sigs = new ArrayList<>(signatures);
    sigs.add(new DsseSignature(key.verifyingKey().keyId(), key.sign(pae(payloadType, payload))));
    return new DsseEnvelope(payloadType, payload, sigs);
  }

  /**
   * Finds a signature by one of the {@code trusted} keys that verifies, and returns that key.
   *
   * <p>A signature's key id selects which trusted keys to try (all of them when the id is empty);
   * key ids are hints, the signature check is what counts.
   *
   * @throws SignatureVerificationException if the envelope is unsigned, every signature is by a key
   *     not in {@code trusted}, or the signature by a trusted key does not verify
   */
  public VerifyingKey verify(Collection<VerifyingKey> trusted)
      throws SignatureVerificationException {
    if (signatures.isEmpty()) {
      throw new SignatureVerificationException("envelope is unsigned: it has no signatures");
    }
    if (trusted.isEmpty()) {
      throw new SignatureVerificationException("no trusted keys given to verify the envelope");
    }
    Bytes pae = pae(payloadType, payload);
    Set<String> bad = new TreeSet<>();
    Set<String> unknown = new TreeSet<>();
    Set<String> malformed = new TreeSet<>();
    for (DsseSignature sig : signatures) {
      if (sig.sig().length() != 64) {
        malformed.add(
            (sig.keyid().isEmpty() ? "(no key id)" : sig.keyid())
                + ": "
                + sig.sig().length()
                + " bytes");
        continue;
      }
      List<VerifyingKey> candidates = new ArrayList<>();
      for (VerifyingKey key : trusted) {
        if (sig.keyid().isEmpty() || sig.keyid().equals(key.keyId())) {
          candidates.add(key);
        }
      }
      for (VerifyingKey key : candidates) {
        try {
          key.verify(pae, sig.sig());
          return key;
        } catch (SignatureVerificationException e) {
          // Keep looking: another signature may be by a trusted key.
        }
      }
      if (candidates.size() == 1) {
        bad.add(candidates.get(0).keyId());
      } else {
        unknown.add(sig.keyid().isEmpty() ? "(no key id)" : sig.keyid());
      }
    }
    if (!bad.isEmpty()) {
      throw new SignatureVerificationException(
          "bad signature: the signature by trusted key "
              + String.join(", ", bad)
              + " does not verify over payload type '"
              + payloadType
              + "' (payload or signature altered)");
    }
    if (!malformed.isEmpty() && unknown.isEmpty()) {
      throw new SignatureVerificationException(
          "malformed signature(s) " + malformed + ": an Ed25519 signature has 64 bytes");
    }
    List<String> trustedIds = new ArrayList<>();
    trusted.forEach(k -> trustedIds.add(k.keyId()));
    throw new SignatureVerificationException(
        "envelope is signed only by unknown key(s) " + unknown + "; trusted: " + trustedIds);
  }

  /** Canonical JSON bytes of the envelope. */
  public Bytes toJson() {
    ObjectNode root = CanonicalJson.object();
    root.put("payload", payload.toBase64());
    root.put("payloadType", payloadType);
    ArrayNode sigs = root.putArray("signatures");
    for (DsseSignature s : signatures) {
      ObjectNode o = sigs.addObject();
      o.put("keyid", s.keyid());
      o.put("sig", s.sig().toBase64());
    }
    return CanonicalJson.encode(root);
  }

  public static DsseEnvelope parse(Bytes json) throws FormatException {
    return parse(json.toByteArray());
  }

  /**
   * Parses a DSSE JSON envelope.
   *
   * @throws FormatException naming the member that is missing, unknown, mistyped or badly encoded
   */
  public static DsseEnvelope parse(byte[] json) throws FormatException {
    JsonNode root = CanonicalJson.parse(json, "DSSE envelope");
    JsonObject env = JsonObject.of(root, "envelope").allowOnly(ENVELOPE_FIELDS);
    String payloadType = env.requireString("payloadType");
    Bytes payload = decodeBase64(env.requireString("payload"), env.child("payload"));
    List<JsonNode> sigNodes = env.requireArray("signatures");
    if (sigNodes.size() > MAX_SIGNATURES) {
      throw new FormatException(
          "envelope.signatures: at most " + MAX_SIGNATURES + " allowed, got " + sigNodes.size());
    }
    List<DsseSignature> sigs = new ArrayList<>();
    for (int i = 0; i < sigNodes.size(); i++) {
      JsonObject s =
          JsonObject.of(sigNodes.get(i), "envelope.signatures[" + i + "]")
              .allowOnly(SIGNATURE_FIELDS);
      String keyid = s.optionalString("keyid");
      Bytes sig = decodeBase64(s.requireString("sig"), s.child("sig"));
      sigs.add(new DsseSignature(keyid == null ? "" : keyid, sig));
    }
    return new DsseEnvelope(payloadType, payload, sigs);
  }

  private static Bytes decodeBase64(String text, String where) throws FormatException {
    boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
    try {
      return Bytes.copyOf((urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text));
    } catch (IllegalArgumentException e) {
      throw new FormatException(where + ": not valid base64: " + e.getMessage(), e);
    }
  }
}
