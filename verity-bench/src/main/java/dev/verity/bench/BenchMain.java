package dev.verity.bench;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Locale;

/**
 * Runs one benchmark by name: {@code verity bench hash} runs {@code dev.verity.bench.HashBench}.
 * Each benchmark measures Verity against the best alternative in the same run and prints the ratio.
 */
public final class BenchMain {
  private static final String[] KNOWN = {"hash", "engine", "llm", "log", "receipt", "serve"};

  private BenchMain() {}

  public static void main(String[] args) throws Throwable {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      System.out.println("usage: verity bench NAME [ARGS...]");
      System.out.println("benchmarks: " + String.join(", ", KNOWN));
      return;
    }
    String name = args[0].toLowerCase(Locale.ROOT);
    String className =
        "dev.verity.bench." + Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Bench";
    Method main;
    try {
      main = Class.forName(className).getMethod("main", String[].class);
    } catch (ClassNotFoundException e) {
      System.err.println(
          "verity bench: unknown benchmark '" + args[0] + "'; known: " + String.join(", ", KNOWN));
      System.exit(2);
      return;
    }
    try {
      main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
