package dev.verity.settlement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verity.log.fs.AtomicFiles;
import dev.verity.receipt.ReceiptDomain;
import dev.verity.receipt.eth.EthAddress;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;

/**
 * Where a Verity deployment lives: chain id, the four contract addresses, the block it was deployed
 * in and its parameters. Nodes and clients read it from a small JSON file (format {@value #FORMAT},
 * see README.md).
 */
public record Deployment(
    long chainId,
    EthAddress modelRegistry,
    EthAddress nodeRegistry,
    EthAddress logAnchor,
    EthAddress escrow,
    long deployedAtBlock,
    DeploymentParameters parameters) {

  public static final String FORMAT = "verity-deployment/1";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_FILE = 16 * 1024;
  private static final Set<String> KEYS =
      Set.of(
          "format",
          "chainId",
          "modelRegistry",
          "nodeRegistry",
          "logAnchor",
          "escrow",
          "deployedAtBlock",
          "parameters");
  private static final Set<String> PARAM_KEYS =
      Set.of(
          "minStakeWei", "unbondingDelaySeconds", "slashRewardBps", "escrowWithdrawDelaySeconds");

  public Deployment {
    if (chainId <= 0) {
      throw new IllegalArgumentException("chain id must be positive, got " + chainId);
    }
    Objects.requireNonNull(modelRegistry, "modelRegistry");
    Objects.requireNonNull(nodeRegistry, "nodeRegistry");
    Objects.requireNonNull(logAnchor, "logAnchor");
    Objects.requireNonNull(escrow, "escrow");
    if (deployedAtBlock < 0) {
      throw new IllegalArgumentException("deployedAtBlock must not be negative");
    }
    Objects.requireNonNull(parameters, "parameters");
  }

  /** The EIP-712 domain nodes sign receipts under: this chain, verifyingContract = NodeRegistry. */
  public ReceiptDomain receiptDomain() {
    return new ReceiptDomain(chainId, nodeRegistry);
  }

  /** The EIP-712 domain of payment authorisations: this chain, verifyingContract = Escrow. */
  public ReceiptDomain escrowDomain() {
    return new ReceiptDomain(chainId, escrow);
  }

  public String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    o.put("chainId", chainId);
    o.put("modelRegistry", modelRegistry.toString());
    o.put("nodeRegistry", nodeRegistry.toString());
    o.put("logAnchor", logAnchor.toString());
    o.put("escrow", escrow.toString());
    o.put("deployedAtBlock", deployedAtBlock);
    ObjectNode p = o.putObject("parameters");
    p.put("minStakeWei", parameters.minStakeWei().toString());
    p.put("unbondingDelaySeconds", parameters.unbondingDelaySeconds());
    p.put("slashRewardBps", parameters.slashRewardBps());
    p.put("escrowWithdrawDelaySeconds", parameters.escrowWithdrawDelaySeconds());
    return o.toPrettyString() + "\n";
  }

  /** Parses the JSON file format strictly; every error names the field. */
  public static Deployment fromJson(String text) {
    if (text.length() > MAX_FILE) {
      throw new IllegalArgumentException("deployment file is larger than " + MAX_FILE + " bytes");
    }
    JsonNode o;
    try {
      o = JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("deployment file is not JSON: " + e.getOriginalMessage());
    }
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("deployment file must hold one JSON object");
    }
    checkKeys(o, KEYS, "deployment");
    if (!FORMAT.equals(text(o, "format"))) {
      throw new IllegalArgumentException("deployment format must be " + FORMAT);
    }
    JsonNode p = o.get("parameters");
    if (p == null || !p.isObject()) {
      throw new IllegalArgumentException("deployment field parameters must be an object");
    }
    checkKeys(p, PARAM_KEYS, "deployment parameters");
    BigInteger minStake;
    try {
      minStake = new BigInteger(text(p, "minStakeWei"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("deployment field minStakeWei must be a decimal string");
    }
    return new Deployment(
        number(o, "chainId"),
        address(o, "modelRegistry"),
        address(o, "nodeRegistry"),
        address(o, "logAnchor"),
        address(o, "escrow"),
        number(o, "deployedAtBlock"),
        new DeploymentParameters(
            minStake,
            number(p, "unbondingDelaySeconds"),
            Math.toIntExact(number(p, "slashRewardBps")),
            number(p, "escrowWithdrawDelaySeconds")));
  }

  /** Writes the file atomically (temp file, fsync, rename). */
  public void write(Path file) throws IOException {
    AtomicFiles.write(file, toJson().getBytes(StandardCharsets.UTF_8));
  }

  public static Deployment read(Path file) throws IOException {
    if (Files.size(file) > MAX_FILE) {
      throw new IOException("deployment file " + file + " is larger than " + MAX_FILE + " bytes");
    }
    try {
      return fromJson(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  private static void checkKeys(JsonNode o, Set<String> allowed, String what) {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw new IllegalArgumentException(what + " has an unknown field " + k);
      }
    }
    for (String k : allowed) {
      if (!o.has(k)) {
        throw new IllegalArgumentException(what + " is missing field " + k);
      }
    }
  }

  private static String text(JsonNode o, String k) {
    JsonNode v = o.get(k);
    if (!v.isTextual()) {
      throw new IllegalArgumentException("deployment field " + k + " must be a string");
    }
    return v.asText();
  }

  private static long number(JsonNode o, String k) {
    JsonNode v = o.get(k);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IllegalArgumentException("deployment field " + k + " must be an integer");
    }
    return v.asLong();
  }

  private static EthAddress address(JsonNode o, String k) {
    try {
      return EthAddress.parse(text(o, k));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("deployment field " + k + ": " + e.getMessage(), e);
    }
  }
}
