package dev.verity.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.receipt.eth.EthAddress;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeploymentTest {
  private static final Deployment D =
      new Deployment(
          31337,
          EthAddress.parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"),
          EthAddress.parse("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"),
          EthAddress.parse("0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"),
          EthAddress.parse("0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9"),
          1,
          new DeploymentParameters(BigInteger.TEN.pow(18), 86_400, 5_000, 3_600));

  @Test
  void json_roundTrips_andNamesTheDomains(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("deployment.json");
    D.write(f);
    assertThat(Deployment.read(f)).isEqualTo(D);
    assertThat(Files.readString(f))
        .contains("\"format\" : \"verity-deployment/1\"")
        .contains("\"minStakeWei\" : \"1000000000000000000\"");
    assertThat(D.receiptDomain().verifyingContract()).isEqualTo(D.nodeRegistry());
    assertThat(D.escrowDomain().verifyingContract()).isEqualTo(D.escrow());
    assertThat(D.receiptDomain().chainId()).isEqualTo(31337);
  }

  @Test
  void fromJson_unknownField_isRejected() {
    String json = D.toJson().replace("\"chainId\"", "\"extra\" : 1, \"chainId\"");
    assertThatThrownBy(() -> Deployment.fromJson(json))
        .hasMessage("deployment has an unknown field extra");
  }

  @Test
  void fromJson_missingField_isRejected() {
    String json = D.toJson().replaceAll("\\s*\"escrow\" : \"[^\"]*\",", "");
    assertThatThrownBy(() -> Deployment.fromJson(json))
        .hasMessage("deployment is missing field escrow");
  }

  @Test
  void fromJson_badAddressChecksum_namesTheField() {
    String json =
        D.toJson()
            .replace(
                "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                "0x5fbDB2315678afecb367f032d93F642f64180aa3");
    assertThatThrownBy(() -> Deployment.fromJson(json))
        .hasMessageStartingWith(
            "deployment field modelRegistry: address has a wrong EIP-55 checksum");
  }

  @Test
  void fromJson_wrongFormatOrTypes_areRejected() {
    assertThatThrownBy(
            () ->
                Deployment.fromJson(
                    D.toJson().replace("verity-deployment/1", "verity-deployment/2")))
        .hasMessage("deployment format must be verity-deployment/1");
    assertThatThrownBy(
            () ->
                Deployment.fromJson(
                    D.toJson().replace("\"chainId\" : 31337", "\"chainId\" : \"31337\"")))
        .hasMessage("deployment field chainId must be an integer");
    assertThatThrownBy(
            () ->
                Deployment.fromJson(
                    D.toJson().replace("\"slashRewardBps\" : 5000", "\"slashRewardBps\" : 10001")))
        .hasMessageContaining("slash reward must be 0..10000 basis points");
    assertThatThrownBy(() -> Deployment.fromJson("[]"))
        .hasMessage("deployment file must hold one JSON object");
    assertThatThrownBy(() -> Deployment.fromJson("{"))
        .hasMessageStartingWith("deployment file is not JSON");
  }
}
