// Drives the analysts' web page in jsdom against a running Netra server, as an analyst would:
// enter the API key, score posts, load the review queue, decide the first item as partisan.
// Usage: node drive_page.mjs BASE_URL API_KEY POSTS_JSON  -> prints what the page showed, as JSON.
import { JSDOM } from "jsdom";

const [baseUrl, apiKey, postsJson] = process.argv.slice(2);
const posts = JSON.parse(postsJson);

const dom = await JSDOM.fromURL(baseUrl + "/", {
  runScripts: "dangerously",
  beforeParse(window) {
    // jsdom has no fetch: hand the page Node's, resolving its relative URLs against the server.
    window.fetch = (url, options) => fetch(new URL(url, baseUrl), options);
  },
});
const { document, Event } = dom.window;

async function until(what, check, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const value = check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the page did not show ${what} within ${seconds} s`);
}

const key = document.getElementById("key");
key.value = apiKey;
key.dispatchEvent(new Event("change"));
document.getElementById("posts").value = posts.join("\n");
document.getElementById("score").click();
const cards = await until("scored posts", () => {
  const found = document.querySelectorAll("#results .card");
  return found.length ? [...found] : null;
});
const scored = cards.map((card) => ({
  verdict: card.querySelector("div").textContent,
  marked: [...card.querySelectorAll("mark")].map((m) => m.textContent),
  text: card.querySelector("p").textContent,
}));

document.getElementById("load").click();
const item = await until("the review queue", () => document.querySelector("#queue .card"));
const checked = [...item.querySelectorAll("input[type=checkbox]:checked")].map((box) => box.value);
item.querySelector(".note").value = "dicoba dari halaman web";
item.querySelector("button.partisan").click();
const saved = await until("the decision saved", () => item.querySelector(".done").textContent);

process.stdout.write(
  JSON.stringify({
    scored,
    queue_item: { id: item.dataset.id, checked_categories: checked, saved },
    stored_key: dom.window.localStorage.getItem("netra-key") === apiKey,
  }),
);
