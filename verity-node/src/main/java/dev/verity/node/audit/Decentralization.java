package dev.verity.node.audit;

import dev.verity.audit.draw.Nakamoto;
import dev.verity.audit.draw.StakeDraw;
import dev.verity.receipt.eth.EthAddress;
import dev.verity.settlement.NodeInfo;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How concentrated the network is, from the registry. Served compute: active stake (not banned,
 * staked, serving at least one model) per operator, since clients route stake-weighted over nodes
 * serving the model. Audit assignments: each operator's expected share of audit, replica and
 * referee draws, which is its stake capped at {@code capBps} of the total (the weight {@link
 * StakeDraw} uses), so the cap is what makes this coefficient larger than the compute one.
 */
public record Decentralization(Share compute, Share audit, int capBps) {
  public Decentralization {
    Objects.requireNonNull(compute, "compute");
    Objects.requireNonNull(audit, "audit");
    if (capBps < 1 || capBps > StakeDraw.BPS) {
      throw new IllegalArgumentException("capBps must be 1..10000, got " + capBps);
    }
  }

  /** One distribution: weight per operator, its coefficients and shares. */
  public record Share(
      Map<EthAddress, BigInteger> weightByOperator, Nakamoto.Coefficients nakamoto) {
    public Share {
      weightByOperator =
          java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weightByOperator));
      Objects.requireNonNull(nakamoto, "nakamoto");
    }

    static Share of(Map<EthAddress, BigInteger> w) {
      return new Share(w, Nakamoto.of(w));
    }

    /** Operator's fraction of the total, 0 when the total is 0. */
    public double fraction(EthAddress operator) {
      BigInteger total =
          weightByOperator.values().stream().reduce(BigInteger.ZERO, BigInteger::add);
      if (total.signum() == 0) {
        return 0.0;
      }
      return new BigDecimal(weightByOperator.getOrDefault(operator, BigInteger.ZERO))
          .divide(new BigDecimal(total), MathContext.DECIMAL64)
          .doubleValue();
    }
  }

  /** Computes both distributions over the registry's nodes (registry order). */
  public static Decentralization of(List<NodeInfo> nodes, int capBps) {
    Map<EthAddress, BigInteger> compute = new LinkedHashMap<>();
    Map<EthAddress, BigInteger> staked = new LinkedHashMap<>();
    BigInteger total = BigInteger.ZERO;
    for (NodeInfo n : nodes) {
      if (n.banned() || n.stakeWei().signum() == 0) {
        continue;
      }
      staked.merge(n.operator(), n.stakeWei(), BigInteger::add);
      total = total.add(n.stakeWei());
      if (!n.models().isEmpty()) {
        compute.merge(n.operator(), n.stakeWei(), BigInteger::add);
      }
    }
    BigInteger cap =
        total.multiply(BigInteger.valueOf(capBps)).divide(BigInteger.valueOf(StakeDraw.BPS));
    Map<EthAddress, BigInteger> audit = new LinkedHashMap<>();
    for (Map.Entry<EthAddress, BigInteger> e : staked.entrySet()) {
      audit.put(e.getKey(), e.getValue().min(cap).max(BigInteger.ONE));
    }
    return new Decentralization(Share.of(compute), Share.of(audit), capBps);
  }

  /** The JSON body of {@code GET /v1/network/decentralization}. */
  public Map<String, Object> toJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("capBps", capBps);
    out.put("compute", json(compute, "active stake of nodes serving models, per operator"));
    out.put("audit", json(audit, "stake capped per operator: expected share of audit draws"));
    return out;
  }

  private static Map<String, Object> json(Share s, String basis) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("basis", basis);
    m.put("nakamotoOneThird", s.nakamoto().overOneThird());
    m.put("nakamotoOneHalf", s.nakamoto().overOneHalf());
    m.put("operators", s.nakamoto().operators());
    List<Map<String, Object>> ops = new ArrayList<>();
    for (Map.Entry<EthAddress, BigInteger> e : s.weightByOperator().entrySet()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("operator", e.getKey().toString());
      o.put("weightWei", e.getValue().toString());
      o.put("share", s.fraction(e.getKey()));
      ops.add(o);
    }
    m.put("shares", ops);
    return m;
  }

  /** Prometheus text lines (coefficient over one half, which is what "Nakamoto" usually names). */
  public String prometheus() {
    StringBuilder b = new StringBuilder();
    b.append("# HELP verity_nakamoto_coefficient Fewest operators holding more than half.\n");
    b.append("# TYPE verity_nakamoto_coefficient gauge\n");
    b.append("verity_nakamoto_coefficient{kind=\"compute\"} ")
        .append(compute.nakamoto().overOneHalf())
        .append('\n');
    b.append("verity_nakamoto_coefficient{kind=\"audit\"} ")
        .append(audit.nakamoto().overOneHalf())
        .append('\n');
    b.append(
        "# HELP verity_nakamoto_coefficient_one_third Fewest operators holding more than a third.\n");
    b.append("# TYPE verity_nakamoto_coefficient_one_third gauge\n");
    b.append("verity_nakamoto_coefficient_one_third{kind=\"compute\"} ")
        .append(compute.nakamoto().overOneThird())
        .append('\n');
    b.append("verity_nakamoto_coefficient_one_third{kind=\"audit\"} ")
        .append(audit.nakamoto().overOneThird())
        .append('\n');
    return b.toString();
  }
}
