package dev.verity.log.tile;

import dev.verity.core.Bytes;
import dev.verity.log.HashSource;
import dev.verity.log.InclusionProof;
import dev.verity.log.InvalidProofException;
import dev.verity.log.MerkleTree;
import dev.verity.log.Rfc9162;
import dev.verity.log.note.Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds roots and proofs for one checkpoint from tiles alone, so a client needs no proof API.
 * Every tile is authenticated before use: the rightmost (partial) tiles and the top tile through
 * the checkpoint's root hash, every full tile through the hash of it in the tile level above.
 */
public final class TileClient {
  private final Checkpoint checkpoint;
  private final TileFetcher fetcher;
  private final Map<String, byte[]> cache = new HashMap<>();
  private final MerkleTree tree;

  public TileClient(Checkpoint checkpoint, TileFetcher fetcher) {
    this.checkpoint = checkpoint;
    this.fetcher = fetcher;
    this.tree = new MerkleTree(new Source());
  }

  private boolean rootVerified;

  /** Throws unless the tiles hash to the checkpoint's root hash. */
  public void verifyRoot() throws InvalidProofException, IOException {
    if (rootVerified) {
      return;
    }
    Bytes root;
    try {
      root = tree.rootHash(checkpoint.size());
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (TileMismatch e) {
      throw new InvalidProofException(e.getMessage());
    }
    if (!root.equals(checkpoint.rootHash())) {
      throw new InvalidProofException(
          "tiles hash to root "
              + root.toHex()
              + " but the checkpoint says "
              + checkpoint.rootHash().toHex());
    }
    rootVerified = true;
  }

  /** An inclusion proof computed from authenticated tiles. */
  public InclusionProof inclusionProof(long index) throws IOException, InvalidProofException {
    verifyRoot();
    try {
      return tree.inclusionProof(index, checkpoint.size());
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (TileMismatch e) {
      throw new InvalidProofException(e.getMessage());
    }
  }

  /**
   * The entries of bundle {@code n}, each checked against the level-0 tile (whose hashes the root
   * check covers).
   */
  public List<byte[]> entries(long n) throws IOException, InvalidProofException {
    verifyRoot();
    try {
      return entriesUnchecked(n);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (TileMismatch e) {
      throw new InvalidProofException(e.getMessage());
    }
  }

  private List<byte[]> entriesUnchecked(long n) throws IOException, InvalidProofException {
    long size = checkpoint.size();
    long full = size / TilePath.FULL_WIDTH;
    int width = n < full ? TilePath.FULL_WIDTH : (int) (size % TilePath.FULL_WIDTH);
    if (n > full || width == 0) {
      throw new IllegalArgumentException(
          "entry bundle " + n + " is outside the tree of size " + size);
    }
    String path = new TilePath(TilePath.ENTRIES, n, width).path();
    byte[] b = fetcher.fetch(path).orElseThrow(() -> new IOException("missing " + path));
    List<byte[]> out = new ArrayList<>();
    int pos = 0;
    while (pos < b.length) {
      if (pos + 2 > b.length) {
        throw new InvalidProofException("entry bundle " + path + " is truncated");
      }
      int len = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
      if (pos + 2 + len > b.length) {
        throw new InvalidProofException("entry bundle " + path + " is truncated");
      }
      out.add(Arrays.copyOfRange(b, pos + 2, pos + 2 + len));
      pos += 2 + len;
    }
    if (out.size() != width) {
      throw new InvalidProofException(
          "entry bundle " + path + " holds " + out.size() + " entries, expected " + width);
    }
    for (int i = 0; i < width; i++) {
      byte[] expected = tileHash(0, n * TilePath.FULL_WIDTH + i);
      if (!Arrays.equals(Rfc9162.leafHash(out.get(i)), expected)) {
        throw new InvalidProofException(
            "entry " + (n * TilePath.FULL_WIDTH + i) + " does not match its leaf hash");
      }
    }
    return out;
  }

  /** Hash number {@code k} of tile level {@code tileLevel}, from the right full or partial tile. */
  private byte[] tileHash(int tileLevel, long k) {
    long available = checkpoint.size() >>> (TilePath.HEIGHT * tileLevel);
    long n = k / TilePath.FULL_WIDTH;
    int width =
        (n + 1) * TilePath.FULL_WIDTH <= available
            ? TilePath.FULL_WIDTH
            : (int) (available - n * TilePath.FULL_WIDTH);
    String path = new TilePath(tileLevel, n, width).path();
    byte[] tile = cache.get(path);
    if (tile == null) {
      try {
        tile = fetcher.fetch(path).orElseThrow(() -> new IOException("log does not serve " + path));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (tile.length != 32 * width) {
        throw new UncheckedIOException(
            new IOException(
                "tile " + path + " has " + tile.length + " bytes, expected " + 32 * width));
      }
      if (width == TilePath.FULL_WIDTH) {
        // A full tile must hash to its entry in the level above, itself authenticated the same way
        // or (for partial tiles) through the root.
        byte[] mth = perfectOver(tile, 0, TilePath.FULL_WIDTH);
        if (!Arrays.equals(mth, tileHash(tileLevel + 1, n))) {
          throw new TileMismatch(
              "tile " + path + " does not match its hash in tile level " + (tileLevel + 1));
        }
      }
      cache.put(path, tile);
    }
    int off = (int) (k % TilePath.FULL_WIDTH) * 32;
    return Arrays.copyOfRange(tile, off, off + 32);
  }

  private static byte[] perfectOver(byte[] tile, int first, int count) {
    if (count == 1) {
      return Arrays.copyOfRange(tile, 32 * first, 32 * first + 32);
    }
    int half = count / 2;
    return Rfc9162.nodeHash(perfectOver(tile, first, half), perfectOver(tile, first + half, half));
  }

  private static final class TileMismatch extends RuntimeException {
    TileMismatch(String message) {
      super(message);
    }
  }

  private final class Source implements HashSource {
    @Override
    public byte[] completeSubtree(int level, long index) {
      int tileLevel = level / TilePath.HEIGHT;
      int r = level % TilePath.HEIGHT;
      long first = index << r;
      return perfect(tileLevel, first, 1 << r);
    }

    // MTH of 2^k consecutive hashes of one tile level (they always share one tile).
    private byte[] perfect(int tileLevel, long first, int count) {
      if (count == 1) {
        return tileHash(tileLevel, first);
      }
      int half = count / 2;
      return Rfc9162.nodeHash(
          perfect(tileLevel, first, half), perfect(tileLevel, first + half, half));
    }
  }
}
