"""The HTTP call the service benchmarks make against `assay serve` (stdlib only)."""
import json
import urllib.request


def request(base, method, path, key=None, body=None, headers=None, timeout=600):
    """One API call: a dict/list body goes as JSON, bytes as they are; returns (status, JSON or bytes)."""
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    req = urllib.request.Request(base + path, data=data, method=method)
    if key:
        req.add_header("Authorization", f"Bearer {key}")
    if isinstance(body, (dict, list)):
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        text = r.read()
        return r.status, (json.loads(text) if text[:1] in (b"{", b"[") else text)
