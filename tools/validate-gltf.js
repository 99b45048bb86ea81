// Validates a .glb with the Khronos glTF validator (npm gltf-validator, installed into
// tools/node_modules by `npm ci` in tools/). Prints the report's issue counts and messages as
// JSON; exits 0 when there are no errors, 1 when there are, 2 when it could not run.
// Usage: node tools/validate-gltf.js FILE.glb
const fs = require('fs');
const validator = require('gltf-validator');
const file = process.argv[2];
if (!file) {
  console.error('usage: node validate-gltf.js FILE.glb');
  process.exit(2);
}
validator
  .validateBytes(new Uint8Array(fs.readFileSync(file)), {
    maxIssues: 100,
    externalResourceFunction: () => Promise.reject(new Error('external resources are not allowed')),
  })
  .then((report) => {
    const out = {
      errors: report.issues.numErrors,
      warnings: report.issues.numWarnings,
      infos: report.issues.numInfos,
      messages: report.issues.messages.map((m) => `${m.severity} ${m.code} ${m.pointer || ''}: ${m.message}`),
      extensions: report.info && report.info.extensionsUsed,
      materials: report.info && report.info.materialCount,
    };
    console.log(JSON.stringify(out, null, 1));
    process.exit(report.issues.numErrors > 0 ? 1 : 0);
  })
  .catch((e) => {
    console.error(String(e));
    process.exit(2);
  });
