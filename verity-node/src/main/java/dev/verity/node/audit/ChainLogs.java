package dev.verity.node.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verity.core.Bytes;
import dev.verity.node.http.Json;
import dev.verity.receipt.eth.Keccak;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads contract events with {@code eth_getLogs} over JSON-RPC. */
public final class ChainLogs {
  /** One event: its topics and its data, as raw bytes. */
  public record Log(List<Bytes> topics, Bytes data, long block) {
    public Log {
      topics = List.copyOf(topics);
      java.util.Objects.requireNonNull(data, "data");
      if (block < 0) {
        throw new IllegalArgumentException("block must be >= 0");
      }
    }
  }

  private final URI rpc;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  public ChainLogs(URI rpc) {
    this.rpc = rpc;
  }

  /** topic0 of an event: keccak256 of its signature, 0x-hex. */
  public static String topic(String signature) {
    return "0x"
        + Bytes.copyOf(Keccak.keccak256(signature.getBytes(StandardCharsets.US_ASCII))).toHex();
  }

  /** Events of {@code address} in blocks [from, to]; {@code topics} entries may be null. */
  public List<Log> logs(String address, long from, long to, String... topics)
      throws IOException, InterruptedException {
    StringBuilder t = new StringBuilder("[");
    for (int i = 0; i < topics.length; i++) {
      t.append(i == 0 ? "" : ",").append(topics[i] == null ? "null" : "\"" + topics[i] + "\"");
    }
    t.append("]");
    String body =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getLogs\",\"params\":[{\"address\":\""
            + address
            + "\",\"fromBlock\":\"0x"
            + Long.toHexString(from)
            + "\",\"toBlock\":\"0x"
            + Long.toHexString(to)
            + "\",\"topics\":"
            + t
            + "}]}";
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(rpc)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode j = Json.MAPPER.readTree(r.body());
    if (j.has("error")) {
      throw new IOException("eth_getLogs failed: " + j.get("error"));
    }
    List<Log> out = new ArrayList<>();
    for (JsonNode log : j.path("result")) {
      List<Bytes> ts = new ArrayList<>();
      log.path("topics").forEach(x -> ts.add(Bytes.fromHex(x.asText().substring(2))));
      out.add(
          new Log(
              ts,
              Bytes.fromHex(log.path("data").asText().substring(2)),
              Long.parseLong(log.path("blockNumber").asText().substring(2), 16)));
    }
    return out;
  }
}
