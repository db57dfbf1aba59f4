/* view.js: the widget's DOM. It builds the launcher and panel once, then reconciles the
 * message list by key so new messages are appended (and announced once by the log's live
 * region) rather than re-rendered. It knows nothing about sockets; user actions go out
 * through the `actions` callbacks. */
var View = (function () {
  var uid = 0;

  function h(doc, tag, cls, attrs, text) {
    var el = doc.createElement(tag);
    if (cls) el.className = cls;
    for (var k in attrs || {}) if (attrs[k] != null) el.setAttribute(k, attrs[k]);
    if (text != null) el.textContent = text;
    return el;
  }

  function create(doc, cfg, actions) {
    var S = cfg.strings, id = "sc" + (++uid);
    var root = h(doc, "div", "sc-root", { "data-conn": "connecting", "data-state": "bot" });
    var vars = cfg.colors;
    for (var c in vars) root.style.setProperty("--sc-" + c, vars[c]);

    var launcher = h(doc, "button", "sc-launcher", { type: "button", "aria-expanded": "false", "aria-controls": id + "-panel" });
    var launcherLabel = h(doc, "span", "sc-launcher-label", null, S.open);
    var badge = h(doc, "span", "sc-badge", { hidden: "" });
    launcher.appendChild(h(doc, "span", "sc-launcher-icon", { "aria-hidden": "true" }));
    launcher.appendChild(launcherLabel);
    launcher.appendChild(badge);

    var panel = h(doc, "section", "sc-panel", { id: id + "-panel", role: "dialog", "aria-labelledby": id + "-title", hidden: "" });
    var header = h(doc, "header", "sc-header");
    var titles = h(doc, "div", "sc-titles");
    titles.appendChild(h(doc, "h2", "sc-title", { id: id + "-title" }, cfg.title));
    var subtitle = h(doc, "p", "sc-subtitle", null, cfg.subtitle);
    titles.appendChild(subtitle);
    var conn = h(doc, "p", "sc-conn", { role: "status" }, S.connecting);
    var close = h(doc, "button", "sc-close", { type: "button", "aria-label": S.close }, "\u00d7");
    header.appendChild(titles);
    header.appendChild(conn);
    header.appendChild(close);

    var banner = h(doc, "p", "sc-banner", { role: "status", hidden: "" });
    var log = h(doc, "ol", "sc-log", { role: "log", "aria-live": "polite", "aria-label": S.conversation, tabindex: "0" });
    var typing = h(doc, "p", "sc-typing", { hidden: "" });
    var quick = h(doc, "div", "sc-quick", { role: "group", "aria-label": S.suggestions });
    var rating = h(doc, "div", "sc-rating", { role: "group", "aria-labelledby": id + "-rate", hidden: "" });
    var form = h(doc, "form", "sc-composer");
    var input = h(doc, "textarea", "sc-input", { id: id + "-input", rows: "1", maxlength: String(cfg.maxChars), placeholder: S.placeholder, autocomplete: "off" });
    var send = h(doc, "button", "sc-send", { type: "submit" }, S.send);
    form.appendChild(h(doc, "label", "sc-vh", { "for": id + "-input" }, S.inputLabel));
    form.appendChild(input);
    form.appendChild(send);
    var alert = h(doc, "p", "sc-alert", { role: "alert", hidden: "" });
    // Calm, polite news (a pause before sending, a new conversation): a status, not an alert.
    var notice = h(doc, "p", "sc-notice", { role: "status", hidden: "" });
    var footer = h(doc, "div", "sc-footer");

    [header, banner, log, typing, quick, rating, notice, alert, form, footer].forEach(function (el) { panel.appendChild(el); });
    root.appendChild(panel);
    root.appendChild(launcher);

    var items = {};

    launcher.addEventListener("click", function () { actions.toggle(); });
    close.addEventListener("click", function () { actions.close(); });
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); actions.close(); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      actions.send(input.value);
    });
    input.addEventListener("keydown", function (e) {
      // Enter sends, Shift+Enter is a new line (the usual chat convention).
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        actions.send(input.value);
      }
    });
    input.addEventListener("input", function () { actions.typing(input.value); });

    function timeText(ts) {
      try {
        return new Date(ts).toLocaleTimeString(cfg.lang, { hour: "2-digit", minute: "2-digit" });
      } catch (e) {
        return new Date(ts).toTimeString().slice(0, 5);
      }
    }

    function who(m) {
      if (m.role === "customer") return S.you;
      if (m.role === "agent") return m.name ? S.agentName.replace("{name}", m.name) : S.agent;
      if (m.role === "system") return S.system;
      return cfg.botName;
    }

    function messageItem(m, displayText) {
      var li = h(doc, "li", "sc-msg sc-from-" + m.role + (m.kind ? " sc-" + m.kind : ""));
      var label = h(doc, "span", "sc-who", null, who(m));
      li.appendChild(label);
      var bubble = h(doc, "div", "sc-bubble");
      SafeText.render(bubble, displayText);
      li.appendChild(bubble);
      if (m.image && SafeText.safeUrl(m.image)) {
        li.appendChild(h(doc, "img", "sc-image", { src: SafeText.safeUrl(m.image), alt: S.image, loading: "lazy" }));
      }
      var meta = h(doc, "p", "sc-meta");
      meta.appendChild(h(doc, "time", null, { datetime: new Date(m.ts).toISOString() }, timeText(m.ts)));
      li.appendChild(meta);
      return li;
    }

    function joinItem(m) {
      var li = h(doc, "li", "sc-join");
      li.appendChild(h(doc, "span", "sc-avatar", { "aria-hidden": "true" }, (m.name || "?").charAt(0).toUpperCase()));
      li.appendChild(h(doc, "span", null, null, S.joined.replace("{name}", m.name || S.agent)));
      return li;
    }

    function pendingItem(item) {
      var m = { role: "customer", ts: item.ts };
      var li = messageItem(m, item.text);
      li.classList.add("sc-pending");
      var meta = li.querySelector(".sc-meta");
      if (item.error) {
        li.classList.add("sc-failed");
        meta.appendChild(h(doc, "span", "sc-state", null, S.notSent + " " + item.error));
        var edit = h(doc, "button", "sc-link", { type: "button" }, S.editResend);
        edit.addEventListener("click", function () { actions.edit(item.clientId); });
        meta.appendChild(edit);
      } else {
        var label = item.held ? S.held : cfg.isOnline() ? S.sending : S.queuedOffline;
        meta.appendChild(h(doc, "span", "sc-state", null, label));
      }
      return li;
    }

    /** Reconcile the list with `messages` (records) followed by `outbox` (pending items). */
    function renderMessages(messages, outbox, display) {
      var wanted = [], seen = {};
      messages.forEach(function (m) {
        var key = "m:" + m.key;
        var sig = key;
        wanted.push({ key: sig, make: function () { return m.kind === "join" ? joinItem(m) : messageItem(m, display(m)); } });
      });
      outbox.forEach(function (item) {
        var sig = "o:" + item.clientId + ":" + (item.error || "") + ":" + cfg.isOnline() + ":" + !!item.held;
        wanted.push({ key: sig, make: function () { return pendingItem(item); } });
      });
      var stick = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
      var cursor = log.firstChild;
      wanted.forEach(function (w) {
        seen[w.key] = true;
        var el = items[w.key];
        if (!el) { el = items[w.key] = w.make(); el.setAttribute("data-key", w.key); }
        if (el !== cursor) log.insertBefore(el, cursor);
        else cursor = cursor.nextSibling;
      });
      for (var k in items) {
        if (!seen[k]) { if (items[k].parentNode) log.removeChild(items[k]); delete items[k]; }
      }
      if (stick || !log.lastChild || log.lastChild.classList.contains("sc-from-customer")) log.scrollTop = log.scrollHeight;
    }

    /** Re-rendering a region must not drop keyboard focus on the floor (it would land on
     *  <body>, outside the dialog): keep it in the region, or move it to the text box. */
    function keepFocus(region, fill) {
      var had = region.contains(doc.activeElement);
      fill();
      if (!had) return;
      var next = region.querySelector("button, textarea");
      (next && !region.hidden ? next : input).focus();
    }

    var quickShown = "";
    function renderQuickReplies(list) {
      var sig = JSON.stringify(list);
      if (sig === quickShown) return; // unchanged: keep the buttons (and the focus on one)
      quickShown = sig;
      keepFocus(quick, function () { fillQuickReplies(list); });
    }

    function fillQuickReplies(list) {
      quick.textContent = "";
      list.forEach(function (q) {
        var b = h(doc, "button", "sc-chip", { type: "button" }, q.title);
        b.addEventListener("click", function () { actions.quickReply(q); });
        quick.appendChild(b);
      });
      quick.hidden = list.length === 0;
    }

    function setConnection(state, detail) {
      root.setAttribute("data-conn", state);
      var text = state === "online" ? S.online : state === "connecting" ? S.connecting
        : S.offline.replace("{s}", String(Math.max(1, Math.ceil(detail.retryInMs / 1000))));
      conn.textContent = text;
    }

    function setStatus(st) {
      root.setAttribute("data-state", st.state);
      var text = "";
      if (st.state === "queued") {
        text = S.queued;
        if (st.position) text += " " + S.position.replace("{n}", String(st.position));
        if (st.waitSeconds != null) text += " " + S.wait.replace("{m}", String(Math.max(1, Math.round(st.waitSeconds / 60))));
      } else if (st.followUp) {
        text = S.followUp;
      }
      banner.textContent = text;
      banner.hidden = !text;
      subtitle.textContent = st.state === "agent" && st.agentName ? S.withAgent.replace("{name}", st.agentName) : cfg.subtitle;
    }

    var typingTimer = null;
    function setTyping(t) {
      // A lost "stopped typing" must not leave the indicator on forever.
      clearTimeout(typingTimer);
      if (t) typingTimer = setTimeout(function () { setTyping(null); }, 15000);
      typing.hidden = !t;
      typing.textContent = t ? S.typing.replace("{name}", t.role === "agent" && t.name ? t.name : cfg.botName) : "";
    }

    function setUnread(n) {
      badge.hidden = n === 0;
      badge.textContent = n > 99 ? "99+" : String(n);
      launcher.setAttribute("aria-label", n ? S.openUnread.replace("{n}", String(n)) : S.open);
    }

    function setOpen(open, focus) {
      panel.hidden = !open;
      root.classList.toggle("sc-is-open", open);
      launcher.setAttribute("aria-expanded", String(open));
      launcherLabel.textContent = open ? S.close : S.open;
      if (!focus) return;
      if (open) { input.focus(); log.scrollTop = log.scrollHeight; } else launcher.focus();
    }

    function showAlert(text) {
      alert.textContent = text || "";
      alert.hidden = !text;
    }

    function showNotice(text) {
      notice.textContent = text || "";
      notice.hidden = !text;
    }

    /** "Forget this conversation", then a confirmation in place of the link. */
    function renderFooter(asking) {
      keepFocus(footer, function () {
        footer.textContent = "";
        if (!asking) {
          var ask = h(doc, "button", "sc-link sc-forget", { type: "button" }, S.forget);
          // The safe choice has the focus: Enter twice must not forget anything.
          ask.addEventListener("click", function () { renderFooter(true); footer.querySelector(".sc-forget-no").focus(); });
          footer.appendChild(ask);
          return;
        }
        footer.appendChild(h(doc, "span", "sc-ask", null, S.forgetAsk));
        var yes = h(doc, "button", "sc-link sc-forget-yes", { type: "button" }, S.forgetYes);
        var no = h(doc, "button", "sc-link sc-forget-no", { type: "button" }, S.forgetNo);
        yes.addEventListener("click", function () { renderFooter(false); actions.forget(); });
        no.addEventListener("click", function () { renderFooter(false); });
        footer.appendChild(yes);
        footer.appendChild(no);
      });
    }
    renderFooter(false);

    function renderRating(stage) {
      keepFocus(rating, function () { fillRating(stage); });
    }

    function fillRating(stage) {
      rating.textContent = "";
      rating.hidden = !stage;
      if (!stage) return;
      if (stage === "done") {
        rating.appendChild(h(doc, "p", null, { id: id + "-rate" }, S.rateThanks));
        return;
      }
      if (stage === "awaiting_score") {
        rating.appendChild(h(doc, "p", null, { id: id + "-rate" }, S.rateAsk));
        var row = h(doc, "div", "sc-stars");
        for (var i = 1; i <= 5; i++) {
          (function (score) {
            var b = h(doc, "button", "sc-star", { type: "button", "aria-label": S.rateScore.replace("{n}", String(score)) }, String(score));
            b.addEventListener("click", function () { actions.rate(score, null); });
            row.appendChild(b);
          })(i);
        }
        rating.appendChild(row);
        return;
      }
      rating.appendChild(h(doc, "p", null, { id: id + "-rate" }, S.rateComment));
      var f = h(doc, "form", "sc-rate-form");
      var ta = h(doc, "textarea", "sc-input", { rows: "2", "aria-label": S.rateComment, maxlength: String(cfg.maxChars) });
      var ok = h(doc, "button", "sc-send", { type: "submit" }, S.rateSend);
      f.appendChild(ta);
      f.appendChild(ok);
      f.addEventListener("submit", function (e) {
        e.preventDefault();
        if (ta.value.trim()) actions.rate(null, ta.value.trim());
      });
      rating.appendChild(f);
    }

    (cfg.container || doc.body).appendChild(root);

    return {
      root: root,
      input: input,
      renderMessages: renderMessages,
      renderQuickReplies: renderQuickReplies,
      renderRating: renderRating,
      setConnection: setConnection,
      setStatus: setStatus,
      setTyping: setTyping,
      setUnread: setUnread,
      setOpen: setOpen,
      showAlert: showAlert,
      showNotice: showNotice,
      isOpen: function () { return !panel.hidden; },
      destroy: function () { if (root.parentNode) root.parentNode.removeChild(root); }
    };
  }

  return { create: create };
})();
