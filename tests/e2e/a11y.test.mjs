// WCAG 2.2 AA on every page type: axe-core checks each page in light and dark mode at 1280 px and
// 375 px wide, and at 375 px (narrower than 1280 px zoomed to 200 %) the page must not scroll sideways.
// One forum is seeded through its own forms first; the pages are then loaded once each and re-checked
// per colour scheme and width without reloading.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startForum, launchBrowser, logOut, axe, PASSWORD } from "./harness.mjs";

let forum;
let chrome;
let page;
const urls = {};

/** WCAG 2.0, 2.1 and 2.2 A and AA rules, plus the two landmark best practices. */
const AXE_OPTIONS = {
  runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
  rules: { "landmark-unique": { enabled: true }, region: { enabled: true } },
  resultTypes: ["violations"],
};
const SCHEMES = ["light", "dark"];
const WIDTHS = [1280, 375];

async function submit(page, label) {
  await page.click(`main button:has-text('${label}')`);
}

/** Publishes a post through the editor and returns its URL. */
async function publish(page, path, { title, body, tags }, button) {
  await page.goto(`${forum.base}${path}`);
  await page.fill("#title", title);
  await page.fill("#body", body);
  await page.fill("#tags", tags);
  await submit(page, button);
  await page.waitForURL(/\/(articles|questions)\/\d+\//);
  return page.url();
}

async function comment(page, section, text) {
  const thread = page.locator(section).locator("section.comments").first();
  await thread.locator("details.comment-add summary").click();
  await thread.locator("textarea[name=body]").fill(text);
  await thread.locator("button:has-text('Save comment')").click();
  await page.waitForSelector(`text=${text}`);
}

before(async () => {
  forum = await startForum();
  chrome = await launchBrowser({ bypassCSP: true });
  page = await chrome.newPage();
  await forum.cli(["admin", "create", "boss", "boss@example.com"], `${PASSWORD}\n`);

  // The staff member asks, writes and lists; a member answers and flags.
  await forum.logIn(page, "boss");
  urls.question = await publish(
    page,
    "/questions/ask",
    {
      title: "How do I stream tokens from a local model?",
      body: "I want them to appear as they are generated, like `print(token, flush=True)`.",
      tags: "inference, streaming",
    },
    "Post your question",
  );
  await comment(page, "article.question", "Streaming over HTTP is fine too.");
  urls.article = await publish(
    page,
    "/articles/new",
    {
      title: "注意力机制入门 Attention in one page",
      body: [
        "缩放点积注意力是 Transformer 的核心：先算查询和键的相似度，再对值加权求和。",
        "",
        "```python",
        "# one head",
        "def attention(q, k, v):",
        "    return softmax(q @ k.T / 8.0) @ v",
        "```",
        "",
        "公式：$\\mathrm{softmax}(QK^T / \\sqrt{d_k}) V$。参见[原论文](https://arxiv.org/abs/1706.03762)。",
      ].join("\n"),
      tags: "transformers, 深度学习",
    },
    "Publish",
  );
  await page.goto(`${forum.base}/resources/new`);
  await page.selectOption("#kind", "book");
  await page.fill("#title", "Deep Learning");
  await page.fill("#url", "https://www.deeplearningbook.org/");
  await page.fill("#authors", "Goodfellow, Bengio, Courville");
  await page.fill("#year", "2016");
  await page.fill("#tags", "deep-learning");
  await submit(page, "Submit");
  await page.waitForURL(/\/resources\/\d+/);
  urls.resource = page.url();
  await page.goto(`${forum.base}/events/new`);
  await page.fill("#title", "读书会 Reading group: attention papers");
  await page.fill("#starts", "2031-03-05T19:00");
  await page.fill("#ends", "2031-03-05T21:00");
  await page.fill("#time_zone", "Asia/Shanghai");
  await page.fill("#place", "Room 3, 上海");
  await page.fill("#capacity", "20");
  await page.fill("#body", "We read *Attention Is All You Need*.");
  await submit(page, "Save the event");
  await page.waitForURL(/\/events\/\d+$/);
  urls.event = page.url();
  await logOut(page);

  await forum.signUp(page, "helper");
  await page.goto(urls.question);
  await page.fill("#answer-body", "Use **server-sent events** and flush after every token.");
  await submit(page, "Post your answer");
  await page.waitForSelector(".answer strong");
  const flag = "article.question details.flag";
  await page.click(`${flag} summary`);
  await page.check(`${flag} input[value=needs_attention]`);
  await page.fill(`${flag} textarea[name=note]`, "the title could be clearer");
  await page.click(`${flag} button[type=submit]`);
  await page.waitForSelector("text=the moderators will review your flag");
  await page.goto(urls.event);
  await page.check("input[name=answer][value=going]");
  await submit(page, "Save my answer");
  await page.waitForSelector("text=Your answer is saved.");
  await page.goto(`${forum.base}/resources/new`);
  await page.selectOption("#kind", "paper");
  await page.fill("#title", "Attention Is All You Need");
  await page.fill("#url", "https://arxiv.org/abs/1706.03762");
  await submit(page, "Submit");
  await page.waitForSelector("text=a moderator will review your resource");
  await logOut(page);

  // Logged out: the sign-in pages.
  await forum.logIn(page, "boss");
  await page.goto(urls.question);
  await submit(page, "Accept this answer");
  await page.waitForSelector(".answer.accepted");
  await comment(page, ".answer", "Thanks, that works.");
  await page.goto(`${forum.base}/admin/users?q=helper`);
  urls.adminUser = await page.locator("main table a", { hasText: "helper" }).getAttribute("href");
  urls.adminPost = `/admin/posts/${urls.question.match(/\/questions\/(\d+)/)[1]}`;

  // The bot: wait for the model, ask, and let the streamed answer finish.
  await page.goto(`${forum.base}/bot`);
  for (let i = 0; i < 100 && (await page.isDisabled("form[data-bot-ask] button[type=submit]")); i++) {
    await page.waitForTimeout(200);
    await page.reload();
  }
  await page.fill("#bot-question", "How do I stream tokens from a local model?");
  await page.click("form[data-bot-ask] button[type=submit]");
  await page.waitForURL(/\/bot\/answers\/\d+$/);
  await page.waitForSelector("[data-bot-answer]:not([data-stream])", { timeout: 60_000 });
  urls.botAnswer = page.url();
  await logOut(page);
});

after(async () => {
  await chrome?.close();
  await forum?.stop();
});

const go = (path) => async () => {
  await page.goto(path.startsWith("http") ? path : `${forum.base}${path}`);
};

// In order: the signed-out pages first, then everything as the administrator (who sees every control).
const PAGES = [
  ["home, signed out", go("/")],
  ["log-in", go("/login")],
  ["sign-up", go("/register")],
  ["question, signed out", () => go(urls.question)()],
  [
    "sign-up with errors",
    async () => {
      await page.goto(`${forum.base}/register`);
      await page.fill("#username", "x");
      await submit(page, "Create account");
      await page.waitForSelector(".field-error");
    },
  ],
  [
    "signing in",
    async () => {
      await forum.logIn(page, "boss");
    },
  ],
  ["home", go("/")],
  ["articles", go("/articles")],
  ["questions", go("/questions")],
  ["tags", go("/tags")],
  ["tag", go("/tags/streaming")],
  ["resources", go("/resources")],
  ["resource", () => go(urls.resource)()],
  ["article", () => go(urls.article)()],
  ["question with answers and comments", () => go(urls.question)()],
  ["profile", go("/u/boss")],
  ["profile of another member", go("/u/helper")],
  ["search", go("/search?q=stream")],
  ["bot ask", go("/bot")],
  ["bot answer", () => go(urls.botAnswer)()],
  [
    "editor with an error",
    async () => {
      await page.goto(`${forum.base}/questions/ask`);
      await submit(page, "Post your question");
      await page.waitForSelector(".form-errors");
    },
  ],
  ["article editor", go("/articles/new")],
  ["resource form", go("/resources/new")],
  ["events", go("/events")],
  ["event", () => go(urls.event)()],
  ["event form", go("/events/new")],
  [
    "event form with errors",
    async () => {
      await page.goto(`${forum.base}/events/new`);
      await submit(page, "Save the event");
      await page.waitForSelector(".form-errors");
    },
  ],
  ["settings", go("/settings")],
  ["notifications", go("/notifications")],
  ["guidelines", go("/guidelines")],
  ["admin dashboard", go("/admin")],
  ["admin users", go("/admin/users")],
  ["admin user", () => go(urls.adminUser)()],
  ["admin post", () => go(urls.adminPost)()],
  ["admin flags", go("/admin/flags")],
  ["admin queue", go("/admin/queue")],
  ["admin rules", go("/admin/rules")],
  ["admin resources", go("/admin/resources")],
  ["admin ai", go("/admin/ai")],
  ["admin log", go("/admin/log")],
  ["admin reports", go("/admin/reports")],
  ["admin settings", go("/admin/settings")],
  ["admin invites", go("/admin/invites")],
  ["admin guidelines", go("/admin/guidelines")],
  ["not found", go("/questions/999999/nothing")],
];

function describe(name, scheme, width, violation) {
  return violation.nodes.map(
    (node) =>
      `${name} (${scheme}, ${width}px): ${violation.id} [${violation.impact}] ${violation.help}\n` +
      `  element: ${node.target.join(" ")}\n` +
      `  fix: ${node.failureSummary.replace(/\n/g, "\n       ")}`,
  );
}

for (const [name, visit] of PAGES) {
  if (name === "signing in") {
    test(name, visit);
    continue;
  }
  test(`${name}: no WCAG 2.2 AA violations, light and dark, 1280 and 375 px, no sideways scroll`, async () => {
    await page.setViewportSize({ width: WIDTHS[0], height: 900 });
    await page.emulateMedia({ colorScheme: SCHEMES[0] });
    await visit();
    const problems = [];
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        const { violations } = await axe(page, AXE_OPTIONS);
        for (const v of violations) problems.push(...describe(name, scheme, width, v));
        if (width < 640) {
          const { scroll, inner } = await page.evaluate(() => ({
            scroll: document.documentElement.scrollWidth,
            inner: window.innerWidth,
          }));
          if (scroll > inner) problems.push(`${name} (${scheme}, ${width}px): scrolls sideways (${scroll} > ${inner})`);
        }
      }
    }
    assert.equal(problems.length, 0, `${page.url()}\n${problems.join("\n")}`);
  });
}

