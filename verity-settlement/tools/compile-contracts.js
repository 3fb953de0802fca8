// Compiles contracts/*.sol with the pinned solc (standard-JSON API) into
// target/classes/contracts/<Name>.json holding the ABI, creation bytecode and method identifiers.
// Any compiler error fails the build with solc's own message.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const EVM_VERSION = 'cancun';
const moduleDir = path.resolve(__dirname, '..');
const srcDir = path.join(moduleDir, 'contracts');
const outDir = path.join(moduleDir, 'target', 'classes', 'contracts');

const crypto = require('crypto');
const sources = {};
const libraries = new Set();
const fingerprint = crypto.createHash('sha256');
fingerprint.update(fs.readFileSync(__filename));
fingerprint.update(solc.version());
for (const f of fs.readdirSync(srcDir).filter((f) => f.endsWith('.sol')).sort()) {
  const content = fs.readFileSync(path.join(srcDir, f), 'utf8');
  sources[f] = { content };
  fingerprint.update(f + '\0' + content + '\0');
  for (const m of content.matchAll(/^library (\w+)/gm)) libraries.add(m[1]);
}
// Skip the (slow, via-IR) compilation when neither the sources nor this script changed.
const stamp = path.join(outDir, '.sources-sha256');
const want = fingerprint.digest('hex');
try {
  if (fs.readFileSync(stamp, 'utf8').trim() === want) {
    console.log('verity-settlement: contracts up to date');
    process.exit(0);
  }
} catch (e) { /* first build */ }
const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    viaIR: true,
    evmVersion: EVM_VERSION,
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.methodIdentifiers'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
for (const w of (output.errors || []).filter((e) => e.severity !== 'error')) {
  console.warn(w.formattedMessage);
}
if (errors.length > 0) {
  for (const e of errors) console.error(e.formattedMessage);
  console.error('verity-settlement: Solidity compilation failed (' + errors.length + ' error(s))');
  process.exit(1);
}
fs.mkdirSync(outDir, { recursive: true });
let count = 0;
for (const [file, contracts] of Object.entries(output.contracts)) {
  for (const [name, c] of Object.entries(contracts)) {
    if (!c.evm.bytecode.object || libraries.has(name)) continue; // interfaces, internal libraries
    const artifact = {
      contractName: name,
      sourceName: file,
      compiler: 'solc ' + solc.version(),
      evmVersion: EVM_VERSION,
      abi: c.abi,
      bytecode: '0x' + c.evm.bytecode.object,
      methodIdentifiers: c.evm.methodIdentifiers,
    };
    const target = path.join(outDir, name + '.json');
    const tmp = target + '.tmp';
    fs.writeFileSync(tmp, JSON.stringify(artifact, null, 1) + '\n');
    fs.renameSync(tmp, target);
    count++;
  }
}
fs.writeFileSync(stamp, want + '\n');
console.log('verity-settlement: compiled ' + count + ' contracts with solc ' + solc.version());
