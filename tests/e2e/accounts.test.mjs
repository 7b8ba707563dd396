// A visitor signs up, logs out and logs in again through the real pages in Chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useForum } from "./harness.mjs";

let forum;
let chrome;
useForum((started, browser) => ([forum, chrome] = [started, browser]));

test("sign up, log out and log in through the pages", async () => {
  const page = await chrome.newPage();
  await page.goto(`${forum.base}/`);
  await page.click("text=Sign up");
  await page.fill("#username", "张伟");
  await page.fill("#email", "zhangwei@example.com");
  await page.fill("#password", "short");
  await page.click("button[type=submit]");
  assert.match(await page.textContent(".field-error"), /at least 10 characters/);
  assert.equal(await page.inputValue("#email"), "zhangwei@example.com", "input kept after an error");

  await page.fill("#password", "tidal quartz lantern mosaic");
  await page.click("button[type=submit]");
  await page.waitForURL(`${forum.base}/`);
  assert.match(await page.textContent(".nav-user"), /张伟/);

  await page.click("text=Log out");
  await page.waitForSelector("text=You are logged out.");
  await page.click(".nav-account >> text=Log in");
  await page.fill("#username", "张伟");
  await page.fill("#password", "tidal quartz lantern mosaic");
  await page.click("button[type=submit]");
  await page.waitForURL(`${forum.base}/`);
  assert.match(await page.textContent(".nav-user"), /张伟/);
  await page.close();
});

test("the layout fits a 360 px wide phone", async () => {
  const page = await chrome.newPage({ viewport: { width: 360, height: 740 } });
  await page.goto(`${forum.base}/login`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
  await page.close();
});
