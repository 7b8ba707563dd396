// Mail and the second factor in Chromium, with mail delivered to a real SMTP server: reset a
// forgotten password by following the link in the mail, unsubscribe with one click from the same
// mail, and turn on TOTP and log in with a code computed from the secret.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { useForum, logOut, PASSWORD } from "./harness.mjs";

let forum;
let chrome;
useForum((started, browser) => ([forum, chrome] = [started, browser]), undefined, { mail: true });

const NEW_PASSWORD = "copper harbour violet meadow";

/** RFC 6238 (SHA-1, 6 digits, 30 s) for a base32 secret at `time` seconds. */
function totp(secret, time) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(time / 30)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, "0");
}

test("reset a forgotten password from the mailed link, then unsubscribe with one click", async () => {
  const page = await chrome.newPage();
  await forum.signUp(page, "rosa");
  await logOut(page);
  await page.goto(`${forum.base}/login`);
  await page.click("#forgot-password");
  await page.fill("#login", "rosa@example.com");
  await page.click("main button[type=submit]");
  await page.waitForSelector("#reset-sent");

  const mail = await forum.waitForMail("rosa@example.com", (m) => m.text.includes("/password-reset/"));
  const link = mail.text.match(/http\S+\/password-reset\/\S+/)[0];
  await page.goto(link);
  await page.fill("#password", NEW_PASSWORD);
  await page.click("main button[type=submit]");
  await page.waitForURL(`${forum.base}/login`);
  await page.fill("#username", "rosa");
  await page.fill("#password", NEW_PASSWORD);
  await page.click("main button[type=submit]");
  await page.waitForURL(`${forum.base}/`);
  assert.match(await page.textContent(".nav-user"), /rosa/);

  // The link works once.
  await page.goto(link);
  assert.ok(await page.isVisible("#ask-again"));

  // The same mail's unsubscribe link: a confirm page and one button.
  const unsubscribe = mail.headers["List-Unsubscribe"].replace(/[<>]/g, "");
  await page.goto(unsubscribe);
  await page.click("#unsubscribe-button");
  await page.waitForSelector("#unsubscribed");
  await page.goto(`${forum.base}/settings/notifications`);
  assert.equal(await page.inputValue("#pref-replies"), "never");
  await logOut(page);
  await page.close();
});

test("turn on two-factor authentication and log in with a code from the secret", async () => {
  const page = await chrome.newPage();
  await forum.signUp(page, "sven");
  await page.goto(`${forum.base}/settings`);
  await page.click("#twofa-link");
  assert.ok(await page.isVisible("#twofa-qr"), "a QR code is shown");
  const secret = (await page.textContent("#twofa-secret")).trim();
  await page.fill("#code", totp(secret, Date.now() / 1000));
  await page.click("main form[action='/settings/2fa/enable'] button");
  await page.waitForSelector("#recovery-codes");
  assert.equal(await page.locator("#recovery-codes li").count(), 10);

  await logOut(page);
  await page.goto(`${forum.base}/login`);
  await page.fill("#username", "sven");
  await page.fill("#password", PASSWORD);
  await page.click("main button[type=submit]");
  await page.waitForURL(`${forum.base}/login/2fa`);
  // The code of the step that turned it on is spent; the next step's code is accepted.
  await page.fill("#code", totp(secret, Date.now() / 1000 + 30));
  await page.click("main button[type=submit]");
  await page.waitForURL(`${forum.base}/`);
  assert.match(await page.textContent(".nav-user"), /sven/);
  await page.close();
});
