"""The page in headless Chromium: it must show the server status and add a note through the API.

usage: browser.py URL
Chromium is driven over --remote-debugging-pipe (the DevTools protocol on fds 3 and 4): the
script reads the rendered DOM, types a note, clicks Add, and waits for the note in the list.
"""
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

URL = sys.argv[1]


class Browser:
    def __init__(self):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        self.profile = tempfile.TemporaryDirectory(ignore_cleanup_errors=True)

        def fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--remote-debugging-pipe", "--user-data-dir=" + self.profile.name, "about:blank"],
            preexec_fn=fds, pass_fds=(3, 4, to_chrome_r, from_chrome_w), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.next_id = 0
        self.pending = b""

    def call(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self.pending:
                chunk = os.read(self.from_chrome, 65536)
                if not chunk:
                    raise RuntimeError("chromium exited")
                self.pending += chunk
            raw, _, self.pending = self.pending.partition(b"\0")
            reply = json.loads(raw)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply["result"]

    def close(self):
        # Chromium's helper processes share its session: end them all before removing the profile.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.profile.cleanup()


def main():
    b = Browser()
    try:
        target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        b.call("Page.enable", session=session)
        b.call("Page.navigate", {"url": URL}, session=session)

        def evaluate(expression):
            result = b.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
            return result["result"].get("value")

        def wait_for(expression, what, seconds=60):
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                value = evaluate(expression)
                if value:
                    return value
            raise SystemExit("FAIL browser: %s (page: %s)" % (what, evaluate("document.body && document.body.innerText")))

        runtime = wait_for("(() => { const t = document.getElementById('status-runtime'); "
                           "return t && t.textContent !== '\u2026' ? t.textContent : ''; })()",
                           "the status never appeared")
        requests = evaluate("document.getElementById('status-requests').textContent")
        print("ok   page shows status: runtime=%s requests=%s" % (runtime, requests))
        if runtime not in ("linux", "container", "vm", "unikernel") or not requests.isdigit():
            raise SystemExit("FAIL browser: odd status %r %r" % (runtime, requests))
        text = "note from chromium %d" % os.getpid()
        evaluate("document.getElementById('note-text').value = %s; "
                 "document.getElementById('note-add').click(); true" % json.dumps(text))
        wait_for("[...document.querySelectorAll('#notes li span')].some(e => e.textContent === %s)" % json.dumps(text),
                 "the new note never appeared in the list")
        print("ok   page created a note and lists it")
        # The note is on the server, not only in the page.
        u = urllib.parse.urlparse(URL)
        conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=10)
        conn.request("GET", "/api/notes")
        notes = json.loads(conn.getresponse().read())
        if not any(n["text"] == text for n in notes):
            raise SystemExit("FAIL browser: the server has no note %r" % text)
        print("ok   the server holds the note the page created")
    finally:
        b.close()


if __name__ == "__main__":
    main()
