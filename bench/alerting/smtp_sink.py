"""SMTP sink for bench/alerting/run.sh: accepts every message on 127.0.0.1 and appends one JSON line per message to a file:
{"at": arrival time (Unix seconds, millisecond precision), "subject": ..., "to": [...], "alerts": [[rule, severity, status], ...]}
(the alerts are read from the body's "Rule (P0, area): FIRING" lines). Writes the port it listens on to a file once ready.
Usage: python3 smtp_sink.py MESSAGES_FILE PORT_FILE   (Debian's python3-aiosmtpd)"""
import asyncio
import email
import email.policy
import json
import os
import re
import sys
import time

from aiosmtpd.smtp import SMTP

ALERT_LINE = re.compile(r"^(\w+) \((P\d), [^)]*\): (\w+)\s*$", re.MULTILINE)


class Recorder:
    def __init__(self, path):
        self.path = path

    async def handle_DATA(self, server, session, envelope):
        at = time.time()
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        part = message.get_body(preferencelist=("plain",)) if message.is_multipart() else message
        body = part.get_content() if part is not None else ""
        record = {
            "at": round(at, 3),
            "subject": str(message.get("Subject", "")),
            "to": list(envelope.rcpt_tos),
            "alerts": [list(m) for m in ALERT_LINE.findall(body)],
        }
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        return "250 OK"


async def main(messages, port_file):
    loop = asyncio.get_running_loop()
    handler = Recorder(messages)
    server = await loop.create_server(lambda: SMTP(handler, hostname="bench-sink"), "127.0.0.1", 0)
    with open(port_file + ".tmp", "w", encoding="utf-8") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    os.replace(port_file + ".tmp", port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1], sys.argv[2]))
    except KeyboardInterrupt:
        pass
