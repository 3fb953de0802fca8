package dev.verity.settlement.evm;

import dev.verity.core.Bytes;
import dev.verity.receipt.eth.EthAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Array;
import org.web3j.abi.datatypes.BytesType;
import org.web3j.abi.datatypes.NumericType;
import org.web3j.abi.datatypes.Type;
import org.web3j.utils.Numeric;

/** Decoding ABI values by their Solidity type names and rendering them as readable text. */
final class AbiValues {
  private AbiValues() {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  static List<TypeReference<Type>> refs(List<ContractArtifact.Param> params) {
    List<TypeReference<Type>> out = new ArrayList<>();
    for (ContractArtifact.Param p : params) {
      try {
        out.add((TypeReference) TypeReference.makeTypeReference(p.type()));
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("unsupported ABI type " + p.type(), e);
      }
    }
    return out;
  }

  static List<Type> decode(String hex, List<ContractArtifact.Param> params) {
    return FunctionReturnDecoder.decode(hex, refs(params));
  }

  /** name=value pairs of an error's or event's arguments. */
  static Map<String, String> named(List<ContractArtifact.Param> params, List<Type> values) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < params.size() && i < values.size(); i++) {
      String n = params.get(i).name().isEmpty() ? "arg" + i : params.get(i).name();
      out.put(n, render(values.get(i)));
    }
    return out;
  }

  static String render(Type<?> t) {
    if (t instanceof Address a) {
      return EthAddress.parse(Numeric.toHexStringWithPrefixZeroPadded(a.toUint().getValue(), 40))
          .toString();
    }
    if (t instanceof NumericType n) {
      return n.getValue().toString();
    }
    if (t instanceof BytesType b) {
      return "0x" + Bytes.copyOf(b.getValue()).toHex();
    }
    if (t instanceof Array<?> arr) {
      return arr.getValue().stream()
          .map(v -> render((Type<?>) v))
          .collect(Collectors.joining(", ", "[", "]"));
    }
    return String.valueOf(t.getValue());
  }

  static EthAddress address(Type<?> t) {
    return EthAddress.parse(render(t).toLowerCase(java.util.Locale.ROOT));
  }

  static Bytes bytes(Type<?> t) {
    return Bytes.copyOf(((BytesType) t).getValue());
  }
}
