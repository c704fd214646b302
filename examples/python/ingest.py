#!/usr/bin/env python3
"""An ingest service in Python 3, with nothing but its standard library: it publishes a row-data
item and raises an alarm over HTTP, and prints the server's answers. PULSE_URL is the server
(default http://127.0.0.1:8000), PULSE_INGEST_KEY its ingest key when auth is on. It exits 1 when
the server refuses or cannot be reached.

    python3 examples/python/ingest.py
"""
import json
import os
import sys
import urllib.error
import urllib.request
import uuid

BASE = os.environ.get("PULSE_URL", "http://127.0.0.1:8000").rstrip("/")
KEY = os.environ.get("PULSE_INGEST_KEY")


class Refused(Exception):
    """The server's answer other than success, with its {code, message}."""


def post(path, body):
    """Send body to path and return the answer's data; a refusal raises Refused.

    The Idempotency-Key makes a retry of the same bytes safe: a service that retries sends the
    same key again (docs/PROTOCOL.md, "Retries: Idempotency-Key").
    """
    headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
    if KEY:
        headers["Authorization"] = "Bearer " + KEY
    request = urllib.request.Request(BASE + path, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as err:  # 4xx and 5xx: the body says why
        status, text = err.code, err.read().decode()
    try:
        answer = json.loads(text)
    except ValueError:
        raise Refused("HTTP %d: %s" % (status, text[:200]))
    if status != 200 or answer.get("code") != 0:
        raise Refused("pulse refused: HTTP %d, code %s: %s" % (status, answer.get("code"), answer.get("message")))
    return answer["data"]


def main():
    try:
        rows = post("/api/v1/rowdata", {
            "businessType": "example", "businessId": "python", "data": {"voltage": 229.8, "current": 4.2},
        })
        print("row data: accepted %d" % rows["accepted"])
        alarms = post("/api/v1/alarm", {
            "alarmId": "over-voltage", "businessType": "example", "businessId": "python",
            "level": "critical", "title": "Over-voltage", "content": "voltage 262 V > 250 V", "data": {"limit": 250},
        })
        receipt = alarms["items"][0]
        print("alarm: %s stored, seq %d" % (receipt["alarmId"], receipt["seq"]))
    except (Refused, urllib.error.URLError, OSError) as err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
