package dev.verity.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module graph of ARCHITECTURE.md, enforced: a lower layer never reaches into a higher one, and
 * engines stay independent of each other.
 */
class LayeringTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.verity");
  }

  @Test
  void layers_dependOnlyDownward() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .withOptionalLayers(true)
        .layer("core")
        .definedBy("dev.verity.core..")
        .layer("hub")
        .definedBy("dev.verity.hub..")
        .layer("engineApi")
        .definedBy("dev.verity.engine")
        .layer("engines")
        .definedBy("dev.verity.engine.strict..", "dev.verity.engine.ort..", "dev.verity.llm..")
        .layer("receipts")
        .definedBy("dev.verity.receipt..", "dev.verity.log..")
        .layer("settlement")
        .definedBy("dev.verity.settlement..")
        .layer("audit")
        .definedBy("dev.verity.audit..")
        .layer("node")
        .definedBy("dev.verity.node..")
        .layer("client")
        .definedBy("dev.verity.client..")
        .layer("cli")
        .definedBy("dev.verity.cli..")
        .whereLayer("cli")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("node")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("client")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("audit")
        .mayOnlyBeAccessedByLayers("node", "client", "cli")
        .whereLayer("settlement")
        .mayOnlyBeAccessedByLayers("audit", "node", "client", "cli")
        .whereLayer("receipts")
        .mayOnlyBeAccessedByLayers("settlement", "audit", "node", "client", "cli")
        .whereLayer("engines")
        .mayOnlyBeAccessedByLayers("audit", "node", "client", "cli")
        .whereLayer("hub")
        .mayOnlyBeAccessedByLayers("audit", "node", "client", "cli")
        .check(classes);
  }

  @Test
  void engines_doNotDependOnEachOther() {
    noClasses()
        .that()
        .resideInAPackage("dev.verity.engine.strict..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.verity.engine.ort..", "dev.verity.llm..")
        .allowEmptyShould(true)
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("dev.verity.engine.ort..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.verity.engine.strict..", "dev.verity.llm..")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void core_usesNoOtherVerityPackage() {
    noClasses()
        .that()
        .resideInAPackage("dev.verity.core..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages(
            "dev.verity.core..", "java..", "javax..", "com.fasterxml..", "org.slf4j..")
        .check(classes);
  }
}
