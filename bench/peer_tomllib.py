"""The peer of the benchmarks: the obvious hand-written check in Python, parsing every *.toml with
tomllib and reporting proxy addresses that are on more than one recipient."""
import pathlib
import sys
import tomllib

seen = {}
duplicates = 0
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.toml")):
    with open(path, "rb") as f:
        data = tomllib.load(f)
    for recipient in data.get("recipient", []):
        for address in recipient.get("proxy_addresses", []):
            key = address.lower()
            if key in seen and seen[key] != recipient.get("name"):
                duplicates += 1
            else:
                seen[key] = recipient.get("name")
print(f"{duplicates} duplicate addresses")