// Screen readers: what the checks above cannot see. These run signed in as the administrator.

/** The text of the elements an attribute's id list points at (aria-describedby, aria-labelledby). */
async function referencedText(page, selector, attribute) {
  return page.evaluate(
    ([sel, attr]) => {
      const ids = (document.querySelector(sel)?.getAttribute(attr) ?? "").split(/\s+/).filter(Boolean);
      return ids.map((id) => document.getElementById(id)?.textContent.trim() ?? `(no element #${id})`);
    },
    [selector, attribute],
  );
}

test("form errors are tied to their fields, and focus moves to the error summary", async () => {
  await page.goto(`${forum.base}/questions/ask`);
  await submit(page, "Post your question");
  await page.waitForSelector(".form-errors");
  const focused = await page.evaluate(() => ({
    summary: document.activeElement?.hasAttribute("data-error-summary"),
    role: document.activeElement?.getAttribute("role"),
  }));
  assert.deepEqual(focused, { summary: true, role: "alert" }, "the error summary is focused and announced");
  for (const field of ["#title", "#body", "#tags"]) {
    assert.equal(await page.getAttribute(field, "aria-invalid"), "true", `${field} is marked invalid`);
    const described = await referencedText(page, field, "aria-describedby");
    const error = (await page.textContent(`${field}-error`)).trim();
    assert.ok(error.length > 0, `${field} has an error message`);
    assert.ok(described.includes(error), `${field} is described by its error: ${JSON.stringify(described)}`);
  }
  await page.fill("#title", "A question with a title long enough to pass");
  await submit(page, "Post your question");
  await page.waitForSelector(".form-errors");
  assert.equal(await page.getAttribute("#title", "aria-invalid"), null, "a valid field is not marked");
  assert.deepEqual(await referencedText(page, "#title", "aria-describedby"), [(await page.textContent("#title-help")).trim()]);

  // A single field: the answer form, sent empty.
  await page.goto(urls.question);
  await submit(page, "Post your answer");
  await page.waitForSelector("#answer-error");
  assert.equal(await page.getAttribute("#answer-body", "aria-invalid"), "true");
  assert.deepEqual(await referencedText(page, "#answer-body", "aria-describedby"), [
    (await page.textContent("#answer-error")).trim(),
  ]);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "answer-body", "focus is on the field");
});

