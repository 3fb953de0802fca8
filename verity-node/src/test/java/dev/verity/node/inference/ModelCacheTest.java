package dev.verity.node.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verity.core.Digest;
import dev.verity.engine.EngineLimits;
import dev.verity.engine.InferenceException;
import dev.verity.engine.InferenceResult;
import dev.verity.engine.LoadedModel;
import dev.verity.engine.RunOptions;
import dev.verity.engine.Tensor;
import dev.verity.engine.TensorSpec;
import dev.verity.engine.strict.StrictEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The model cache's lifecycle with the real MNIST model on the strict engine. */
class ModelCacheTest {
  static final byte[] MNIST = read();

  static byte[] read() {
    try {
      String s = System.getProperty("verity.shared");
      Path shared = s != null ? Path.of(s) : Path.of("../../shared");
      return Files.readAllBytes(shared.resolve("models/mnist/mnist-7.onnx"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A real loaded model that also counts how often it was closed. */
  static final class Counted implements LoadedModel {
    final LoadedModel real;
    final AtomicInteger closes = new AtomicInteger();

    Counted() throws Exception {
      this.real = new StrictEngine().load(MNIST, EngineLimits.DEFAULT);
    }

    @Override
    public List<TensorSpec> inputs() {
      return real.inputs();
    }

    @Override
    public List<TensorSpec> outputs() {
      return real.outputs();
    }

    @Override
    public InferenceResult run(Map<String, Tensor> in, RunOptions o) throws InferenceException {
      return real.run(in, o);
    }

    @Override
    public void close() {
      closes.incrementAndGet();
      real.close();
    }
  }

  static ModelCache.Key key(String s) {
    return new ModelCache.Key(Digest.of(s.getBytes()), "strict");
  }

  @Test
  void concurrentAcquires_loadTheModelOnce() throws Exception {
    ModelCache cache = new ModelCache(4);
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> ts = new ArrayList<>();
    List<LoadedModel> got = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 8; i++) {
      ts.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      go.await();
                      try (ModelCache.Lease l =
                          cache.acquire(
                              key("a"),
                              () -> {
                                loads.incrementAndGet();
                                return new Counted();
                              })) {
                        got.add(l.model());
                      }
                    } catch (Exception e) {
                      throw new RuntimeException(e);
                    }
                  }));
    }
    go.countDown();
    for (Thread t : ts) {
      t.join();
    }
    assertThat(loads).hasValue(1);
    assertThat(got).hasSize(8).allSatisfy(m -> assertThat(m).isSameAs(got.get(0)));
    cache.close();
  }

  @Test
  void evictedModel_isClosedOnlyAfterItsLastLease() throws Exception {
    ModelCache cache = new ModelCache(1);
    Counted a = new Counted();
    ModelCache.Lease la = cache.acquire(key("a"), () -> a);
    try (ModelCache.Lease lb = cache.acquire(key("b"), Counted::new)) {
      assertThat(cache.size()).isEqualTo(1);
      // Still usable by the request holding it.
      assertThat(a.closes).hasValue(0);
      assertThat(la.model().inputs()).isNotEmpty();
    }
    la.close();
    la.close();
    assertThat(a.closes).hasValue(1);
    cache.close();
  }

  @Test
  void failedLoad_isNotCached() throws Exception {
    ModelCache cache = new ModelCache(2);
    AtomicInteger tries = new AtomicInteger();
    assertThatThrownBy(
            () ->
                cache.acquire(
                    key("x"),
                    () -> {
                      tries.incrementAndGet();
                      throw new IllegalStateException("disk on fire");
                    }))
        .hasMessage("disk on fire");
    try (ModelCache.Lease l =
        cache.acquire(
            key("x"),
            () -> {
              tries.incrementAndGet();
              return new Counted();
            })) {
      assertThat(l.model()).isNotNull();
    }
    assertThat(tries).hasValue(2);
    cache.close();
  }

  @Test
  void close_closesIdleModels() throws Exception {
    ModelCache cache = new ModelCache(2);
    Counted a = new Counted();
    cache.acquire(key("a"), () -> a).close();
    cache.close();
    assertThat(a.closes).hasValue(1);
    assertThatThrownBy(() -> cache.acquire(key("b"), Counted::new))
        .hasMessageContaining("shutting down");
  }
}
