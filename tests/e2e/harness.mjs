// Starts the agora binary on a free port with a fresh SQLite database, and Debian's chromium through
// playwright-core, for browser tests.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createInterface } from "node:readline";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { before, after } from "node:test";
import { chromium } from "playwright-core";

const root = path.resolve(import.meta.dirname, "../..");

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** The password every e2e account uses (strong enough for the sign-up check). */
export const PASSWORD = "tidal quartz lantern mosaic";

export async function logOut(page) {
  await page.click("text=Log out");
  await page.waitForSelector("text=You are logged out.");
}

/**
 * A real SMTP server for the forum to deliver to (aiosmtpd, tools/mail/smtp_sink.py, installed into
 * .venv-mail by tools/setup/mail.sh): every message it accepts lands in a folder as decoded JSON.
 */
async function startMailSink() {
  execFileSync("bash", [path.join(root, "tools/setup/mail.sh")], { stdio: "inherit" });
  const dir = mkdtempSync(path.join(tmpdir(), "agora-mail-"));
  const python = path.join(root, ".venv-mail/bin/python");
  const child = spawn(python, [path.join(root, "tools/mail/smtp_sink.py"), "--dir", dir], { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    child.on("error", reject);
    createInterface({ input: child.stdout }).once("line", resolve);
  });
  const port = Number(line.replace("ready ", ""));
  return {
    port,
    messages() {
      return readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")));
    },
    stop() {
      child.stdin.end();
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startForum({ mail = false } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "agora-e2e-"));
  const port = await freePort();
  const sink = mail ? await startMailSink() : null;
  const bin = process.env.AGORA_BIN || path.join(process.env.CARGO_TARGET_DIR || path.join(root, "target"), "debug", "agora");
  const env = {
    PATH: process.env.PATH,
    ORT_DYLIB_PATH: process.env.ORT_DYLIB_PATH || "",
    DATABASE_URL: `sqlite://${dir}/agora.db`,
    AGORA_UPLOAD_DIR: `${dir}/uploads`,
    AGORA_BIND: `127.0.0.1:${port}`,
    AGORA_LOG: "warn",
  };
  if (sink) {
    env.AGORA_SMTP_URL = `smtp://127.0.0.1:${sink.port}`;
    env.AGORA_MAIL_FROM = "agora <noreply@agora.test>";
    env.AGORA_PUBLIC_URL = `http://127.0.0.1:${port}`;
  }
  const child = spawn(bin, ["serve"], { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error("agora did not start within 30 s");
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    base,
    /** Signs `name` up through the form; the page ends on the home page, signed in. */
    async signUp(page, name) {
      await page.goto(`${base}/register`);
      await page.fill("#username", name);
      await page.fill("#email", `${name}@example.com`);
      await page.fill("#password", PASSWORD);
      await page.click("main button[type=submit]");
      await page.waitForURL(`${base}/`);
    },
    async logIn(page, name) {
      await page.goto(`${base}/login`);
      await page.fill("#username", name);
      await page.fill("#password", PASSWORD);
      await page.click("main button[type=submit]");
      await page.waitForURL(`${base}/`);
    },
    /** Runs an `agora` command against this forum's database, `input` on its standard input. */
    cli(args, input = "") {
      return new Promise((resolve, reject) => {
        const run = spawn(bin, args, { cwd: root, env, stdio: ["pipe", "ignore", "inherit"] });
        run.on("error", reject);
        run.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`agora ${args.join(" ")} exited ${code}`))));
        run.stdin.end(input);
      });
    },
    /** The first delivered message to `to` that `matches` (the job worker sends within seconds). */
    async waitForMail(to, matches = () => true) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const found = sink.messages().find((m) => m.to.includes(to) && matches(m));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no mail to ${to} within 30 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
      sink?.stop();
    },
  };
}

/**
 * Runs axe-core (from the npm registry, `node_modules/axe-core`) on the page as it is now and returns
 * its results. The script is injected once per document; the page's CSP forbids inline scripts, so
 * the browser must come from `launchBrowser({ bypassCSP: true })`.
 */
export async function axe(page, options) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) {
    axeSource ??= readFileSync(path.join(root, "node_modules/axe-core/axe.min.js"), "utf8");
    await page.addScriptTag({ content: axeSource });
  }
  return page.evaluate((opts) => window.axe.run(document, opts), options);
}
let axeSource;

/** `bypassCSP` lets the accessibility checker's injected script run; the other tests keep the CSP. */
export async function launchBrowser({ bypassCSP = false } = {}) {
  // A fresh profile per run; playwright takes it as the persistent context's folder.
  const profile = mkdtempSync(path.join(tmpdir(), "agora-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    bypassCSP,
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  return {
    context,
    async newPage({ viewport } = {}) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The set-up every browser test file shares: one forum and one browser for the file, started before
 * its tests and stopped after them. `ready(forum, browser)` hands both to the file.
 */
export function useForum(ready, browserOptions, forumOptions) {
  let forum;
  let browser;
  before(async () => {
    forum = await startForum(forumOptions);
    browser = await launchBrowser(browserOptions);
    ready(forum, browser);
  });
  after(async () => {
    await browser?.close();
    await forum?.stop();
  });
}
