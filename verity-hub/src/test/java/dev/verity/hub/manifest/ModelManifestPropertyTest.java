package dev.verity.hub.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verity.core.Bytes;
import dev.verity.core.Digest;
import dev.verity.hub.TestModels;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any valid manifest survives sign, serialize, parse and verify unchanged, with one digest. */
class ModelManifestPropertyTest {
  @Property(tries = 200)
  void signParseVerify_roundTrips(@ForAll("manifests") ModelManifest m) throws Exception {
    SignedManifest sm = SignedManifest.sign(m, TestModels.GOLDEN_KEY);
    SignedManifest back = SignedManifest.parse(sm.toJson());
    back.verify(TestModels.GOLDEN_KEY.verifyingKey());
    assertThat(back.manifest()).isEqualTo(m);
    assertThat(back.digest()).isEqualTo(Digest.of(m.toStatementBytes()));
    assertThat(back.toJson()).isEqualTo(sm.toJson());
  }

  @Provide
  Arbitrary<ModelManifest> manifests() {
    Arbitrary<String> name =
        Arbitraries.strings()
            .withChars("abcxyz019.-_")
            .ofMinLength(0)
            .ofMaxLength(20)
            .map(s -> "m" + s);
    Arbitrary<String> version =
        Arbitraries.strings().withChars("aZ09.+-_").ofMaxLength(10).map(s -> "1" + s);
    Arbitrary<String> segment =
        Arbitraries.strings()
            .withChars("abé 字-_.~")
            .ofMinLength(1)
            .ofMaxLength(8)
            .filter(s -> !s.equals(".") && !s.equals(".."));
    Arbitrary<ManifestFile> file =
        Combinators.combine(
                segment.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("/", l)),
                Arbitraries.longs().between(0, Long.MAX_VALUE),
                Arbitraries.strings().ofMaxLength(5))
            .as((p, size, content) -> new ManifestFile(p, size, Digest.of(Bytes.utf8(content))));
    Arbitrary<List<ManifestFile>> files =
        file.list().ofMinSize(1).ofMaxSize(6).uniqueElements(ManifestFile::path);
    Arbitrary<String> text =
        Arbitraries.strings().ofMaxLength(30).filter(s -> !hasLoneSurrogate(s));
    return Combinators.combine(
            name,
            version,
            Arbitraries.of(ModelFormat.class),
            files,
            Arbitraries.of("", "p").map(s -> s.isEmpty() ? null : Digest.of(Bytes.utf8(s))),
            text,
            text,
            Arbitraries.longs().between(0, 4_000_000_000L))
        .as(
            (n, v, f, fs, parent, lic, desc, secs) ->
                new ModelManifest(
                    n,
                    v,
                    f,
                    fs,
                    parent,
                    lic,
                    desc,
                    "",
                    Instant.ofEpochSecond(secs),
                    TestModels.GOLDEN_KEY.verifyingKey()));
  }

  private static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return true;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }
}
