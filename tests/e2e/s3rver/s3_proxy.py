#!/usr/bin/python3
"""An HTTP proxy in front of s3rver for topicfs's tiered-storage tests.

s3rver checks the access key of a SigV4 request but not its signature, so
this proxy checks every signature with botocore (AWS's own signer), as S3
does, and answers 403 SignatureDoesNotMatch when it is wrong. It also
injects the faults a real object store has, as told by the file CONTROL
(read before every request, one word and a number):

    fail500 N   the next N requests get a 500
    slow MS     every request waits MS milliseconds first
    ok          (or no file) requests pass through

Usage: s3_proxy.py UPSTREAM_PORT SECRET CONTROL
Prints "listening PORT" once it accepts connections.
"""

import hashlib
import http.client
import http.server
import os
import re
import sys
import threading
import time

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

UPSTREAM_PORT = int(sys.argv[1])
SECRET = sys.argv[2]
CONTROL = sys.argv[3]
LOCK = threading.Lock()

AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request, "
    r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$")


def take_fault():
    """The fault for this request: ('fail500', n), ('slow', ms) or None."""
    with LOCK:
        try:
            with open(CONTROL) as f:
                word, _, number = f.read().strip().partition(" ")
        except FileNotFoundError:
            return None
        if word == "fail500" and int(number) > 0:
            with open(CONTROL, "w") as f:
                f.write(f"fail500 {int(number) - 1}\n")
            return ("fail500", 0)
        if word == "slow":
            return ("slow", int(number))
    return None


def signature_problem(method, target, headers, body):
    """None when the request is signed as S3 would accept it, else why not."""
    m = AUTH_RE.match(headers.get("Authorization", ""))
    if not m:
        return "no SigV4 Authorization header"
    access_key, _, region, signed, signature = m.groups()
    claimed = headers.get("x-amz-content-sha256", "")
    if claimed != "UNSIGNED-PAYLOAD" and claimed != hashlib.sha256(body).hexdigest():
        return "x-amz-content-sha256 is not the SHA-256 of the body"
    names = signed.split(";")
    request = AWSRequest(method=method, url="http://" + headers["Host"] + target,
                         data=body, headers={n: headers[n] for n in names if n != "host"})
    request.context["timestamp"] = headers["x-amz-date"]
    signer = S3SigV4Auth(Credentials(access_key, SECRET), "s3", region)
    # botocore signs the headers it is given plus host: the same set.
    canonical = signer.canonical_request(request)
    if signer.signed_headers(signer.headers_to_sign(request)) != signed:
        return f"signed headers {signed} are not the ones sent"
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if expected != signature:
        return "signature mismatch; canonical request:\n" + canonical
    return None


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        fault = take_fault()
        if fault and fault[0] == "slow":
            time.sleep(fault[1] / 1000)
        if fault and fault[0] == "fail500":
            self.answer(500, b"<Error><Code>InternalError</Code>"
                             b"<Message>injected</Message></Error>")
            return
        problem = signature_problem(self.command, self.path, self.headers, body)
        if problem:
            sys.stderr.write(f"{self.command} {self.path}: {problem}\n")
            self.answer(403, b"<Error><Code>SignatureDoesNotMatch</Code><Message>" +
                        problem.split("\n")[0].encode() + b"</Message></Error>")
            return
        upstream = http.client.HTTPConnection("127.0.0.1", UPSTREAM_PORT, timeout=60)
        upstream.request(self.command, self.path, body=body,
                         headers={k: v for k, v in self.headers.items()})
        reply = upstream.getresponse()
        data = reply.read()
        keep = [(k, v) for k, v in reply.getheaders()
                if k.lower() not in ("content-length", "connection", "transfer-encoding")]
        upstream.close()
        self.answer(reply.status, data if self.command != "HEAD" else b"", keep)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    server.daemon_threads = True
    print(f"listening {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
