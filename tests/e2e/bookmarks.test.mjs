// Bookmark a post from its page and find it again on /bookmarks (the plain form: it works with or
// without JavaScript); the button says what pressing it does next.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useForum, logOut } from "./harness.mjs";

let forum;
let chrome;
useForum((started, browser) => ([forum, chrome] = [started, browser]));

test("a member bookmarks a question and finds it again on /bookmarks", async () => {
  const page = await chrome.newPage();
  await forum.signUp(page, "asker");
  await page.goto(`${forum.base}/questions/ask`);
  await page.fill("#title", "How do I stream tokens from a KV-cached decoder?");
  await page.fill("#body", "Each step re-runs the whole prompt; what am I missing?");
  await page.fill("#tags", "inference");
  await page.click("button:has-text('Post your question')");
  await page.waitForURL(/\/questions\/\d+\//);
  const questionUrl = page.url();
  await logOut(page);

  await forum.signUp(page, "reader");
  await page.goto(questionUrl);
  await page.fill("#answer-body", "Keep the past key/values and feed only the new token.");
  await page.click("button:has-text('Post your answer')");
  await page.waitForSelector(".answer");

  const questionButton = ".post:not(.answer) [data-bookmark-button]";
  assert.equal(await page.getAttribute(questionButton, "aria-pressed"), "false");
  let reloaded = false;
  const onNavigate = (frame) => {
    if (frame === page.mainFrame()) reloaded = true;
  };
  page.on("framenavigated", onNavigate);
  await page.click(questionButton);
  await page.waitForSelector(`${questionButton}[aria-pressed="true"]`);
  assert.match(await page.textContent(questionButton), /Remove bookmark/);
  assert.equal(reloaded, false, "bookmarking did not reload the page (static/js/bookmarks.js)");
  page.off("framenavigated", onNavigate);


  await page.goto(`${forum.base}/bookmarks`);
  const saved = page.locator(".bookmark-item a", { hasText: "How do I stream tokens" });
  assert.equal(await saved.count(), 1, "the question is on /bookmarks");
  await saved.click();
  await page.waitForURL(/\/questions\/\d+/);
  assert.match(await page.textContent("h1"), /How do I stream tokens/);

  // Pressing again takes it off the list.
  await page.click(questionButton);
  await page.waitForSelector(`${questionButton}[aria-pressed="false"]`);
  await page.goto(`${forum.base}/bookmarks`);
  assert.equal(await page.locator(".bookmark-item").count(), 0);
  await page.close();
});
