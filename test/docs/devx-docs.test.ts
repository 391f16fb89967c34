import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { java } from "../support/system-packages.js";

const ROOT = join(__dirname, "..", "..");
const GUIDES = ["endpoints.md", "sessions.md", "deployment.md", "migration-nestjs.md", "migration-jsr356.md", "faq.md"];

function blocks(doc: string): Array<{ lang: string; path: string; code: string }> {
  const text = readFileSync(join(ROOT, "docs", doc), "utf8");
  return [...text.matchAll(/<!-- snippet: (\S+) -->\n```(\w+)\n([\s\S]*?)\n```/g)].map((m) => ({ path: m[1]!, lang: m[2]!, code: m[3]! }));
}

function javaFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? javaFiles(join(dir, f)) : f.endsWith(".java") ? [join(dir, f)] : []));
}

describe("guides: endpoints, sessions, deployment, migrations, FAQ", () => {
  it.each(GUIDES)("%s has no code block that is not a tested snippet file", (doc) => {
    const text = readFileSync(join(ROOT, "docs", doc), "utf8");
    const fences = [...text.matchAll(/```(\w+)\n/g)].map((m) => m[1]);
    const snippets = blocks(doc);
    // One-liners in ```ts without a snippet marker are allowed only in endpoints.md's "Serving" section.
    const inline = doc === "endpoints.md" ? 1 : 0;
    expect(fences.length - snippets.length).toBe(inline);
  });

  it.each(GUIDES.flatMap((doc) => blocks(doc).filter((b) => b.lang !== "ts").map((b) => [doc, b.path, b] as const)))(
    "%s shows %s verbatim",
    (_doc, path, b) => {
      expect(b.code).toBe(readFileSync(join(ROOT, path), "utf8").trimEnd());
    },
  );

  it("the Kubernetes manifest parses and probes the readiness path the shutdown snippet serves", () => {
    const manifest = parse(readFileSync(join(ROOT, "docs/snippets/deployment/kubernetes.yaml"), "utf8")) as {
      spec: { template: { spec: { containers: Array<{ readinessProbe: { httpGet: { path: string } } }> } } };
    };
    expect(manifest.spec.template.spec.containers[0]!.readinessProbe.httpGet.path).toBe("/readyz");
    expect(readFileSync(join(ROOT, "docs/snippets/deployment/graceful-shutdown.ts"), "utf8")).toContain('req.url === "/readyz"');
  });

  it("the nginx config forwards upgrades over HTTP/1.1", () => {
    const conf = readFileSync(join(ROOT, "docs/snippets/deployment/nginx.conf"), "utf8");
    for (const directive of ["proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection $connection_upgrade;"]) {
      expect(conf).toContain(directive);
    }
    expect(conf.split("{").length).toBe(conf.split("}").length);
  });

  it("the HAProxy config adds X-Forwarded-For and bounds upgraded connections with a tunnel timeout", () => {
    const conf = readFileSync(join(ROOT, "docs/snippets/deployment/haproxy.cfg"), "utf8");
    for (const directive of ["mode http", "option forwardfor", "timeout tunnel", "balance leastconn"]) expect(conf).toContain(directive);
  });

  it("the JSR 356 'before' code compiles with javac (against API stubs)", (ctx) => {
    java.guard(ctx);
    const out = mkdtempSync(join(tmpdir(), "wse-javac-"));
    try {
      execFileSync("javac", ["-d", out, ...javaFiles(join(ROOT, "docs/snippets/migration/jsr356"))], { stdio: "pipe", timeout: 120_000 });
      expect(statSync(join(out, "chat", "ChatEndpoint.class")).isFile()).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
