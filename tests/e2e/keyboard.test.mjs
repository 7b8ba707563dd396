// The keyboard alone: the skip link comes first and moves focus to the content; a member asks a
// question, another answers it, the asker accepts and comments, and the answerer votes, with Tab, Shift+Tab, Enter
// and Space only (no clicks). Every control reached shows a focus ring with >= 3:1 contrast.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useForum } from "./harness.mjs";

let forum;
let chrome;
useForum((started, browser) => ([forum, chrome] = [started, browser]));

function luminance(rgb) {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const rgb = (css) => css.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);

/** The focused element shows a ring: an outline of >= 2 px with >= 3:1 against the page background. */
async function assertFocusRing(page) {
  const ring = await page.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
      what: el.outerHTML.slice(0, 80),
      visible: el.matches(":focus-visible"),
      style: style.outlineStyle,
      width: parseFloat(style.outlineWidth),
      color: style.outlineColor,
      background: getComputedStyle(document.body).backgroundColor,
    };
  });
  assert.ok(ring.visible && ring.style !== "none" && ring.width >= 2, `no focus ring on ${ring.what}`);
  const ratio = contrast(rgb(ring.color), rgb(ring.background));
  assert.ok(ratio >= 3, `focus ring ${ring.color} on ${ring.background} is ${ratio.toFixed(2)}:1 (${ring.what})`);
}

/** Presses Tab (or Shift+Tab) until the focused element matches `selector`. */
async function tabTo(page, selector, { back = false, max = 150 } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) {
      await assertFocusRing(page);
      return;
    }
  }
  throw new Error(`${selector} is not reachable with ${back ? "Shift+Tab" : "Tab"}`);
}

async function logOutByKeyboard(page) {
  await page.goto(`${forum.base}/`);
  await tabTo(page, "form[action='/logout'] button");
  await page.keyboard.press("Enter");
  await page.waitForSelector("text=You are logged out.");
}

const scoreIs = (page, selector, value) =>
  page.waitForFunction(
    ([sel, v]) => document.querySelector(sel)?.textContent.trim() === v,
    [selector, value],
  );

test("the skip link is the first stop and moves focus to the main content", async () => {
  const page = await chrome.newPage();
  await page.goto(`${forum.base}/questions`);
  await page.keyboard.press("Tab");
  const skip = await page.evaluate(() => {
    const el = document.activeElement;
    const box = el.getBoundingClientRect();
    return { cls: el.className, href: el.getAttribute("href"), onScreen: box.left >= 0 && box.top >= 0 && box.width > 0 };
  });
  assert.equal(skip.cls, "skip");
  assert.equal(skip.href, "#main");
  assert.ok(skip.onScreen, "the focused skip link is visible");
  await assertFocusRing(page);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement?.id === "main");
  // The next Tab lands inside the content, past the header.
  await page.keyboard.press("Tab");
  assert.ok(await page.evaluate(() => document.querySelector("main").contains(document.activeElement)));
  await page.close();
});

test("ask, answer, accept, comment and vote with the keyboard only", async () => {
  const page = await chrome.newPage();
  await forum.signUp(page, "asker");

  // Ask: from the home page's "Ask" link to the posted question.
  await page.goto(`${forum.base}/`);
  await tabTo(page, "main a[href='/questions/ask']");
  await page.keyboard.press("Enter");
  await page.waitForURL(`${forum.base}/questions/ask`);
  await tabTo(page, "#title");
  await page.keyboard.type("How do I quantise a model to int8 without losing accuracy?");
  await tabTo(page, "#body");
  await page.keyboard.type("Post-training quantisation drops two points on my benchmark.");
  await tabTo(page, "#tags");
  await page.keyboard.type("quantisation, inference");
  // Back and forth: Shift+Tab returns to the body, Tab reaches the submit button.
  await tabTo(page, "#body", { back: true });
  await tabTo(page, ".post-form .form-actions button:not([name])");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/questions\/\d+\//);
  const questionUrl = page.url();
  await logOutByKeyboard(page);

  // Answer.
  await forum.signUp(page, "answerer");
  await page.goto(questionUrl);
  await tabTo(page, "#answer-body");
  await page.keyboard.type("Calibrate on a few hundred real inputs, and keep the first layer in fp16.");
  await tabTo(page, ".answer-form button[type=submit]");
  await page.keyboard.press("Space");
  await page.waitForSelector(".answer");
  await logOutByKeyboard(page);

  // Accept: the asker reaches the accept button.
  await forum.logIn(page, "asker");
  await page.goto(questionUrl);
  await tabTo(page, ".accept-form button");
  await page.keyboard.press("Enter");
  await page.waitForSelector(".answer.accepted");
  // Comment on the answer: the disclosure opens with Enter, its form follows in tab order.
  await tabTo(page, ".answer details.comment-add summary");
  await page.keyboard.press("Enter");
  await tabTo(page, ".answer details.comment-add textarea");
  await page.keyboard.type("Thanks, fp16 for the first layer did it.");
  await tabTo(page, ".answer details.comment-add button[type=submit]");
  await page.keyboard.press("Enter");
  await page.waitForSelector(".answer .comment-body >> text=fp16 for the first layer");
  await logOutByKeyboard(page);

  // Vote: the accepted answer earned the answerer the reputation to vote up; from the answer field,
  // Shift+Tab walks back up to the question's vote button.
  await forum.logIn(page, "answerer");
  await page.goto(questionUrl);
  await tabTo(page, "#answer-body");
  const up = "article.question .vote-up";
  await tabTo(page, up, { back: true });
  await page.keyboard.press("Space");
  await scoreIs(page, "article.question [data-vote-score]", "1");
  assert.equal(await page.getAttribute(up, "aria-pressed"), "true");
  assert.ok(await page.evaluate((sel) => document.activeElement === document.querySelector(sel), up), "focus stays on the button");
  await page.keyboard.press("Enter");
  await scoreIs(page, "article.question [data-vote-score]", "0");
  assert.equal(await page.getAttribute(up, "aria-pressed"), "false");
  await page.close();
});
