"""What we write, read by someone else's reader (openpyxl, Python's csv), over the API.

For every import template of contracts.md, as the city office on the demo:
  - the template opens in openpyxl: its first sheet's first row is the headers (each a
    Chinese name, required ones marked with *), and a second sheet explains them;
  - the export opens too, with the template's headers and the demo's rows under them
    (the reports of the last complete year); the CSV export has the same headers;
  - the registers' exports (organisations, pilots, reports, workers, titles, classes),
    imported again as they are, change nothing: every row is read and left unchanged.
    Contests, their results and innovation results that were run on the platform are not
    for import (the import says so, row by row): their exports are checked as files only.

Run by e2e/schemathesis.sh against its server, before schemathesis changes the data:
    python e2e/spreadsheets.py http://127.0.0.1:PORT
"""

import csv
import io
import json
import sys
import time
import urllib.error
import urllib.request
import uuid

import openpyxl

BASE = sys.argv[1].rstrip("/")
KINDS = [
    "orgs",
    "pilots",
    "reports",
    "workers",
    "designations",
    "classes",
    "contests",
    "contest_results",
    "innovations",
]
# Records decided on the platform are refused by the import (contracts.md: imported rows
# are decisions already taken elsewhere).
NOT_FOR_REIMPORT = {"contests", "contest_results", "innovations"}


def call(method, path, token=None, body=None, content_type=None):
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(BASE + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def sign_in(user):
    body = json.dumps({"username": user, "password": "gongjiang-demo"}).encode()
    status, answer = call("POST", "/api/v1/auth/login", body=body, content_type="application/json")
    assert status == 200, (status, answer[:200])
    return json.loads(answer)["token"]


def form_data(fields, file_name, data):
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
    )
    out.write(data)
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def rows_of(xlsx):
    book = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True)
    return book.sheetnames, [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def main():
    token = sign_in("city")
    last_year = time.localtime().tm_year - 1
    failures = []
    for kind in KINDS:
        # The template.
        status, xlsx = call("GET", f"/api/v1/templates/{kind}", token)
        assert status == 200, (kind, status)
        sheets, rows = rows_of(xlsx)
        headers = [h for h in rows[0] if h is not None]
        if len(sheets) < 2:
            failures.append(f"{kind}: the template has no sheet that explains it ({sheets})")
        if not headers or not all(isinstance(h, str) and h.strip() for h in headers):
            failures.append(f"{kind}: template headers {rows[0]}")
        if not any(h.endswith("*") for h in headers):
            failures.append(f"{kind}: no header is marked required: {headers}")
        if not all(any("\u4e00" <= c <= "\u9fff" for c in h) for h in headers):
            failures.append(f"{kind}: a header without its Chinese name: {headers}")

        # The export, as xlsx and csv.
        period = f"&period={last_year}" if kind == "reports" else ""
        status, xlsx = call("GET", f"/api/v1/exports/{kind}?format=xlsx{period}", token)
        assert status == 200, (kind, status)
        _, exported = rows_of(xlsx)
        if [h for h in exported[0] if h is not None] != headers:
            failures.append(f"{kind}: export headers {exported[0]} are not the template's {headers}")
        data = [r for r in exported[1:] if any(v not in (None, "") for v in r)]
        if not data:
            failures.append(f"{kind}: the demo's export has no rows")
        status, text = call("GET", f"/api/v1/exports/{kind}?format=csv{period}", token)
        assert status == 200, (kind, status)
        table = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
        if table[0] != headers:
            failures.append(f"{kind}: CSV headers {table[0]} are not the template's {headers}")
        if len(table) - 1 != len(data):
            failures.append(f"{kind}: CSV has {len(table) - 1} rows, xlsx {len(data)}")

        # Imported again as it is: nothing changes.
        if kind in NOT_FOR_REIMPORT:
            print(f"{kind}: template and export read ({len(data)} rows)")
            continue
        fields = {"kind": kind}
        if kind == "reports":
            fields["period"] = str(last_year)
        body, content_type = form_data(fields, f"{kind}.xlsx", xlsx)
        status, answer = call("POST", "/api/v1/imports", token, body, content_type)
        assert status == 202, (kind, status, answer[:300])
        job = json.loads(answer)["id"]
        for _ in range(600):
            status, answer = call("GET", f"/api/v1/imports/{job}", token)
            state = json.loads(answer)
            if state["status"] != "running":
                break
            time.sleep(0.2)
        outcome = state.get("outcome") or {}
        counts = {k: outcome.get(k) for k in ("total", "created", "updated", "unchanged")}
        if state["status"] != "done" or counts != {
            "total": len(data),
            "created": 0,
            "updated": 0,
            "unchanged": len(data),
        }:
            problems = [p["message_zh"] for p in outcome.get("problems", [])[:3]]
            failures.append(f"{kind}: re-imported export {state['status']} {counts} {problems} {state.get('error')}")
        else:
            print(f"{kind}: template and export read, {len(data)} rows re-imported unchanged")
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print("spreadsheets: every template and export opens in openpyxl; re-imports change nothing")


if __name__ == "__main__":
    main()
