package dev.verity.settlement.evm;

import dev.verity.core.Bytes;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.ChainEvent;
import dev.verity.settlement.SettlementException;
import dev.verity.settlement.TxResult;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/**
 * One account on one JSON-RPC endpoint: read-only calls, and transactions that are simulated first
 * (so a revert is reported with its decoded reason before anything is sent), signed locally with
 * EIP-155 replay protection, sent, and awaited until mined.
 */
final class EvmChain implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EvmChain.class);
  private static final Duration POLL = Duration.ofMillis(50);

  private final String rpcUrl;
  private final Web3j web3j;
  private final EvmKey key;
  private final long chainId;
  private final Duration receiptTimeout;
  private final Map<EthAddress, String> contractNames = new HashMap<>();

  private EvmChain(String rpcUrl, Web3j web3j, EvmKey key, long chainId, Duration receiptTimeout) {
    this.rpcUrl = rpcUrl;
    this.web3j = web3j;
    this.key = key;
    this.chainId = chainId;
    this.receiptTimeout = receiptTimeout;
  }

  static EvmChain connect(String rpcUrl, EvmKey key, Duration receiptTimeout)
      throws SettlementException {
    Web3j web3j = Web3j.build(new HttpService(rpcUrl));
    try {
      long chainId = web3j.ethChainId().send().getChainId().longValueExact();
      return new EvmChain(rpcUrl, web3j, key, chainId, receiptTimeout);
    } catch (IOException | RuntimeException e) {
      web3j.shutdown();
      throw new SettlementException(
          "cannot reach an EVM JSON-RPC endpoint at " + rpcUrl + ": " + e.getMessage(), e);
    }
  }

  long chainId() {
    return chainId;
  }

  EthAddress account() {
    return key.address();
  }

  EvmKey key() {
    return key;
  }

  /** Names the contract at {@code address} in decoded events and errors. */
  synchronized void name(EthAddress address, String contract) {
    contractNames.put(address, contract);
  }

  BigInteger balance(EthAddress a) throws SettlementException {
    return rpc(() -> web3j.ethGetBalance(a.toString(), DefaultBlockParameterName.LATEST).send())
        .getBalance();
  }

  boolean hasCode(EthAddress a) throws SettlementException {
    String code =
        rpc(() -> web3j.ethGetCode(a.toString(), DefaultBlockParameterName.LATEST).send())
            .getCode();
    return code != null && code.length() > 2;
  }

  long blockNumber() throws SettlementException {
    return rpc(() -> web3j.ethBlockNumber().send()).getBlockNumber().longValueExact();
  }

  /** eth_call of {@code fn} on {@code to} at the latest block; outputs decoded by the ABI. */
  List<Type> call(ContractArtifact c, EthAddress to, String fn, Type<?>... args)
      throws SettlementException {
    return call(c, to, DefaultBlockParameterName.LATEST, fn, args);
  }

  /**
   * eth_call of {@code fn} on {@code to} against the state at the end of block {@code block}, with
   * that block's number and timestamp as {@code block.*}. Needs an endpoint that keeps historical
   * state for that block (an archive node; Anvil keeps it by default).
   */
  List<Type> callAt(long block, ContractArtifact c, EthAddress to, String fn, Type<?>... args)
      throws SettlementException {
    if (block < 0) {
      throw new IllegalArgumentException("block number must not be negative: " + block);
    }
    try {
      return call(c, to, DefaultBlockParameter.valueOf(BigInteger.valueOf(block)), fn, args);
    } catch (SettlementException e) {
      if (e.errorName().isPresent()) {
        throw e; // a revert of the contract itself, decoded
      }
      throw new SettlementException(
          "cannot read "
              + c.name
              + "."
              + fn
              + " as of block "
              + block
              + " from "
              + rpcUrl
              + " (the endpoint must serve that block's state: an archive node, or Anvil): "
              + e.getMessage(),
          e);
    }
  }

  private List<Type> call(
      ContractArtifact c, EthAddress to, DefaultBlockParameter block, String fn, Type<?>... args)
      throws SettlementException {
    ContractArtifact.Function f = c.function(fn);
    String data = FunctionEncoder.encode(f.selector(), List.of(args));
    EthCall r =
        rpc(
            () ->
                web3j
                    .ethCall(
                        Transaction.createEthCallTransaction(
                            key.address().toString(), to.toString(), data),
                        block)
                    .send());
    if (r.hasError()) {
      throw revert(c.name, r.getError());
    }
    String value = r.getValue();
    if (value == null || value.equals("0x")) {
      throw new SettlementException(
          c.name + "." + fn + " returned nothing: is " + to + " a " + c.name + "?");
    }
    return FunctionReturnDecoder.decode(value, AbiValues.refs(f.outputs()));
  }

  TxResult send(ContractArtifact c, EthAddress to, String fn, BigInteger value, Type<?>... args)
      throws SettlementException {
    String data = FunctionEncoder.encode(c.function(fn).selector(), List.of(args));
    return transact(c.name, to, data, value);
  }

  /** Deploys {@code c} with constructor arguments; returns its address and the block. */
  TxResult deploy(ContractArtifact c, Type<?>... ctorArgs) throws SettlementException {
    String data = c.bytecode + FunctionEncoder.encodeConstructor(List.of(ctorArgs));
    return transact(c.name, null, data, BigInteger.ZERO);
  }

  EthAddress deployedAddress(TxResult deployed) throws SettlementException {
    TransactionReceipt r =
        rpc(() ->
                web3j
                    .ethGetTransactionReceipt(Numeric.toHexString(deployed.txHash().toByteArray()))
                    .send())
            .getTransactionReceipt()
            .orElseThrow(() -> new SettlementException("deployment receipt vanished"));
    return EthAddress.parse(r.getContractAddress().toLowerCase(java.util.Locale.ROOT));
  }

  /**
   * One lock per sending account in this JVM: a node's network, dispute and auditor loops each hold
   * their own client of the operator account, and two of them reading the same pending nonce would
   * make one transaction fail (or replace the other).
   */
  private static final Map<String, Object> ACCOUNT_LOCKS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private TxResult transact(String contract, EthAddress to, String data, BigInteger value)
      throws SettlementException {
    Object lock =
        ACCOUNT_LOCKS.computeIfAbsent(
            key.address().toString().toLowerCase(java.util.Locale.ROOT), a -> new Object());
    synchronized (lock) {
      synchronized (this) {
        return transactLocked(contract, to, data, value);
      }
    }
  }

  private TxResult transactLocked(String contract, EthAddress to, String data, BigInteger value)
      throws SettlementException {
    String from = key.address().toString();
    String toHex = to == null ? null : to.toString();
    Transaction sim =
        Transaction.createFunctionCallTransaction(from, null, null, null, toHex, value, data);
    if (to != null) {
      EthCall r = rpc(() -> web3j.ethCall(sim, DefaultBlockParameterName.LATEST).send());
      if (r.hasError()) {
        throw revert(contract, r.getError());
      }
    }
    EthEstimateGas est = rpc(() -> web3j.ethEstimateGas(sim).send());
    if (est.hasError()) {
      throw revert(contract, est.getError());
    }
    BigInteger gasLimit =
        est.getAmountUsed()
            .multiply(BigInteger.valueOf(6))
            .divide(BigInteger.valueOf(5))
            .add(BigInteger.valueOf(10_000));
    TransactionReceipt receipt = null;
    String hash = null;
    // Another process sending from the same account (a second node of one operator) may take the
    // pending nonce between our read and our send, or replace our pending transaction with one of
    // the same nonce and a higher gas price (the base fee moves between blocks): read the nonce
    // again and resend.
    for (int round = 1; receipt == null; round++) {
      BigInteger gasPrice = rpc(() -> web3j.ethGasPrice().send()).getGasPrice();
      EthSendTransaction sent;
      BigInteger nonce;
      for (int attempt = 1; ; attempt++) {
        nonce =
            rpc(() -> web3j.ethGetTransactionCount(from, DefaultBlockParameterName.PENDING).send())
                .getTransactionCount();
        RawTransaction raw =
            to == null
                ? RawTransaction.createContractTransaction(nonce, gasPrice, gasLimit, value, data)
                : RawTransaction.createTransaction(nonce, gasPrice, gasLimit, toHex, value, data);
        String signed =
            Numeric.toHexString(TransactionEncoder.signMessage(raw, chainId, key.credentials()));
        sent = rpc(() -> web3j.ethSendRawTransaction(signed).send());
        if (!sent.hasError() || attempt >= NONCE_ATTEMPTS || !nonceTaken(sent.getError())) {
          break;
        }
        LOG.debug("{}: nonce {} taken by another sender; retrying", contract, nonce);
      }
      if (sent.hasError()) {
        if (sent.getError().getData() != null) {
          throw revert(contract, sent.getError());
        }
        throw new SettlementException(
            contract + ": transaction rejected: " + sent.getError().getMessage());
      }
      hash = sent.getTransactionHash();
      receipt = awaitReceipt(contract, hash, nonce).orElse(null);
      if (receipt == null) {
        if (round >= NONCE_ATTEMPTS) {
          throw new SettlementException(
              contract
                  + ": transaction "
                  + hash
                  + " was replaced by another of the same nonce; gave up after "
                  + round
                  + " sends");
        }
        LOG.debug(
            "{}: transaction {} (nonce {}) replaced by another; resending", contract, hash, nonce);
      }
    }
    TransactionReceipt mined = receipt;
    if (!receipt.isStatusOK()) {
      // Mined but reverted (state changed since the simulation): replay it at its block for the
      // reason.
      EthCall replay =
          rpc(
              () ->
                  web3j.ethCall(sim, DefaultBlockParameter.valueOf(mined.getBlockNumber())).send());
      if (replay.hasError()) {
        throw revert(contract, replay.getError());
      }
      throw new SettlementException(contract + ": transaction " + hash + " reverted");
    }
    LOG.debug("{} tx {} mined in block {}", contract, hash, receipt.getBlockNumber());
    return new TxResult(
        Bytes.fromHex(hash.substring(2)),
        receipt.getBlockNumber().longValueExact(),
        receipt.getGasUsed(),
        events(receipt.getLogs()));
  }

  /** Sends per transaction when other senders of the same account keep taking the nonce. */
  static final int NONCE_ATTEMPTS = 5;

  /** How often a transaction not yet mined is checked for having been replaced. */
  private static final Duration NONCE_CHECK = Duration.ofSeconds(1);

  /**
   * Whether a rejected send lost a race for its nonce (geth and Anvil wordings). "already known" /
   * "already imported": another sender sent the very same transaction (same nonce and calldata),
   * which stands for that sender's call, not this one.
   */
  static boolean nonceTaken(org.web3j.protocol.core.Response.Error e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return m.contains("nonce too low")
        || m.contains("already known")
        || m.contains("already imported")
        || m.contains("replacement transaction underpriced");
  }

  /**
   * The receipt of {@code hash}, sent with {@code nonce}; empty if another transaction of the same
   * nonce was mined instead (ours was replaced in the pool and will never be).
   */
  private Optional<TransactionReceipt> awaitReceipt(String contract, String hash, BigInteger nonce)
      throws SettlementException {
    long deadline = System.nanoTime() + receiptTimeout.toNanos();
    long nextNonceCheck = System.nanoTime() + NONCE_CHECK.toNanos();
    String from = key.address().toString();
    while (true) {
      Optional<TransactionReceipt> r =
          rpc(() -> web3j.ethGetTransactionReceipt(hash).send()).getTransactionReceipt();
      if (r.isPresent()) {
        return r;
      }
      if (System.nanoTime() > nextNonceCheck) {
        nextNonceCheck = System.nanoTime() + NONCE_CHECK.toNanos();
        BigInteger mined =
            rpc(() -> web3j.ethGetTransactionCount(from, DefaultBlockParameterName.LATEST).send())
                .getTransactionCount();
        if (mined.compareTo(nonce) > 0) {
          // The nonce is used up; look once more in case ours was the one mined meanwhile.
          r = rpc(() -> web3j.ethGetTransactionReceipt(hash).send()).getTransactionReceipt();
          return r;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new SettlementException(
            contract + ": transaction " + hash + " not mined within " + receiptTimeout);
      }
      try {
        Thread.sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SettlementException("interrupted while waiting for transaction " + hash, e);
      }
    }
  }

  private synchronized List<ChainEvent> events(List<Log> logs) {
    List<ChainEvent> out = new ArrayList<>();
    for (Log log : logs) {
      if (log.getTopics() == null || log.getTopics().isEmpty()) {
        continue;
      }
      String topic0 = log.getTopics().getFirst();
      String named =
          contractNames.get(EthAddress.parse(log.getAddress().toLowerCase(java.util.Locale.ROOT)));
      List<String> candidates = named != null ? List.of(named) : ContractArtifact.ALL;
      for (String contract : candidates) {
        ContractArtifact.EventDef def = ContractArtifact.load(contract).eventsByTopic.get(topic0);
        if (def != null) {
          out.add(new ChainEvent(contract, def.name(), decodeEvent(def, log)));
          break;
        }
      }
    }
    return out;
  }

  private static Map<String, String> decodeEvent(ContractArtifact.EventDef def, Log log) {
    List<ContractArtifact.Param> plain = def.inputs().stream().filter(p -> !p.indexed()).toList();
    List<Type> plainValues = AbiValues.decode(log.getData(), plain);
    Map<String, String> args = new LinkedHashMap<>();
    int ti = 1;
    int pi = 0;
    for (ContractArtifact.Param p : def.inputs()) {
      if (p.indexed()) {
        Type<?> v =
            FunctionReturnDecoder.decodeIndexedValue(
                log.getTopics().get(ti++), AbiValues.refs(List.of(p)).getFirst());
        args.put(p.name(), AbiValues.render(v));
      } else {
        args.put(p.name(), AbiValues.render(plainValues.get(pi++)));
      }
    }
    return args;
  }

  private static SettlementException revert(String contract, Response.Error error) {
    return RevertDecoder.exception(contract, error.getData(), error.getMessage());
  }

  private interface Rpc<T> {
    T run() throws IOException;
  }

  private <T> T rpc(Rpc<T> call) throws SettlementException {
    try {
      return call.run();
    } catch (IOException e) {
      throw new SettlementException(
          "JSON-RPC request to " + rpcUrl + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    web3j.shutdown();
  }

  @Override
  public String toString() {
    return "EvmChain[" + rpcUrl + ", chainId=" + chainId + ", account=" + key.address() + "]";
  }
}