test("the page's language follows the interface, and each post carries its own", async () => {
  await page.goto(urls.article);
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.equal(await page.getAttribute("article.article h1", "lang"), "zh-CN");
  assert.equal(await page.getAttribute("article.article .content", "lang"), "zh-CN");
  await page.goto(urls.question);
  assert.equal(await page.getAttribute("article.question .content", "lang"), "en");
  assert.equal(await page.getAttribute(".answer .content", "lang"), "en");
  await page.goto(`${forum.base}/articles`);
  assert.equal(await page.getAttribute(".post-summary .post-title", "lang"), "zh-CN");
  await page.goto(`${forum.base}/questions?lang=zh-CN`);
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  assert.equal(await page.getAttribute(".post-summary .post-title", "lang"), "en", "an English post stays English");
  await page.goto(`${forum.base}/questions?lang=en`);
  assert.equal(await page.getAttribute("html", "lang"), "en");
});

test("comment sections are named after their post; scores and the bot answer are polite live regions", async () => {
  await page.goto(urls.question);
  const question = "How do I stream tokens from a local model?";
  assert.equal(await page.getByRole("region", { name: `Comments on ${question}`, exact: true }).count(), 1);
  assert.equal(await page.getByRole("region", { name: "Comments on Answer 1 · helper", exact: true }).count(), 1);
  const scores = await page.evaluate(() =>
    [...document.querySelectorAll("[data-vote-score]")].map((el) => el.closest("[aria-live]")?.getAttribute("aria-live")),
  );
  assert.ok(scores.length >= 1 && scores.every((live) => live === "polite"), `vote scores: ${scores}`);

  await page.goto(urls.botAnswer);
  assert.equal(await page.getAttribute("[data-bot-text]", "aria-live"), "polite");
  assert.equal(await page.getAttribute("[data-bot-text]", "aria-busy"), null, "a finished answer is not busy");
  assert.equal(await page.getAttribute("[data-bot-status]", "role"), "status");
});

