"""Reads one run of bench/alerting/run.sh: the sink's messages (smtp_sink.py) and the server's CLEF log lines, and prints
shell assignments (seconds since the Unix epoch, empty when it never happened):
  mail_fired  mail_fired_subject  mail_resolved  mail_resolved_subject  mails  (first e-mail naming RULE as FIRING / RESOLVED)
  log_pending  log_firing  log_resolved  (the evaluator's "Alert {Rule} pending/firing/resolved" lines for RULE)
Usage: python3 analyze.py MESSAGES_FILE RULE LOG_FILE...   (log files: CLEF JSON lines; other lines are skipped)"""
import json
import shlex
import sys
from datetime import datetime

messages, rule, logs = sys.argv[1], sys.argv[2], sys.argv[3:]
out = {k: "" for k in ("mail_fired", "mail_fired_subject", "mail_resolved", "mail_resolved_subject", "log_pending", "log_firing", "log_resolved")}
mails = 0
try:
    with open(messages, encoding="utf-8") as f:
        for line in f:
            m = json.loads(line)
            mails += 1
            statuses = {status for name, _, status in m["alerts"] if name == rule}
            if "FIRING" in statuses and not out["mail_fired"]:
                out["mail_fired"], out["mail_fired_subject"] = f'{m["at"]:.3f}', m["subject"]
            if "RESOLVED" in statuses and not out["mail_resolved"]:
                out["mail_resolved"], out["mail_resolved_subject"] = f'{m["at"]:.3f}', m["subject"]
except FileNotFoundError:
    pass
out["mails"] = str(mails)

events = {"Alert {Rule} pending": "log_pending", "Alert {Rule} ({Severity}) firing": "log_firing", "Alert {Rule} resolved": "log_resolved"}
for path in logs:
    try:
        f = open(path, encoding="utf-8", errors="replace")
    except FileNotFoundError:
        continue
    with f:
        for line in f:
            if not line.startswith("{") or '"Rule"' not in line:
                continue
            try:
                e = json.loads(line)
            except ValueError:
                continue
            template = e.get("@mt", "")
            for prefix, key in events.items():
                if template.startswith(prefix) and e.get("Rule") == rule and not out[key]:
                    out[key] = f'{datetime.fromisoformat(e["@t"].replace("Z", "+00:00")).timestamp():.3f}'
for key, value in out.items():
    print(f"{key}={shlex.quote(value)}")
