package dev.verity.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command has a description, and every runnable leaf command shows examples. */
class HelpTest {
  @Test
  void everyCommand_hasUsefulHelp() {
    List<String> checked = new ArrayList<>();
    walk(VerityCli.commandLine(), checked);
    assertThat(checked)
        .contains(
            "verity key generate",
            "verity key show",
            "verity model publish",
            "verity model list",
            "verity model show",
            "verity model download",
            "verity model verify",
            "verity node run",
            "verity demo");
  }

  private static void walk(CommandLine cl, List<String> checked) {
    String name = cl.getCommandSpec().qualifiedName();
    if (name.endsWith(" help")) {
      return;
    }
    String usage = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
    assertThat(cl.getCommandSpec().usageMessage().description()).as(name).isNotEmpty();
    assertThat(usage).as(name).contains("Usage: " + name);
    if (cl.getSubcommands().isEmpty()) {
      assertThat(usage).as(name).contains("Examples:");
    }
    Cli.Result r = Cli.run(append(name, "--help"));
    assertThat(r.exit()).as(name).isZero();
    assertThat(r.out()).as(name).contains("Usage: " + name);
    checked.add(name);
    cl.getSubcommands().values().stream().distinct().forEach(c -> walk(c, checked));
  }

  private static String[] append(String qualifiedName, String flag) {
    List<String> args = new ArrayList<>(List.of(qualifiedName.split(" ")));
    args.remove(0);
    args.add(flag);
    return args.toArray(String[]::new);
  }

  @Test
  void unknownOption_printsUsageError() {
    Cli.Result r = Cli.run("model", "list", "--bogus");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option: '--bogus'");
  }
}
