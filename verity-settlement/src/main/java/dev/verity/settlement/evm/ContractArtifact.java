package dev.verity.settlement.evm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.web3j.crypto.Hash;

/**
 * A contract compiled at build time (target/classes/contracts/NAME.json): ABI, creation bytecode
 * and method selectors as solc computed them.
 */
final class ContractArtifact {
  /** An ABI parameter; {@code indexed} only matters for events. */
  record Param(String name, String type, boolean indexed) {}

  record Function(String name, String selector, List<Param> outputs) {}

  record ErrorDef(String name, List<Param> inputs) {}

  record EventDef(String name, String topic0, List<Param> inputs) {}

  static final List<String> ALL =
      List.of("ModelRegistry", "NodeRegistry", "LogAnchor", "Escrow", "DisputeManager");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, ContractArtifact> CACHE = new ConcurrentHashMap<>();

  final String name;
  final String bytecode;
  private final Map<String, Function> functions = new HashMap<>();
  final Map<String, ErrorDef> errorsBySelector = new HashMap<>();
  final Map<String, EventDef> eventsByTopic = new HashMap<>();

  private ContractArtifact(String name, JsonNode artifact) {
    this.name = name;
    this.bytecode = artifact.get("bytecode").asText();
    Map<String, String> ids = new HashMap<>();
    artifact
        .get("methodIdentifiers")
        .properties()
        .forEach(e -> ids.put(e.getKey(), e.getValue().asText()));
    for (JsonNode item : artifact.get("abi")) {
      String type = item.get("type").asText();
      switch (type) {
        case "function" -> {
          String fn = item.get("name").asText();
          String sig =
              ids.keySet().stream().filter(k -> k.startsWith(fn + "(")).findFirst().orElseThrow();
          functions.put(fn, new Function(fn, "0x" + ids.get(sig), params(item.get("outputs"))));
        }
        case "error" -> {
          List<Param> in = params(item.get("inputs"));
          errorsBySelector.put(
              selector(item.get("name").asText(), in), new ErrorDef(item.get("name").asText(), in));
        }
        case "event" -> {
          List<Param> in = params(item.get("inputs"));
          String sig = signature(item.get("name").asText(), in);
          eventsByTopic.put(
              Hash.sha3String(sig),
              new EventDef(item.get("name").asText(), Hash.sha3String(sig), in));
        }
        default -> {
          // constructor, receive: nothing to index
        }
      }
    }
  }

  static ContractArtifact load(String name) {
    return CACHE.computeIfAbsent(name, ContractArtifact::read);
  }

  private static ContractArtifact read(String name) {
    String resource = "/contracts/" + name + ".json";
    try (InputStream in = ContractArtifact.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "compiled contract "
                + resource
                + " is missing from the classpath (build verity-settlement)");
      }
      return new ContractArtifact(name, JSON.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read compiled contract " + resource, e);
    }
  }

  Function function(String fn) {
    Function f = functions.get(fn);
    if (f == null) {
      throw new IllegalArgumentException(name + " has no function " + fn);
    }
    return f;
  }

  private static List<Param> params(JsonNode list) {
    List<Param> out = new ArrayList<>();
    if (list != null) {
      for (JsonNode p : list) {
        out.add(
            new Param(
                p.get("name").asText(),
                p.get("type").asText(),
                p.path("indexed").asBoolean(false)));
      }
    }
    return out;
  }

  private static String signature(String name, List<Param> in) {
    return name + "(" + String.join(",", in.stream().map(Param::type).toList()) + ")";
  }

  private static String selector(String name, List<Param> in) {
    return Hash.sha3String(signature(name, in)).substring(0, 10);
  }
}
