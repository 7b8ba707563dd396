// A member flags a question through the <details> form on its page (no JavaScript needed); a moderator
// finds it on /admin/flags with the reason and note, and hides it from there.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startForum, launchBrowser, logOut, PASSWORD } from "./harness.mjs";

let forum;
let chrome;

before(async () => {
  forum = await startForum();
  chrome = await launchBrowser();
  await forum.cli(["admin", "create", "boss", "boss@example.com"], `${PASSWORD}\n`);
});

after(async () => {
  await chrome?.close();
  await forum?.stop();
});

test("a moderator resolves a member's flag from /admin/flags", async () => {
  const page = await chrome.newPage();
  await forum.signUp(page, "seller");
  await page.goto(`${forum.base}/questions/ask`);
  await page.fill("#title", "Cheap GPU hours, best prices anywhere");
  await page.fill("#body", "Message me for discount GPU rentals.");
  await page.fill("#tags", "gpu");
  await page.click("button:has-text('Post your question')");
  await page.waitForURL(/\/questions\/\d+\//);
  const questionUrl = page.url();
  await logOut(page);

  await forum.signUp(page, "reporter");
  await page.goto(questionUrl);
  const flag = "article.question details.flag";
  await page.click(`${flag} summary`);
  await page.check(`${flag} input[value=spam]`);
  await page.fill(`${flag} textarea[name=note]`, "advertising GPU rentals");
  await page.click(`${flag} button[type=submit]`);
  await page.waitForSelector("text=the moderators will review your flag");
  await logOut(page);

  await forum.logIn(page, "boss");
  await page.goto(`${forum.base}/admin/flags`);
  const item = page.locator(".mod-item", { hasText: "Cheap GPU hours" });
  assert.match(await item.textContent(), /Spam or advertising: advertising GPU rentals/);
  assert.match(await item.textContent(), /reporter/);
  await item.locator("input[name=reason]").fill("spam");
  await item.locator("button:has-text('Hide')").click();
  await page.waitForSelector("text=The decision is in the audit log");
  assert.equal(page.url(), `${forum.base}/admin/flags`);
  await page.waitForSelector("text=Nothing is waiting for review.");

  await page.goto(questionUrl);
  await page.waitForSelector("text=Hidden pending review");
  await page.goto(`${forum.base}/admin/log`);
  assert.match(await page.textContent("main"), /hide_post/);
  await logOut(page);

  const visitor = await chrome.newPage();
  const res = await visitor.goto(questionUrl);
  assert.equal(res.status(), 404, "hidden from visitors");
  await page.close();
  await visitor.close();
});
