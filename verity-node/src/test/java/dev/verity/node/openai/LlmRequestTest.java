package dev.verity.node.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Digest;
import dev.verity.node.http.Json;
import dev.verity.receipt.VerificationPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archived LLM request: digest, JSON round trip, archive integrity, the policy member. */
class LlmRequestTest {
  static final LlmRequest SAMPLED =
      new LlmRequest(List.of(1, 403, 407), 124, 0.8f, 0.9f, -1L, List.of("park", "\u00e9"));

  @TempDir Path dir;

  @Test
  void digest_isTheReceiptInputDigest_goldenVector() {
    // The vector of LlmDigestsTest.input_goldenDigest_sampledWithStopsAndNegativeSeed.
    assertThat(SAMPLED.digest())
        .isEqualTo(
            Digest.parse(
                "sha256:82d18b0431febbcbc3739de349b6b468691abeec01d1fb5b8cf2be8ff95cd907"));
  }

  @Test
  void json_roundTrip_keepsEveryBitOfTheDigest() throws Exception {
    for (LlmRequest r :
        List.of(
            SAMPLED,
            new LlmRequest(List.of(1), 1, -0f, 1f, Long.MIN_VALUE, List.of()),
            new LlmRequest(List.of(5, 6), 7, 1.9999999f, 1e-7f, 3, List.of("a", "b")))) {
      String text = Json.MAPPER.writeValueAsString(r.toJson());
      LlmRequest back = LlmRequest.parse(Json.MAPPER.readTree(text));
      assertThat(back).isEqualTo(r);
      assertThat(back.digest()).isEqualTo(r.digest());
    }
  }

  @Test
  void parse_missingOrMalformedField_namesIt() {
    assertThatThrownBy(() -> LlmRequest.parse(Json.MAPPER.readTree("{\"maxTokens\":3}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("promptTokens");
    var o = SAMPLED.toJson();
    o.put("seed", "42");
    assertThatThrownBy(() -> LlmRequest.parse(o)).hasMessageContaining("seed");
    var p = SAMPLED.toJson();
    p.putArray("promptTokens").add(-1);
    assertThatThrownBy(() -> LlmRequest.parse(p)).hasMessageContaining("promptTokens");
  }

  @Test
  void archive_returnsTheRequestByDigest_andTreatsAnAlteredFileAsAbsent() throws Exception {
    LlmArchive a = new LlmArchive(dir);
    a.save(SAMPLED);
    assertThat(a.load(SAMPLED.digest())).contains(SAMPLED);
    assertThat(a.load(Digest.of(new byte[] {1}))).isEmpty();
    // A file whose content is another request (or damaged) is not served as this one.
    Path f = dir.resolve(SAMPLED.digest().hex() + ".json");
    LlmRequest other = new LlmRequest(List.of(1, 403, 407), 124, 0.8f, 0.9f, -2L, List.of());
    Files.write(f, Json.MAPPER.writeValueAsBytes(other.toJson()));
    assertThat(a.load(SAMPLED.digest())).isEmpty();
    Files.writeString(f, "{not json");
    assertThat(a.load(SAMPLED.digest())).isEmpty();
  }

  @Test
  void policyMember_parsed_concreteTiersOnly() throws Exception {
    var ok =
        CompletionRequest.parseCompletion(
            Json.MAPPER.readTree("{\"model\":\"m\",\"prompt\":\"a\",\"policy\":\"sample:0.25\"}"));
    assertThat(ok.policy().text()).isEqualTo("sample:0.25");
    assertThat(
            CompletionRequest.parseCompletion(
                    Json.MAPPER.readTree("{\"model\":\"m\",\"prompt\":\"a\"}"))
                .policy())
        .isEqualTo(VerificationPolicy.NONE);
    CompletionRequestTest.refused(
        "{\"model\":\"m\",\"prompt\":\"a\",\"policy\":\"sample:2\"}", false, "policy", "policy");
    CompletionRequestTest.refused(
        "{\"model\":\"m\",\"prompt\":\"a\",\"policy\":7}", false, "policy", "must be a string");
    CompletionRequestTest.refused(
        "{\"model\":\"m\",\"prompt\":\"a\",\"policy\":\"var:1000:100\"}",
        false,
        "policy",
        "value-at-risk");
  }
}
