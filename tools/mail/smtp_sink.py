#!/usr/bin/env python3
"""A real SMTP server for the tests: accepts every message on 127.0.0.1 and writes each one to a
folder, as the raw message (N.eml) and its decoded parts (N.json: from, to, subject, headers, text,
html). Prints "ready PORT" once it listens; stops when its standard input closes (the test process
that started it ended). With --fail-first N it answers the first N messages with 451 (a server that
is down for a while), so retries can be tested against the same real server."""
import argparse
import asyncio
import email
import email.policy
import json
import os
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, folder, fail_first):
        self.folder = folder
        self.fail_left = fail_first
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if self.fail_left > 0:
            self.fail_left -= 1
            return "451 4.3.0 try again later"
        self.count += 1
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        parsed = {
            "from": envelope.mail_from,
            "to": list(envelope.rcpt_tos),
            "subject": str(msg.get("Subject", "")),
            "headers": {k: str(v) for k, v in msg.items()},
            "content_type": msg.get_content_type(),
            "text": text.get_content() if text is not None else "",
            "html": html.get_content() if html is not None else "",
        }
        name = f"{self.count:04d}"
        with open(os.path.join(self.folder, name + ".eml"), "wb") as f:
            f.write(raw)
        tmp = os.path.join(self.folder, name + ".json.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(parsed, f, ensure_ascii=False)
        os.replace(tmp, os.path.join(self.folder, name + ".json"))
        return "250 OK"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fail-first", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    sink = Sink(args.dir, args.fail_first)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="sink.test", ident="agora test sink"), "127.0.0.1", args.port
    )
    port = server.sockets[0].getsockname()[1]
    print(f"ready {port}", flush=True)
    # Runs until stdin closes: the test process that owns the sink has ended.
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
