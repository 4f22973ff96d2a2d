// Drives Debian's headless Chromium through three real consumers of a running Anales:
// the TimelineJS3 page, the vis-network page and the API's own /docs (Swagger UI).
// Usage: node drive.mjs <api base URL> <pages base URL> <artifacts dir>
// Prints one JSON object with what each page showed; screenshots go to the artifacts dir.
// Every request that leaves 127.0.0.1 is refused and reported.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [api, pages, artifacts] = process.argv.slice(2);
const LOCAL = new Set(["127.0.0.1", "localhost"]);
const result = { offsite: [], errors: [] };

const context = await chromium.launchPersistentContext(
  mkdtempSync(join(tmpdir(), "anales-chromium-")),
  {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1280, height: 900 },
    // Sent as Accept-Language: Anales answers in Spanish, the corpus's language.
    locale: "es-ES",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  },
);
await context.route("**/*", (route) => {
  const url = new URL(route.request().url());
  if (url.protocol === "data:" || url.protocol === "blob:" || LOCAL.has(url.hostname)) {
    return route.continue();
  }
  result.offsite.push(url.href);
  return route.abort();
});

async function open(url) {
  const page = await context.newPage();
  page.on("pageerror", (error) => result.errors.push(`${url}: ${error.message}`));
  await page.goto(url, { waitUntil: "load" });
  return page;
}

try {
  // TimelineJS3: every slide's headline and year, as the reader sees them.
  const timeline = await open(`${pages}/pages/timeline.html?api=${encodeURIComponent(api)}`);
  await timeline.waitForFunction(
    () => window.timelineError || document.querySelectorAll(".tl-timemarker").length > 0,
    null,
    { timeout: 30000 },
  );
  await timeline.waitForTimeout(1500);
  result.timeline = await timeline.evaluate(() => ({
    error: window.timelineError || null,
    markers: [...document.querySelectorAll(".tl-timemarker .tl-headline")].map((e) => e.textContent.trim()),
    slides: [...document.querySelectorAll(".tl-slide .tl-headline")].map((e) => e.textContent.trim()),
    dates: [...document.querySelectorAll(".tl-slide .tl-headline-date")].map((e) => e.textContent.trim()),
    eras: [...document.querySelectorAll(".tl-timeera .tl-timeera-text")].map((e) => e.textContent.trim()),
    groups: [...document.querySelectorAll(".tl-timegroup-message")].map((e) => e.textContent.trim()),
  }));
  await timeline.screenshot({ path: join(artifacts, "timeline.png") });

  // vis-network: the nodes it holds, and where it drew the KGB.
  const graph = await open(`${pages}/pages/graph.html?api=${encodeURIComponent(api)}`);
  await graph.waitForFunction(() => window.graphError || window.graphReady, null, { timeout: 30000 });
  result.graph = await graph.evaluate(() => {
    if (window.graphError) return { error: window.graphError };
    const ids = window.network.body.data.nodes.getIds();
    const position = window.network.getPositions(["actors/kgb"])["actors/kgb"] || null;
    const canvas = document.querySelector("#graph canvas");
    return {
      error: null,
      nodes: ids,
      labels: window.network.body.data.nodes.get().map((n) => n.label),
      edges: window.network.body.data.edges.length,
      kgb: position,
      canvas: canvas ? [canvas.width, canvas.height] : null,
    };
  });
  await graph.screenshot({ path: join(artifacts, "graph.png") });

  // Swagger UI: the endpoints it lists, and "Try it out" on the passage list.
  const docs = await open(`${api}/docs`);
  await docs.waitForSelector(".opblock", { timeout: 30000 });
  const listed = await docs.evaluate(() =>
    [...document.querySelectorAll(".opblock")].map((block) => {
      const method = block.querySelector(".opblock-summary-method")?.textContent.trim();
      const path = block.querySelector(".opblock-summary-path")?.getAttribute("data-path");
      return `${method} ${path}`;
    }),
  );
  const operation = docs.locator("#operations-passages-list_passages_api_v1_passages_get");
  await operation.locator(".opblock-summary").click();
  await operation.locator(".try-out__btn").click();
  await operation.locator(".execute").click();
  const status = operation.locator(".live-responses-table .response .response-col_status").first();
  await status.waitFor({ timeout: 30000 });
  const body = await operation.locator(".live-responses-table .response-col_description pre").first().textContent();
  result.docs = { operations: listed, tryItOut: (await status.textContent()).trim(), body };
  await operation.scrollIntoViewIfNeeded();
  await docs.screenshot({ path: join(artifacts, "docs.png"), fullPage: false });
} catch (error) {
  result.failure = String(error && error.stack ? error.stack : error);
} finally {
  await context.close();
}
process.stdout.write(JSON.stringify(result));
