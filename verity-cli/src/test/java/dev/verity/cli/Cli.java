package dev.verity.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the verity command in-process and captures what it prints. */
final class Cli {
  /** Everything any test run printed, to check that no secret ever appears. */
  static final StringBuffer ALL_OUTPUT = new StringBuffer();

  record Result(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private Cli() {}

  static Result run(String... args) {
    CommandLine cl = VerityCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    ALL_OUTPUT.append(out).append(err);
    return new Result(exit, out.toString(), err.toString());
  }
}
