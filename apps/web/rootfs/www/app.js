// Atoll web: shows /api/status and the /api/notes collection, and adds and deletes notes.
"use strict";

const $ = (id) => document.getElementById(id);

function showError(id, message) {
  const el = $(id);
  el.textContent = message;
  el.hidden = !message;
}

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = response.status === 204 ? "" : await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error((data && data.error) || response.status + " " + response.statusText);
  return data;
}

async function refreshStatus() {
  try {
    const s = await api("GET", "/api/status");
    $("status-runtime").textContent = s.runtime;
    $("status-uptime").textContent = s.uptime_s + " s";
    $("status-requests").textContent = String(s.requests);
    $("status-connections").textContent = String(s.connections);
    $("status-build").textContent = s.build;
    showError("status-error", "");
  } catch (e) {
    showError("status-error", "status: " + e.message);
  }
}

async function refreshNotes() {
  try {
    const notes = await api("GET", "/api/notes");
    const list = $("notes");
    list.replaceChildren();
    for (const note of notes) {
      const item = document.createElement("li");
      item.className = "note";
      item.dataset.id = note.id;
      const text = document.createElement("span");
      text.textContent = note.text;
      const remove = document.createElement("button");
      remove.textContent = "delete";
      remove.addEventListener("click", async () => {
        await api("DELETE", "/api/notes/" + note.id).catch((e) => showError("notes-error", e.message));
        await refreshNotes();
      });
      item.append(text, remove);
      list.append(item);
    }
    showError("notes-error", "");
  } catch (e) {
    showError("notes-error", "notes: " + e.message);
  }
}

$("note-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("note-text");
  try {
    await api("POST", "/api/notes", { text: input.value });
    input.value = "";
    await refreshNotes();
  } catch (e) {
    showError("notes-error", e.message);
  }
  refreshStatus();
});

refreshStatus();
refreshNotes();
setInterval(refreshStatus, 2000);
