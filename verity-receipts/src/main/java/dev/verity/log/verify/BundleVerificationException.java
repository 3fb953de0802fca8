package dev.verity.log.verify;

/** Why a receipt bundle failed offline verification; each subclass names one failure. */
public abstract sealed class BundleVerificationException extends Exception
    permits BadReceiptSignatureException,
        NotInLogException,
        BadCheckpointSignatureException,
        InconsistentCheckpointException,
        MissingCosignatureException,
        ReexecutionFailedException {
  BundleVerificationException(String message, Throwable cause) {
    super(message, cause);
  }
}
