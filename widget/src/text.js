/* text.js: message text into DOM nodes, never through innerHTML. Bare http(s) URLs and
 * markdown-style [label](url) links become anchors; anything else (javascript:, data:,
 * markup) stays literal text. */
var SafeText = (function () {
  var LINK = /\[([^\]\n]{1,200})\]\((\S{1,2000}?)\)|(\bhttps?:\/\/[^\s<>"']{1,2000})/gi;
  var TRAILING = /[.,;:!?)\]'"]+$/;

  function safeUrl(raw) {
    try {
      var url = new URL(raw);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function anchor(doc, href, label) {
    var a = doc.createElement("a");
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer nofollow";
    a.textContent = label;
    return a;
  }

  /** Append `text` to `el` as text nodes and safe links. */
  function render(el, text) {
    var doc = el.ownerDocument, last = 0, m;
    text = String(text == null ? "" : text);
    LINK.lastIndex = 0;
    while ((m = LINK.exec(text))) {
      var whole = m[0], href, label, tail = "";
      if (m[3]) {
        tail = (whole.match(TRAILING) || [""])[0];
        whole = whole.slice(0, whole.length - tail.length);
        href = safeUrl(whole);
        label = whole;
      } else {
        href = safeUrl(m[2]);
        label = m[1];
      }
      if (!href) continue; // not a safe link: left in the text as typed
      el.appendChild(doc.createTextNode(text.slice(last, m.index)));
      el.appendChild(anchor(doc, href, label));
      last = m.index + whole.length;
      LINK.lastIndex = last + tail.length;
      if (tail) { el.appendChild(doc.createTextNode(tail)); last += tail.length; }
    }
    el.appendChild(doc.createTextNode(text.slice(last)));
  }

  return { render: render, safeUrl: safeUrl };
})();
