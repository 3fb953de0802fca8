package dev.verity.node.registry;

import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.SettlementException;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.http.HttpService;

/**
 * Reads contract events with {@code eth_getLogs}: the settlement client decodes the events of the
 * transactions it sends, but offers no query over past ones. Only events whose non-indexed
 * arguments are all static ABI types are read, so each argument is one 32-byte word.
 */
final class ChainLogs implements AutoCloseable {
  /** One raw event: its topics (topic 0 is the signature hash) and data words. */
  record Event(
      String address,
      List<String> topics,
      List<BigInteger> words,
      long block,
      String txHash,
      int logIndex) {
    EthAddress topicAddress(int i) {
      return address(new BigInteger(topics.get(i).substring(2), 16));
    }

    String topicHex(int i) {
      return topics.get(i);
    }

    BigInteger word(int i) {
      return words.get(i);
    }

    EthAddress wordAddress(int i) {
      return address(words.get(i));
    }

    static EthAddress address(BigInteger w) {
      return EthAddress.parse(String.format("0x%040x", w));
    }
  }

  static String topic(String signature) {
    return Hash.sha3String(signature);
  }

  private final Web3j web3;
  private final Map<Long, Instant> blockTimes = new HashMap<>();

  ChainLogs(String rpcUrl) {
    this.web3 = Web3j.build(new HttpService(rpcUrl));
  }

  /** Events from {@code fromBlock} to the latest block, at any of the addresses, any topic0. */
  synchronized List<Event> logs(long fromBlock, List<EthAddress> addresses, List<String> topic0s)
      throws SettlementException {
    if (addresses.isEmpty()) {
      return List.of();
    }
    EthFilter f =
        new EthFilter(
            DefaultBlockParameter.valueOf(BigInteger.valueOf(fromBlock)),
            DefaultBlockParameterName.LATEST,
            addresses.stream().map(EthAddress::toString).toList());
    f.addOptionalTopics(topic0s.toArray(String[]::new));
    EthLog res;
    try {
      res = web3.ethGetLogs(f).send();
    } catch (IOException e) {
      throw new SettlementException("eth_getLogs failed: " + e.getMessage(), e);
    }
    if (res.hasError()) {
      throw new SettlementException("eth_getLogs failed: " + res.getError().getMessage());
    }
    List<Event> out = new ArrayList<>();
    for (EthLog.LogResult<?> r : res.getLogs()) {
      Log l = (Log) r.get();
      String data = l.getData() == null ? "0x" : l.getData();
      String hex = data.startsWith("0x") ? data.substring(2) : data;
      List<BigInteger> words = new ArrayList<>();
      for (int i = 0; i + 64 <= hex.length(); i += 64) {
        words.add(new BigInteger(hex.substring(i, i + 64), 16));
      }
      out.add(
          new Event(
              l.getAddress(),
              List.copyOf(l.getTopics()),
              words,
              l.getBlockNumber().longValueExact(),
              l.getTransactionHash(),
              l.getLogIndex().intValueExact()));
    }
    return out;
  }

  /** The block's timestamp (cached: blocks below the head do not change on a finalised chain). */
  synchronized Instant blockTime(long block) throws SettlementException {
    Instant t = blockTimes.get(block);
    if (t != null) {
      return t;
    }
    try {
      EthBlock b =
          web3.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(block)), false)
              .send();
      if (b.hasError() || b.getBlock() == null) {
        throw new SettlementException("block " + block + " could not be read");
      }
      t = Instant.ofEpochSecond(b.getBlock().getTimestamp().longValueExact());
    } catch (IOException e) {
      throw new SettlementException("eth_getBlockByNumber failed: " + e.getMessage(), e);
    }
    blockTimes.put(block, t);
    return t;
  }

  @Override
  public void close() {
    web3.shutdown();
  }
}