// Reading comfort. (Zoom to 200 % is the sideways-scroll check at 375 px above.)

const families = (css) => css.split(",").map((f) => f.trim().replace(/^"|"$/g, ""));
const CJK_FONTS = ["PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC"];

test("mixed Chinese and English text: Chinese fonts before the generic family, leading and line length", async () => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(urls.article);
  const read = (sel) =>
    page.$eval(sel, (el) => {
      const s = getComputedStyle(el);
      return { font: s.fontFamily, leading: parseFloat(s.lineHeight) / parseFloat(s.fontSize), width: el.getBoundingClientRect().width, size: parseFloat(s.fontSize) };
    });
  const zh = await read("article.article .content");
  const zhFonts = families(zh.font);
  assert.equal(zhFonts[0], "PingFang SC", `a Chinese post starts with the Chinese UI fonts: ${zh.font}`);
  const body = families((await read("body")).font);
  for (const f of CJK_FONTS) {
    assert.ok(body.indexOf(f) >= 0 && body.indexOf(f) < body.indexOf("sans-serif"), `${f} before the generic family: ${body}`);
  }
  assert.ok(zh.leading >= 1.7, `Chinese line height ${zh.leading}`);
  assert.ok(zh.width <= 41 * zh.size, `at most about 40 Chinese characters a line (${zh.width}px)`);
  await page.goto(urls.question);
  const en = await read("article.question .content");
  assert.ok(en.leading >= 1.5, `English line height ${en.leading}`);
  assert.ok(en.width <= 80 * en.size * 0.6, `English line length (${en.width}px)`);
});

test("reduced motion turns smooth scrolling off", async () => {
  await page.emulateMedia({ reducedMotion: "no-preference" });
  await page.goto(urls.question);
  const scrolling = () => page.evaluate(() => getComputedStyle(document.documentElement).scrollBehavior);
  assert.equal(await scrolling(), "smooth");
  await page.emulateMedia({ reducedMotion: "reduce" });
  assert.equal(await scrolling(), "auto");
  await page.emulateMedia({ reducedMotion: null });
});

test("an article prints without the page chrome and controls, in light colours", async () => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto(urls.article);
  await page.emulateMedia({ media: "print" });
  const shown = (sel) => page.$eval(sel, (el) => getComputedStyle(el).display !== "none");
  for (const sel of [".site-header", ".site-footer", "article.article .comments", "article.article .vote", ".post-meta form"]) {
    assert.equal(await shown(sel), false, `${sel} is not printed`);
  }
  assert.equal(await shown("article.article .content"), true);
  const address = await page.$eval(".content a[href^='https:']", (a) => getComputedStyle(a, "::after").content);
  assert.match(address, /arxiv\.org\/abs\/1706\.03762/, "an outside link prints its address");
  assert.equal(await page.$eval("body", (el) => getComputedStyle(el).backgroundColor), "rgb(255, 255, 255)");
  await page.emulateMedia({ media: null, colorScheme: "light" });
  assert.equal(await shown(".site-header"), true);
});
