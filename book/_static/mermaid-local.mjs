// Mermaid for the book without a network: sphinxcontrib-mermaid imports an ES module, and mermaid's
// ES build is 210 chunk files (25 MB); its single-file build (mermaid.min.js, 12.3.0, MIT, vendored
// beside this file) is a classic script that sets globalThis.mermaid. Load it, hand it on.
await new Promise((resolve, reject) => {
  const script = document.createElement("script");
  script.src = new URL("./mermaid.min.js", import.meta.url).href;
  script.onload = resolve;
  script.onerror = () => reject(new Error("mermaid.min.js did not load"));
  document.head.appendChild(script);
});
export default globalThis.mermaid;
