// Lets a plain `node` child process load this repository's TypeScript sources (decorators and their
// metadata included) without a build: transpile on require, and map "./x.js" imports to "./x.ts".
const fs = require("node:fs");
const Module = require("node:module");
const TS_VERSION = require("typescript/package.json").version;

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (request.endsWith(".js") && parent && parent.filename && parent.filename.endsWith(".ts") && request.startsWith(".")) {
    const candidate = require("node:path").resolve(require("node:path").dirname(parent.filename), request.slice(0, -3) + ".ts");
    if (fs.existsSync(candidate)) return candidate;
  }
  return resolve.call(this, request, parent, ...rest);
};

// Transpiling is slow on a busy machine; keep each result keyed by the file's content.
const cacheDir = require("node:path").join(require("node:os").tmpdir(), `wse-ts-register-${TS_VERSION}`);
fs.mkdirSync(cacheDir, { recursive: true });

require.extensions[".ts"] = function (module, filename) {
  const source = fs.readFileSync(filename, "utf8");
  const key = require("node:crypto").createHash("sha1").update(filename).update("\0").update(source).digest("hex");
  const cached = require("node:path").join(cacheDir, `${key}.js`);
  if (fs.existsSync(cached)) return module._compile(fs.readFileSync(cached, "utf8"), filename);
  // Loaded only on a cache miss: requiring the compiler alone takes a noticeable part of a second.
  const ts = require("typescript");
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      useDefineForClassFields: false,
      esModuleInterop: true,
    },
  });
  fs.writeFileSync(`${cached}.${process.pid}`, outputText);
  fs.renameSync(`${cached}.${process.pid}`, cached);
  module._compile(outputText, filename);
};
