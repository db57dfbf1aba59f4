"""Hostile text for the page tests, and the check that it stayed inert in the browser.

Every payload would, if any page turned it into markup, either run script (which pushes to
`window.__xss` or opens a dialog) or leave an element marked `data-xss`, an `on*` handler
attribute, or a `javascript:`/`data:` URL in the page. `assert_inert` looks for all of them
and for the payload's own text, shown literally.
"""

from __future__ import annotations

from playwright.async_api import Page

PAYLOADS = [
    '<script data-xss>window.__xss.push("script")</script>',
    "<img data-xss src=x onerror=\"window.__xss.push('img')\">",
    '<svg data-xss onload="window.__xss.push(\'svg\')"><circle r="4"/></svg>',
    "<a data-xss href=\"javascript:window.__xss.push('href')\">open</a>",
    "[your tracking](javascript:window.__xss.push('markdown'))",
    "&lt;b data-xss&gt;entities&lt;/b&gt; &#60;i&#62; &amp;amp;",
    "<iframe data-xss src=\"javascript:window.__xss.push('iframe')\"></iframe>",
    '"><img data-xss src=x onerror=window.__xss.push("attribute")>',
]
HOSTILE = " ".join(PAYLOADS)
# Short enough for names and chips, still markup if rendered as HTML.
HOSTILE_NAME = "<img data-xss src=x onerror=\"window.__xss.push('name')\">Mal<b data-xss>lory</b>"

INIT_SCRIPT = "window.__xss = [];"

FOUND_JS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    if (el.hasAttribute('data-xss')) found.push('injected <' + el.tagName.toLowerCase() + '>');
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) found.push('handler ' + attr.name + ' on <' + el.tagName.toLowerCase() + '>');
    }
    for (const name of ['href', 'src', 'action', 'formaction', 'xlink:href']) {
      const value = (el.getAttribute(name) || '').trim().toLowerCase();
      if (value.startsWith('javascript:') || value.startsWith('data:text/html')) {
        found.push(name + '=' + value.slice(0, 40) + ' on <' + el.tagName.toLowerCase() + '>');
      }
    }
  }
  return { found, ran: window.__xss || ['__xss missing: the init script did not run'] };
}"""


def watch_dialogs(page: Page) -> list[str]:
    """Any alert/confirm/prompt a payload managed to open (dismissed, and recorded)."""
    opened: list[str] = []

    async def dismiss(dialog: object) -> None:
        opened.append(str(getattr(dialog, "message", "")))
        await dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", dismiss)
    return opened


async def assert_inert(page: Page, dialogs: list[str]) -> None:
    result = await page.evaluate(FOUND_JS)
    assert result["ran"] == [], f"script ran: {result['ran']}"
    assert result["found"] == [], f"markup got into the page: {result['found']}"
    assert dialogs == [], f"a dialog opened: {dialogs}"
