// An image pasted into the editor is uploaded, its Markdown put where the cursor was, and the
// picture shows in the published post, through the real pages in Chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useForum, logOut } from "./harness.mjs";

let forum;
let chrome;
useForum((started, browser) => ([forum, chrome] = [started, browser]));

test("an image pasted into the editor appears in the published article", async () => {
  const page = await chrome.newPage();
  await forum.signUp(page, "painter");
  await page.goto(`${forum.base}/articles/new`);
  await page.fill("#title", "A figure pasted from the clipboard");
  await page.fill("#tags", "visualisation");
  await page.fill("#body", "Before the figure.\n");
  await page.focus("#body");
  // What a browser hands the page when a screenshot is pasted: a paste event whose clipboard
  // holds a PNG file (drawn here on a canvas).
  await page.evaluate(async () => {
    const canvas = document.createElement("canvas");
    canvas.width = 64;
    canvas.height = 40;
    const g = canvas.getContext("2d");
    g.fillStyle = "#c03";
    g.fillRect(0, 0, 64, 40);
    g.fillStyle = "#fff";
    g.fillRect(8, 8, 20, 20);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    const data = new DataTransfer();
    data.items.add(new File([blob], "image.png", { type: "image/png" }));
    const textarea = document.getElementById("body");
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
    textarea.dispatchEvent(
      new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
    );
  });
  await page.waitForFunction(() => /!\[image\]\(\/uploads\/[0-9a-f]{64}\.png\)/.test(document.getElementById("body").value), null, {
    timeout: 15_000,
  });
  const body = await page.inputValue("#body");
  assert.ok(body.startsWith("Before the figure.\n![image](/uploads/"), body);
  const src = body.match(/\/uploads\/[0-9a-f]{64}\.png/)[0];

  await page.click("button:has-text('Publish')");
  await page.waitForURL(/\/articles\/\d+\//);
  const image = await page.waitForSelector(`.content img[src="${src}"]`);
  // The browser loaded and decoded it: the served file is a real PNG of the pasted size.
  await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, image);
  assert.deepEqual(await image.evaluate((img) => [img.naturalWidth, img.naturalHeight]), [64, 40]);
  const served = await page.request.get(`${forum.base}${src}`);
  assert.equal(served.headers()["content-type"], "image/png");
  assert.equal(served.headers()["x-content-type-options"], "nosniff");
  assert.match(served.headers()["content-security-policy"], /^default-src 'none'/);
  await logOut(page);
  await page.close();
});

test("an image dropped into a comment box is uploaded and linked from the comment", async () => {
  const page = await chrome.newPage();
  await forum.signUp(page, "sketcher");
  await page.goto(`${forum.base}/articles/new`);
  await page.fill("#title", "Where comments carry figures");
  await page.fill("#tags", "visualisation");
  await page.fill("#body", "Comment with a picture below.");
  await page.click("button:has-text('Publish')");
  await page.waitForURL(/\/articles\/\d+\//);
  await page.click("details.comment-add summary");
  const box = await page.waitForSelector("details.comment-add textarea[data-upload-form]");
  await box.fill("See this: ");
  await box.evaluate(async (textarea) => {
    const canvas = document.createElement("canvas");
    canvas.width = 32;
    canvas.height = 24;
    const g = canvas.getContext("2d");
    g.fillStyle = "#036";
    g.fillRect(0, 0, 32, 24);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    const data = new DataTransfer();
    data.items.add(new File([blob], "sketch.png", { type: "image/png" }));
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
    textarea.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(
    (textarea) => /!\[[^\]]*\]\(\/uploads\/[0-9a-f]{64}\.png\)/.test(textarea.value),
    box,
    { timeout: 15_000 },
  );
  const src = (await box.inputValue()).match(/\/uploads\/[0-9a-f]{64}\.png/)[0];
  await page.click("details.comment-add button[type=submit]:has-text('Add comment'), details.comment-add form.comment-form button[type=submit]");
  await page.waitForLoadState("load");
  // Comments show images as links (as Stack Overflow's do); the link opens the uploaded file.
  const link = await page.waitForSelector(`.comments a[href="${src}"], .comment a[href="${src}"]`);
  assert.ok(link, "the comment links the dropped image");
  const served = await page.request.get(`${forum.base}${src}`);
  assert.equal(served.headers()["content-type"], "image/png");
  await logOut(page);
  await page.close();
});
