// Installs the pinned npm toolchain (solc, anvil) with `npm ci` unless node_modules already
// matches package-lock.json (a stamp holds the lock file's SHA-256).
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { execFileSync } = require('child_process');

const moduleDir = path.resolve(__dirname, '..');
const lock = path.join(moduleDir, 'package-lock.json');
const stamp = path.join(moduleDir, 'node_modules', '.verity-toolchain-stamp');
const want = crypto.createHash('sha256').update(fs.readFileSync(lock)).digest('hex');
const anvil = path.join(moduleDir, 'node_modules', '@foundry-rs', 'anvil-linux-amd64', 'bin', 'anvil');
const soljson = path.join(moduleDir, 'node_modules', 'solc', 'soljson.js');

let have = '';
try { have = fs.readFileSync(stamp, 'utf8').trim(); } catch (e) { /* first build */ }
if (have === want && fs.existsSync(anvil) && fs.existsSync(soljson)) {
  process.exit(0);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
try {
  execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: moduleDir, stdio: 'inherit' });
} catch (e) {
  console.error('verity-settlement: `npm ci` failed; is npm installed (scripts/install-prerequisites.sh)?');
  process.exit(1);
}
fs.writeFileSync(stamp, want + '\n');
