// Writing an article with math, a Mermaid diagram and code; asking, answering and accepting, through
// the real pages in Chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useForum, logOut } from "./harness.mjs";

let forum;
let chrome;
useForum((started, browser) => ([forum, chrome] = [started, browser]));

test("an article with math, a diagram and code is rendered, with a live preview", async () => {
  const page = await chrome.newPage();
  await forum.signUp(page, "writer");
  await page.goto(`${forum.base}/articles/new`);
  await page.fill("#title", "Attention in one page 注意力");
  const body = [
    "Scaled dot-product attention: $\\mathrm{softmax}(QK^T / \\sqrt{d_k}) V$.",
    "",
    "```python",
    "def attention(q, k, v):",
    "    return softmax(q @ k.T) @ v",
    "```",
    "",
    "```mermaid",
    "graph LR; Q-->S; K-->S; S-->O;",
    "```",
  ].join("\n");
  await page.fill("#body", body);
  // The live preview renders the same HTML as saving will.
  await page.waitForSelector("#preview math", { timeout: 10_000 });
  await page.fill("#tags", "transformers, 深度学习");
  await page.click("button:has-text('Publish')");
  await page.waitForURL(/\/articles\/\d+\//);

  assert.ok(await page.$(".content math"), "MathML rendered on the server");
  assert.ok(await page.$(".content pre code.language-python span[class^=hl-]"), "code highlighted");
  const drawn = await page
    .waitForSelector(".content .mermaid svg", { timeout: 10_000 })
    .then(() => true)
    .catch(() => false);
  assert.ok(drawn || (await page.$(".content pre.mermaid")), "a Mermaid diagram (drawn, or its source)");
  assert.match(await page.textContent(".tags"), /深度学习/);
  await logOut(page);
  await page.close();
});

test("ask a question, answer it, and the asker accepts the answer", async () => {
  const page = await chrome.newPage();
  await forum.signUp(page, "asker");
  await page.goto(`${forum.base}/questions/ask`);
  await page.fill("#title", "How do I stream tokens from a local model?");
  await page.fill("#body", "I want them to appear as they are generated.");
  await page.fill("#tags", "inference, streaming");
  await page.click("button:has-text('Post your question')");
  await page.waitForURL(/\/questions\/\d+\//);
  const questionUrl = page.url();
  await logOut(page);

  await forum.signUp(page, "helper");
  await page.goto(questionUrl);
  await page.fill("#answer-body", "Use **server-sent events** and flush after every token.");
  await page.click("button:has-text('Post your answer')");
  await page.waitForSelector(".answer strong");
  await logOut(page);

  await forum.logIn(page, "asker");
  await page.goto(questionUrl);
  await page.click("button:has-text('Accept this answer')");
  await page.waitForSelector(".answer.accepted");
  assert.match(await page.textContent(".answer.accepted"), /server-sent events/);

  // Asking again: the ask page suggests the question that already exists while the title is typed.
  await page.goto(`${forum.base}/questions/ask`);
  await page.fill("#title", "Streaming tokens from a local model");
  await page.waitForSelector("#similar-questions a", { timeout: 10_000 });
  assert.match(await page.textContent("#similar-questions"), /How do I stream tokens from a local model\?/);
  await page.close();
});
