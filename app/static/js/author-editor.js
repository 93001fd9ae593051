/* The studio editor: a line-number gutter, live lint and preview as you type (debounced),
   findings that jump to their line, Ctrl+S to save, a warning before leaving unsaved text.
   Everything here is an enhancement: the page works with its submit buttons alone. */
(function () {
  "use strict";
  var source = document.getElementById("source");
  if (!source) return;
  var form = document.getElementById("editor-form");
  var findingsList = document.getElementById("findings");
  var counts = document.getElementById("finding-counts");
  var preview = document.getElementById("preview");
  var status = document.getElementById("editor-status");
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var token = tokenMeta ? tokenMeta.getAttribute("content") : "";
  var kind = source.dataset.kind, slug = source.dataset.slug;
  var words = JSON.parse(form.dataset.words || "{}");  // the page's language, from the template
  var dirty = false, timer = null, sequence = 0, marks = {};

  // --- gutter ---------------------------------------------------------------------------
  var gutter = document.createElement("pre");
  gutter.className = "gutter";
  gutter.setAttribute("aria-hidden", "true");
  source.parentNode.insertBefore(gutter, source);
  var shownLines = 0;
  function drawGutter(force) {
    var n = source.value.split("\n").length;
    if (n === shownLines && !force) return;
    shownLines = n;
    var out = [];
    for (var i = 1; i <= n; i++) {
      out.push(marks[i] ? '<span class="' + marks[i] + '">' + i + "</span>" : String(i));
    }
    gutter.innerHTML = out.join("\n") + "\n ";
    gutter.scrollTop = source.scrollTop;
  }
  source.addEventListener("scroll", function () { gutter.scrollTop = source.scrollTop; });

  // --- cursor position ---------------------------------------------------------------------
  var lineOut = document.getElementById("cursor-line"), colOut = document.getElementById("cursor-col");
  function showCursor() {
    var before = source.value.slice(0, source.selectionStart);
    var lines = before.split("\n");
    if (lineOut) lineOut.textContent = lines.length;
    if (colOut) colOut.textContent = lines[lines.length - 1].length + 1;
  }
  ["keyup", "click", "select"].forEach(function (e) { source.addEventListener(e, showCursor); });

  // --- jump to a line ----------------------------------------------------------------------
  function lineHeight() {
    var h = parseFloat(getComputedStyle(source).lineHeight);
    return isNaN(h) ? 20 : h;
  }
  function jumpTo(line) {
    var lines = source.value.split("\n");
    line = Math.max(1, Math.min(line, lines.length));
    var start = 0;
    for (var i = 0; i < line - 1; i++) start += lines[i].length + 1;
    var end = start + lines[line - 1].length;
    source.focus({ preventScroll: true });
    source.setSelectionRange(start, end);
    source.scrollTop = Math.max(0, (line - 1) * lineHeight() - source.clientHeight / 3);
    source.scrollIntoView({ block: "nearest" });
    showCursor();
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-line]");
    if (!link) return;
    event.preventDefault();
    jumpTo(parseInt(link.dataset.line, 10));
  });
  if (/^#L\d+$/.test(location.hash)) {
    setTimeout(function () { jumpTo(parseInt(location.hash.slice(2), 10)); }, 0);
  }

  // --- live lint and preview ---------------------------------------------------------------
  function body() {
    var data = new FormData();
    data.append("source", source.value);
    data.append("kind", kind);
    data.append("slug", slug);
    return data;
  }
  function post(url) {
    return fetch(url, { method: "POST", body: body(), credentials: "same-origin",
                        headers: { "X-CSRFToken": token, "Accept": url === source.dataset.lintUrl ? "application/json" : "text/html" } });
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function showFindings(findings, counted) {
    findingsList.textContent = "";
    marks = {};
    var errors = 0;
    findings.forEach(function (f) {
      var error = f.code.indexOf("E-") === 0 || f.code.indexOf("C-") === 0;
      if (error) errors++;
      if (!marks[f.line] || error) marks[f.line] = error ? "bad" : "warn";
      var li = el("li", "finding " + (error ? "is-error" : "is-warning"));
      var a = el("a");
      a.href = "#L" + f.line;
      a.dataset.line = f.line;
      a.appendChild(el("span", "where", words.line.replace("{line}", f.line)));
      a.appendChild(el("span", "code", f.code));
      a.appendChild(document.createTextNode(" "));
      a.appendChild(el("span", "message", f.message));
      li.appendChild(a);
      findingsList.appendChild(li);
    });
    if (!findings.length) findingsList.appendChild(el("li", "finding is-clean", words.clean));
    var warnings = findings.length - errors;
    counts.textContent = "";
    counts.appendChild(el("span", "badge " + (errors ? "bad" : "ok"), counted[0]));
    counts.appendChild(document.createTextNode(" "));
    counts.appendChild(el("span", "badge " + (warnings ? "warn" : "ok"), counted[1]));
    drawGutter(true);
  }
  function check() {
    var mine = ++sequence;
    status.textContent = words.checking;
    Promise.all([
      post(source.dataset.lintUrl).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); }),
      post(source.dataset.previewUrl).then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
    ]).then(function (results) {
      if (mine !== sequence) return;          // an older answer arriving late
      showFindings(results[0].findings, results[0].counted);
      preview.innerHTML = results[1];         // sanitized on the server (render_markdown + nh3)
      status.textContent = dirty ? words.checked_unsaved : words.checked;
    }).catch(function () {
      if (mine === sequence) status.textContent = words.failed;
    });
  }
  source.addEventListener("input", function () {
    dirty = true;
    drawGutter();
    status.textContent = words.unsaved;
    clearTimeout(timer);
    timer = setTimeout(check, 450);
  });

  // Tab inserts two spaces instead of leaving the field; Escape then Tab still leaves it.
  var escaped = false;
  source.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { escaped = true; return; }
    if (event.key === "Tab" && !event.shiftKey && !escaped) {
      event.preventDefault();
      var s = source.selectionStart, e = source.selectionEnd;
      source.setRangeText("  ", s, e, "end");
      source.dispatchEvent(new Event("input"));
    }
    escaped = false;
  });

  // --- saving ------------------------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
      event.preventDefault();
      var save = form.querySelector('button[value="save"]');
      dirty = false;
      if (form.requestSubmit) form.requestSubmit(save); else save.click();
    }
  });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  // Marks from the findings the server rendered with the page.
  Array.prototype.forEach.call(findingsList.querySelectorAll("a[data-line]"), function (a) {
    var error = a.parentNode.classList.contains("is-error");
    var line = a.dataset.line;
    if (!marks[line] || error) marks[line] = error ? "bad" : "warn";
  });
  drawGutter(true);
  showCursor();
})();
