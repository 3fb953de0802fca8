/**
 * The explorer: web pages every node serves at {@code /explorer/}. {@link
 * dev.verity.node.explorer.ExplorerApi} serves the static files under {@code
 * src/main/resources/dev/verity/node/explorer/} (plain ES modules and CSS, no build step) with a
 * strict Content-Security-Policy; the pages read only the node's public HTTP API and verify
 * receipts, checkpoints and Merkle proofs in the browser with WebCrypto. See
 * verity-explorer-tests/README.md.
 */
package dev.verity.node.explorer;
