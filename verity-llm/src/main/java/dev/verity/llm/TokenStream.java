package dev.verity.llm;

import dev.verity.engine.InferenceException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Pull-style streaming: iterate {@link Event}s as the model produces them, ending with exactly one
 * {@link Event.Done} or {@link Event.Failed}. Generation runs on its own (virtual) thread and waits
 * while the consumer is slow (a small buffer), so an abandoned stream costs nothing once {@link
 * #close()} is called, which stops the generation.
 */
public final class TokenStream implements Iterator<TokenStream.Event>, AutoCloseable {
  /** What the stream yields. */
  public sealed interface Event {
    /** One generated token and the text it completed (see {@link TokenListener}). */
    record Token(int index, int token, String text) implements Event {}

    /** Generation finished; the full result, with usage and trace root. */
    record Done(Generation generation) implements Event {}

    /** Generation failed, for example with a {@link GenerationLimitException}. */
    record Failed(InferenceException error) implements Event {}
  }

  private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(64);
  private final Thread worker;
  private Event next;
  private boolean finished;

  TokenStream(LlamaModel model, GenerationRequest request) {
    worker =
        Thread.ofVirtual()
            .name("verity-llm-stream")
            .start(
                () -> {
                  Event last;
                  try {
                    Generation g =
                        model.generate(request, (i, t, text) -> put(new Event.Token(i, t, text)));
                    last = new Event.Done(g);
                  } catch (InferenceException e) {
                    last = new Event.Failed(e);
                  } catch (StreamClosed e) {
                    return;
                  } catch (RuntimeException e) {
                    last = new Event.Failed(new InferenceException("generation failed: " + e, e));
                  }
                  try {
                    queue.put(last);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
  }

  private void put(Event e) {
    try {
      queue.put(e);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new StreamClosed();
    }
  }

  /** Thrown inside the generation thread when the consumer closed the stream. */
  private static final class StreamClosed extends RuntimeException {
    StreamClosed() {
      super("stream closed", null, false, false);
    }
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (finished) {
      return false;
    }
    try {
      next = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      return false;
    }
    if (!(next instanceof Event.Token)) {
      finished = true;
    }
    return true;
  }

  @Override
  public Event next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the stream has ended");
    }
    Event e = next;
    next = null;
    return e;
  }

  /** Stops the generation if it is still running. */
  @Override
  public void close() {
    finished = true;
    worker.interrupt();
  }
}
