package dev.verity.log.witness;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.core.Bytes;
import dev.verity.receipt.StrictJson;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Two checkpoints, both signed by one log, that cannot both be honest: the same size with different
 * roots (conclusive on its own), or a larger one whose consistency proof from the smaller one
 * failed (anyone can ask the log for a valid proof; an honest log can always give one). Kept as the
 * signed note texts plus the proof that was offered.
 */
public record ForkEvidence(
    Kind kind,
    String origin,
    String earlierCheckpoint,
    String laterCheckpoint,
    List<Bytes> offeredProof,
    long detectedAtSeconds) {

  public enum Kind {
    SAME_SIZE_DIFFERENT_ROOT,
    CONSISTENCY_PROOF_FAILED
  }

  public ForkEvidence {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(earlierCheckpoint, "earlierCheckpoint");
    Objects.requireNonNull(laterCheckpoint, "laterCheckpoint");
    offeredProof = List.copyOf(offeredProof);
  }

  public String toJson() {
    ObjectNode o = StrictJson.MAPPER.createObjectNode();
    o.put("kind", kind.name());
    o.put("origin", origin);
    o.put("earlierCheckpoint", earlierCheckpoint);
    o.put("laterCheckpoint", laterCheckpoint);
    ArrayNode p = o.putArray("offeredProof");
    offeredProof.forEach(h -> p.add(Base64.getEncoder().encodeToString(h.toByteArray())));
    o.put("detectedAtSeconds", detectedAtSeconds);
    return o.toPrettyString() + "\n";
  }
}
