// Events and reports in a browser: the admins let every member organise, an organiser's bad input
// comes back with the form kept, a second member answers "going" and sees their name, the calendar
// file downloads; staff read /admin/reports (figures, SVG charts, a period, a CSV).
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

test("an organiser publishes an event and another member answers going", async () => {
  const page = await chrome.newPage();
  await forum.logIn(page, "boss");
  await page.goto(`${forum.base}/admin/settings`);
  await page.fill("#events_min_trust", "0");
  await page.click("form[action='/admin/settings'] button[type=submit]");
  await page.waitForSelector("main .flash");
  await logOut(page);

  await forum.signUp(page, "organiser");
  await page.goto(`${forum.base}/events`);
  await page.click("a:has-text('Organise an event')");
  await page.fill("#title", "Reading group: RLHF papers");
  await page.fill("#starts", "2031-03-05T19:00");
  await page.fill("#ends", "2031-03-05T18:00");
  await page.fill("#time_zone", "Europe/Berlin");
  await page.fill("#online_url", "https://meet.example.org/rlhf");
  await page.fill("#capacity", "2");
  await page.fill("#body", "We read the **InstructGPT** paper.");
  await page.click("main button:has-text('Save the event')");
  await page.waitForSelector("text=The end must come after the start.");
  assert.equal(await page.inputValue("#title"), "Reading group: RLHF papers", "the form is kept");
  assert.equal(await page.getAttribute("#ends", "aria-invalid"), "true");
  await page.fill("#ends", "2031-03-05T21:00");
  await page.click("main button:has-text('Save the event')");
  await page.waitForURL(/\/events\/\d+$/);
  const eventUrl = page.url();
  await page.waitForSelector("text=The event is published.");
  await logOut(page);

  await forum.signUp(page, "attendee");
  await page.goto(eventUrl);
  await page.check("input[name=answer][value=going]");
  await page.click("main button:has-text('Save my answer')");
  await page.waitForSelector("text=Your answer is saved.");
  assert.match(await page.textContent("ul.going"), /attendee/);
  assert.match(await page.textContent(".event-attendance"), /1 of 2 places taken/);
  assert.equal(await page.isChecked("input[name=answer][value=going]"), true, "the answer shows as chosen");
  // agora.js told the server the browser's zone; the page says which zone it shows.
  assert.match(await page.textContent("main"), /Times are shown in .+ \(your browser's zone\)/);
  assert.match(await page.textContent("main"), /2031-03-05 19:00 \(Europe\/Berlin, UTC\+01:00\)/);

  const ics = await page.context().request.get(`${eventUrl}.ics`);
  assert.equal(ics.status(), 200);
  assert.match(ics.headers()["content-type"], /^text\/calendar/);
  const text = await ics.text();
  assert.match(text, /BEGIN:VEVENT\r\n/);
  assert.match(text, /DTSTART:20310305T180000Z\r\n/);
  assert.match(text, /SUMMARY:Reading group: RLHF papers\r\n/);

  await page.goto(`${forum.base}/events`);
  assert.match(await page.textContent(".event-list.upcoming"), /Reading group: RLHF papers/);
  await page.goto(`${forum.base}/`);
  assert.match(await page.textContent(".home-events"), /Reading group: RLHF papers/);
  await logOut(page);
  await page.close();
});

test("staff read the reports page: figures, charts, a period and a CSV", async () => {
  const page = await chrome.newPage();
  await forum.logIn(page, "boss");
  await page.goto(`${forum.base}/admin`);
  await page.click("nav.admin-nav a:has-text('Reports')");
  await page.waitForURL(`${forum.base}/admin/reports`);
  assert.equal(await page.locator("svg.chart").count(), 2, "two server-drawn charts");
  assert.equal(await page.textContent("[data-figure=signups]"), "3", "boss, organiser, attendee");
  assert.equal(await page.textContent("[data-figure=daily_active]"), "3");

  await page.click("nav.report-periods a:has-text('7 days')");
  await page.waitForURL(/days=7$/);
  assert.equal(await page.getAttribute("nav.report-periods a[aria-current=page]", "href"), "/admin/reports?days=7");

  await page.fill("#from", "2031-02-01");
  await page.fill("#to", "2031-01-01");
  await page.click("main button:has-text('Show')");
  await page.waitForSelector("text=The end date must not come before the start date.");
  assert.equal(await page.inputValue("#from"), "2031-02-01", "the period form is kept");

  await page.goto(`${forum.base}/admin/reports?days=7`);
  const href = await page.getAttribute("#table-days a[download]", "href");
  const csv = await page.context().request.get(`${forum.base}${href}`);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()["content-type"], /^text\/csv/);
  const rows = (await csv.text()).trim().split("\r\n");
  assert.equal(rows.length, 8, "a header and seven days");
  assert.match(rows[0], /^Day,Articles,Questions,Answers,Bot answers,Active members$/);
  await page.close();
});
