# The bulk benchmark's anchor (scripts/bench.d/bulk): the least a client can do to delete the
# same items at the same concurrency. Python's asyncio, N keep-alive connections, each sending
# `DELETE /v3/media/ID` and reading the answer, with the ids read beforehand straight from the
# store's SQLite file (no listing). Whatever time it takes beyond the latency bound is the
# server's, the loopback's and the machine's, not mediash's.
# The time it prints runs from opening the first connection to the last answer: Python's own
# start (0.1-0.2 s here) and reading the ids are left out, so the anchor is the strictest one.
# Usage: python3 delete-client.py URL KEY SECRET STORE.sqlite CONCURRENCY
# Prints "seconds S" and "deleted N"; exits non-zero unless every answer was a 204.
import asyncio
import base64
import sqlite3
import sys
import time
import urllib.parse

url, key, secret, database, concurrency = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
ids = [row[0] for row in sqlite3.connect(database).execute("SELECT id FROM media ORDER BY time_created, id")]
target = urllib.parse.urlparse(url)
authorization = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
answers = {}


async def worker(queue):
    reader, writer = await asyncio.open_connection(target.hostname, target.port)
    while queue:
        item = queue.pop()
        writer.write(f"DELETE {target.path}/{item} HTTP/1.1\r\nHost: {target.netloc}\r\nAuthorization: {authorization}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length:
            await reader.readexactly(length)
        answers[status] = answers.get(status, 0) + 1
    writer.close()


async def main():
    queue = list(reversed(ids))
    await asyncio.gather(*[worker(queue) for _ in range(concurrency)])


began = time.perf_counter()
asyncio.run(main())
print(f"seconds {time.perf_counter() - began:.3f}")
print(f"deleted {answers.get(204, 0)}")
sys.exit(0 if answers == {204: len(ids)} else 1)
