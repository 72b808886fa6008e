// wowlab portal: line numbers for the rotation editor, the Test button,
// the rotation picker, access fields, and live job progress (server-sent
// events). Everything works without it except Test and live updates.
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function setupEditor() {
  const script = document.getElementById("script");
  const gutter = document.getElementById("gutter");
  if (!script || !gutter) return;
  let badLine = null;
  const draw = () => {
    const lines = script.value.split("\n").length;
    gutter.textContent = "";
    for (let i = 1; i <= lines; i++) {
      const n = document.createElement("span");
      n.textContent = String(i);
      n.dataset.line = String(i);
      if (i === badLine) n.className = "bad";
      gutter.appendChild(n);
      gutter.appendChild(document.createTextNode("\n"));
    }
    gutter.scrollTop = script.scrollTop;
  };
  script.addEventListener("input", () => { badLine = null; script.removeAttribute("aria-invalid"); draw(); });
  script.addEventListener("scroll", () => { gutter.scrollTop = script.scrollTop; });
  // Tab indents instead of leaving the editor; Escape then Tab leaves it.
  let escaped = false;
  script.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { escaped = true; return; }
    if (e.key === "Tab" && !e.shiftKey && !escaped && !script.readOnly) {
      e.preventDefault();
      const start = script.selectionStart;
      script.setRangeText("    ", start, script.selectionEnd, "end");
      draw();
    }
    escaped = false;
  });
  script.markLine = (line) => {
    badLine = line;
    draw();
    if (line) {
      script.setAttribute("aria-invalid", "true");
      const lines = script.value.split("\n");
      let offset = 0;
      for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
      script.focus();
      script.setSelectionRange(offset, offset + (lines[line - 1] || "").length);
    }
  };
  draw();
}

function setupRotationPicker() {
  const pick = document.getElementById("rotation-pick");
  const data = document.getElementById("rotations");
  const script = document.getElementById("script");
  const name = document.getElementById("rotation-name");
  if (!pick || !data || !script) return;
  const rotations = JSON.parse(data.textContent || "[]");
  pick.addEventListener("change", () => {
    const r = rotations.find((x) => String(x.id) === pick.value);
    if (!r) return;
    script.value = r.script;
    if (name) name.value = r.name;
    script.dispatchEvent(new Event("input"));
  });
}

// Another spec pack starts from its own character and rotation.
function setupPackPicker() {
  const pick = document.querySelector('#sim-form select[name="pack"]');
  if (!pick) return;
  pick.addEventListener("change", () => {
    window.location.assign("/simulate?pack=" + encodeURIComponent(pick.value));
  });
}

function setupAccess() {
  for (const select of document.querySelectorAll('select[name="access"]')) {
    const form = select.form;
    const show = () => {
      const users = form.querySelector(".access-users");
      const group = form.querySelector(".access-group");
      if (users) users.hidden = select.value !== "users";
      if (group) group.hidden = select.value !== "group";
    };
    select.addEventListener("change", show);
    show();
  }
}

function setupTest() {
  const button = document.getElementById("test-button");
  const out = document.getElementById("test-result");
  const form = document.getElementById("sim-form");
  const script = document.getElementById("script");
  if (!button || !out || !form) return;
  button.addEventListener("click", async () => {
    button.disabled = true;
    out.className = "";
    out.textContent = "Testing…";
    try {
      const body = new URLSearchParams(new FormData(form));
      const response = await fetch("/simulate/test", { method: "POST", body, credentials: "same-origin" });
      if (!response.ok) throw new Error("the sentinel answered " + response.status);
      const r = await response.json();
      if (r.outcome === "dps") {
        out.className = "ok";
        out.textContent = `${Math.round(r.mean)} DPS ± ${Math.round(r.error)} (${r.iterations} iterations)`;
        if (script && script.markLine) script.markLine(null);
      } else {
        out.className = "bad";
        out.textContent = (r.line ? `Line ${r.line}, column ${r.column}: ` : "") + r.message;
        if (script && script.markLine && r.line) script.markLine(r.line);
      }
    } catch (e) {
      out.className = "bad";
      out.textContent = "The test did not run: " + e.message;
    } finally {
      button.disabled = false;
    }
  });
}

function setupLive() {
  const live = document.getElementById("live");
  if (!live || !window.EventSource) return;
  const status = live.dataset.status;
  if (status !== "pending" && status !== "running") return;
  const source = new EventSource(live.dataset.events);
  const update = (p) => {
    const bar = document.getElementById("progress");
    bar.max = p.iterations;
    bar.value = p.progress;
    document.getElementById("progress-text").textContent =
      `${p.progress} / ${p.iterations} iterations (${p.percent} %)`;
    const s = document.getElementById("status");
    s.textContent = p.status;
    s.className = "status " + p.status;
    document.getElementById("nodes").textContent = p.nodes;
    document.getElementById("verification").textContent = p.verification;
  };
  source.addEventListener("progress", (e) => update(JSON.parse(e.data)));
  source.addEventListener("done", (e) => {
    update(JSON.parse(e.data));
    source.close();
    window.location.reload();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setupEditor();
  setupRotationPicker();
  setupPackPicker();
  setupAccess();
  setupTest();
  setupLive();
});
