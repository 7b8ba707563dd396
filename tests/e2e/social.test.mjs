// Reputation earned through the pages unlocks voting; votes update in place without
// a reload (static/js/votes.js); notifications show in the header. (Plain-form voting with JavaScript
// off is covered by tests/api/social.rs.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { useForum, logOut } from "./harness.mjs";

let forum;
let chrome;
useForum((started, browser) => ([forum, chrome] = [started, browser]));

const scoreIs = (page, selector, value) =>
  page.waitForFunction(
    ([sel, v]) => document.querySelector(sel)?.textContent.trim() === v,
    [selector, value],
  );

test("an accepted answer earns the reputation to vote, and votes update without a reload", async () => {
  const page = await chrome.newPage();
  await forum.signUp(page, "asker");
  await page.goto(`${forum.base}/questions/ask`);
  await page.fill("#title", "How do I pick a LoRA rank for a 7B model?");
  await page.fill("#body", "Is rank 8 enough for instruction tuning?");
  await page.fill("#tags", "lora, fine-tuning");
  await page.click("button:has-text('Post your question')");
  await page.waitForURL(/\/questions\/\d+\//);
  const questionUrl = page.url();
  await logOut(page);

  await forum.signUp(page, "helper");
  await page.goto(questionUrl);
  await page.fill("#answer-body", "Rank 8 to 16 is usually enough; @asker try 16 first.");
  await page.click("button:has-text('Post your answer')");
  await page.waitForSelector(".answer");
  await logOut(page);

  await forum.logIn(page, "asker");
  assert.ok(await page.$(".nav-notifications [data-unread]"), "the asker sees an unread notification");
  await page.goto(questionUrl);
  await page.click("button:has-text('Accept this answer')");
  await page.waitForSelector(".answer.accepted");
  await logOut(page);

  // +15 for the accepted answer: the helper may now vote up (not down: that needs 125).
  await forum.logIn(page, "helper");
  assert.equal((await page.textContent(".nav-notifications [data-unread]")).trim(), "1");
  await page.goto(questionUrl);
  let reloaded = false;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) reloaded = true;
  });
  const question = ".post:not(.answer) .vote";
  await page.click(`${question} .vote-up`);
  await scoreIs(page, `${question} [data-vote-score]`, "1");
  assert.equal(await page.getAttribute(`${question} .vote-up`, "aria-pressed"), "true");
  assert.ok(await page.isDisabled(`${question} .vote-down`), "downvoting needs 125 reputation");
  await page.click(`${question} .vote-up`);
  await scoreIs(page, `${question} [data-vote-score]`, "0");
  assert.equal(reloaded, false, "voting did not reload the page");

  await page.goto(`${forum.base}/notifications`);
  assert.match(await page.textContent(".notification-list"), /asker accepted your answer/);
  await page.click("button:has-text('Mark all as read')");
  await page.waitForURL(`${forum.base}/notifications`);
  assert.equal(await page.$(".nav-notifications [data-unread]"), null, "badge cleared");
  await page.close();
});

