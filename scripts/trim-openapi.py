#!/usr/bin/env python3
"""Trim Attio's OpenAPI document to the operations this bundle uses.

The simulator validates every request against the result, so the build and the tests never need
../shared. Usage: scripts/trim-openapi.py [SOURCE] [TARGET]; paths default to the repo layout.
Run it again whenever Attio publishes a new document and commit the output.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SOURCE = os.path.join(ROOT, "..", "shared", "attio-openapi.json")
DEFAULT_TARGET = os.path.join(ROOT, "src", "main", "resources", "attio", "openapi-trimmed.json")

# path -> methods the bundle (gateway, simulator, sandbox) calls
KEEP = {
    "/v2/self": ["get"],
    "/v2/objects": ["get"],
    "/v2/objects/{object}": ["get"],
    "/v2/{target}/{identifier}/attributes": ["get"],
    "/v2/{target}/{identifier}/attributes/{attribute}": ["get"],
    "/v2/{target}/{identifier}/attributes/{attribute}/options": ["get"],
    "/v2/{target}/{identifier}/attributes/{attribute}/statuses": ["get"],
    "/v2/objects/{object}/records/query": ["post"],
    "/v2/objects/{object}/records": ["post", "put"],
    "/v2/objects/{object}/records/{record_id}": ["get", "patch", "put", "delete"],
    "/v2/objects/{object}/records/{record_id}/entries": ["get"],
    "/v2/objects/records/search": ["post"],
    "/v2/lists": ["get"],
    "/v2/lists/{list}": ["get"],
    "/v2/lists/{list}/entries/query": ["post"],
    "/v2/lists/{list}/entries": ["post", "put"],
    "/v2/lists/{list}/entries/{entry_id}": ["get", "patch", "put", "delete"],
    "/v2/notes": ["get", "post"],
    "/v2/notes/{note_id}": ["get"],
    "/v2/tasks": ["get", "post"],
    "/v2/tasks/{task_id}": ["get"],
    "/v2/comments": ["post"],
    "/v2/comments/{comment_id}": ["get"],
    "/v2/threads": ["get"],
    "/v2/workspace_members": ["get"],
    "/v2/webhooks": ["get", "post"],
    "/v2/webhooks/{webhook_id}": ["get", "patch", "delete"],
}
PATH_ITEM_SHARED = ("parameters", "summary", "description", "servers")


def refs(node, found):
    """Collect every local $ref below node."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            found.add(ref)
        for value in node.values():
            refs(value, found)
    elif isinstance(node, list):
        for value in node:
            refs(value, found)
    return found


def resolve(doc, ref):
    node = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def trim(doc):
    paths = {}
    for path, methods in KEEP.items():
        item = doc["paths"].get(path)
        if item is None:
            sys.exit(f"path {path} is missing from the source document")
        kept = {k: v for k, v in item.items() if k in PATH_ITEM_SHARED}
        for method in methods:
            if method not in item:
                sys.exit(f"{method.upper()} {path} is missing from the source document")
            kept[method] = item[method]
        paths[path] = kept

    # transitive closure of $refs, starting from the kept operations
    pending, seen = refs(paths, set()), set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        refs(resolve(doc, ref), pending)

    components = {}
    for ref in sorted(seen):
        parts = ref[2:].split("/")
        if parts[0] != "components" or len(parts) != 3:
            sys.exit(f"unexpected $ref {ref}")
        components.setdefault(parts[1], {})[parts[2]] = resolve(doc, ref)
    if "securitySchemes" in doc.get("components", {}):
        components["securitySchemes"] = doc["components"]["securitySchemes"]

    used_tags = {t for item in paths.values() for op in item.values() if isinstance(op, dict) for t in op.get("tags", [])}
    return {
        "openapi": doc["openapi"],
        "info": dict(doc["info"], description="Trimmed by scripts/trim-openapi.py to the operations the Attio Camel "
                     "bundle uses. Source: Attio's published OpenAPI document. " + doc["info"].get("description", "")),
        "servers": doc.get("servers", []),
        "security": doc.get("security", []),
        "tags": [t for t in doc.get("tags", []) if t.get("name") in used_tags],
        "paths": paths,
        "components": components,
    }


def main(argv):
    source = argv[1] if len(argv) > 1 else DEFAULT_SOURCE
    target = argv[2] if len(argv) > 2 else DEFAULT_TARGET
    with open(source, encoding="utf-8") as f:
        doc = json.load(f)
    trimmed = trim(doc)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "w", encoding="utf-8") as f:
        json.dump(trimmed, f, indent=1, sort_keys=False, ensure_ascii=False)
        f.write("\n")
    ops = sum(1 for item in trimmed["paths"].values() for k in item if k in ("get", "post", "put", "patch", "delete"))
    print(f"{target}: {len(trimmed['paths'])} paths, {ops} operations, "
          f"{sum(len(v) for k, v in trimmed['components'].items() if k != 'securitySchemes')} components")


if __name__ == "__main__":
    main(sys.argv)
