package dev.verity.settlement.evm;

import dev.verity.settlement.SettlementException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.web3j.abi.datatypes.Type;

/**
 * Turns revert data into a readable message: {@code Contract: ErrorName(arg=value, ...)} for the
 * custom errors of the Verity contracts, the string of {@code Error(string)}, the meaning of a
 * {@code Panic(uint256)} code.
 */
final class RevertDecoder {
  private static final String ERROR_STRING = "0x08c379a0";
  private static final String PANIC = "0x4e487b71";

  private RevertDecoder() {}

  static SettlementException exception(String contract, String rawData, String fallbackMessage) {
    // web3j keeps the error's "data" member as raw JSON: a quoted string for revert data.
    String data = rawData == null ? null : rawData.strip();
    if (data != null && data.length() >= 2 && data.startsWith("\"") && data.endsWith("\"")) {
      data = data.substring(1, data.length() - 1);
    }
    if (data == null
        || data.isBlank()
        || data.equals("0x")
        || !data.startsWith("0x")
        || data.length() < 10) {
      String why =
          fallbackMessage == null || fallbackMessage.isBlank()
              ? "reverted without a reason"
              : fallbackMessage;
      return new SettlementException(contract + ": " + why);
    }
    String selector = data.substring(0, 10).toLowerCase(java.util.Locale.ROOT);
    String body = data.substring(10);
    try {
      if (selector.equals(ERROR_STRING)) {
        List<Type> v =
            AbiValues.decode(body, List.of(new ContractArtifact.Param("reason", "string", false)));
        return new SettlementException(contract + ": " + v.getFirst().getValue(), "Error", null);
      }
      if (selector.equals(PANIC)) {
        List<Type> v =
            AbiValues.decode(body, List.of(new ContractArtifact.Param("code", "uint256", false)));
        BigInteger code = (BigInteger) v.getFirst().getValue();
        return new SettlementException(
            contract + ": panic 0x" + code.toString(16) + " (" + panic(code.intValue()) + ")",
            "Panic",
            null);
      }
      ContractArtifact.ErrorDef def = lookup(contract, selector);
      if (def != null) {
        Map<String, String> args =
            AbiValues.named(def.inputs(), AbiValues.decode(body, def.inputs()));
        String rendered =
            args.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
        return new SettlementException(
            contract + ": " + def.name() + "(" + rendered + ")", def.name(), null);
      }
    } catch (RuntimeException e) {
      return new SettlementException(
          contract + ": reverted with undecodable data " + abbreviate(data), e);
    }
    return new SettlementException(contract + ": reverted with unknown error " + abbreviate(data));
  }

  private static ContractArtifact.ErrorDef lookup(String contract, String selector) {
    if (ContractArtifact.ALL.contains(contract)) {
      ContractArtifact.ErrorDef d = ContractArtifact.load(contract).errorsBySelector.get(selector);
      if (d != null) {
        return d;
      }
    }
    // A callee's error bubbles up through the caller (e.g. NodeRegistry's from LogAnchor).
    for (String name : ContractArtifact.ALL) {
      ContractArtifact.ErrorDef d = ContractArtifact.load(name).errorsBySelector.get(selector);
      if (d != null) {
        return d;
      }
    }
    return null;
  }

  private static String panic(int code) {
    return switch (code) {
      case 0x01 -> "assertion failed";
      case 0x11 -> "arithmetic overflow or underflow";
      case 0x12 -> "division by zero";
      case 0x21 -> "invalid enum value";
      case 0x32 -> "array index out of bounds";
      case 0x41 -> "out of memory";
      case 0x51 -> "call to an uninitialised function";
      default -> "panic";
    };
  }

  private static String abbreviate(String s) {
    return s.length() <= 74 ? s : s.substring(0, 74) + "…";
  }
}
