// The answer bot in a browser: a member writes an article, asks the bot about it, watches the answer
// arrive over Server-Sent Events, and ends on the checked answer with its cited source and passage.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useForum } from "./harness.mjs";

let forum;
let chrome;
useForum((started, browser) => ([forum, chrome] = [started, browser]));

test("asking the bot streams a cited answer", async () => {
  const page = await chrome.newPage();
  await forum.signUp(page, "bot-asker");

  await page.goto(`${forum.base}/articles/new`);
  await page.fill("#title", "Flux capacitor calibration guide");
  await page.fill(
    "#body",
    "The flux capacitor calibration needs a warm reactor. " +
      "Calibrate the flux capacitor after the reactor reaches operating temperature.",
  );
  await page.fill("#tags", "hardware");
  await page.click("button:has-text('Publish')");
  await page.waitForURL(/\/articles\/\d+\//);

  await page.goto(`${forum.base}/bot`);
  // The model loads in the background after start-up; the form is enabled once it is on.
  for (let i = 0; i < 100 && (await page.isDisabled("form[data-bot-ask] button[type=submit]")); i++) {
    await page.waitForTimeout(200);
    await page.reload();
  }
  // Record the Server-Sent Events the page receives, in order.
  await page.addInitScript(() => {
    const Native = window.EventSource;
    window.seenEvents = [];
    window.EventSource = function (url) {
      const source = new Native(url);
      for (const type of ["sources", "text", "done"]) {
        source.addEventListener(type, () => window.seenEvents.push(type));
      }
      return source;
    };
  });
  await page.fill("#bot-question", "How do I calibrate the flux capacitor?");
  const streamed = page.waitForResponse((r) => r.url().endsWith("/stream"));
  await page.click("form[data-bot-ask] button[type=submit]");
  await page.waitForURL(/\/bot\/answers\/\d+$/);

  const stream = await streamed;
  assert.equal(stream.headers()["content-type"], "text/event-stream");

  // When the stream ends the page shows the checked answer in place of the raw tokens.
  await page.waitForSelector("[data-bot-answer]:not([data-stream])");
  const seen = await page.evaluate(() => window.seenEvents);
  assert.equal(seen[0], "sources");
  assert.ok(seen.includes("text"), `tokens were streamed: ${seen}`);
  assert.equal(seen.at(-1), "done");
  assert.match(await page.textContent("[data-bot-status]"), /Answered/);
  const label = await page.textContent(".bot-label");
  assert.match(label, /AI-generated draft · agora-gpt2/);
  const source = page.locator(".bot-sources li a");
  assert.equal(await source.first().textContent(), "Flux capacitor calibration guide");
  assert.match(await page.textContent(".bot-passage"), /operating temperature/);
  const citation = page.locator(".bot-text a", { hasText: "[1]" });
  assert.match(await citation.first().getAttribute("href"), /^\/articles\/\d+\//);
});
