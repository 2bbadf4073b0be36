#!/usr/bin/env python3
"""What PyPI's `signposting` finds at a URL, as JSON on standard output (for the tests to check).

  signposting_check.py URL              the Link header of GET URL
  signposting_check.py --linkset URL    the linkset document at URL (application/linkset+json), for its first
                                        context (the record)
Prints {"context", "citeAs", "describedBy": [[href, type]], "items": [[href, type]], "license", "types",
"authors", "linksets", "collection", "contexts"}; exits 1 when the library finds no signposts.
"""
import json
import sys
import urllib.request

import signposting


def summary(found, contexts=()):
    def pairs(signposts):
        return sorted([str(s.target), s.type and str(s.type)] for s in signposts)
    return {
        "context": found.context and str(found.context),
        "citeAs": found.citeAs and str(found.citeAs.target),
        "describedBy": pairs(found.describedBy),
        "items": pairs(found.items),
        "license": found.license and str(found.license.target),
        "types": sorted(str(s.target) for s in found.types),
        "authors": sorted(str(s.target) for s in found.authors),
        "linksets": pairs(found.linksets),
        "collection": found.collection and str(found.collection.target),
        "contexts": sorted(str(c) for c in contexts),
    }


def main(args):
    if args[0] == "--linkset":
        everything = signposting.find_signposting_linkset(args[1])
        record = json.load(urllib.request.urlopen(args[1]))["linkset"][0]["anchor"]
        found = everything.for_context(record)
        result = summary(found, everything.other_contexts | {everything.context} - {None})
        # A file's own context: the record it belongs to.
        files = sorted(everything.other_contexts - {record})
        if files:
            result["file_collection"] = str(everything.for_context(files[0]).collection.target)
    else:
        with urllib.request.urlopen(args[0]) as response:
            headers = response.headers.get_all("Link") or []
        found = signposting.find_signposting_http_link(headers, args[0])
        result = summary(found)
    print(json.dumps(result))
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
