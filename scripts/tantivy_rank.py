#!/usr/bin/env python3
"""The relevance reference of SearchCorpusTests: BM25 rankings by PyPI's tantivy (scripts/search-oracles.sh).

stdin:  {"docs": [{"id", "title", "creators", "description", "keywords"}], "queries": ["w1 w2", ...], "k": 10,
         "boosts": {"title": 10, ...}}
stdout: {"results": [[id, ...], ...]}, one list per query: the top k, ties by id.

The four fields are split on what is not a letter or digit, lowercased and ASCII-folded (tantivy's `simple` tokenizer
with its filters); a query requires every word, in any field, each field's score multiplied by its boost (the same
query tantivy's own parser builds with conjunction_by_default and field_boosts).
"""
import json
import sys

import tantivy

FIELDS = ["title", "creators", "description", "keywords"]


def main():
    data = json.load(sys.stdin)
    k, boosts = data.get("k", 10), data.get("boosts", {})
    analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(40))
                .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold()).build())
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    for field in FIELDS:
        builder.add_text_field(field, tokenizer_name="folded")
    schema = builder.build()
    index = tantivy.Index(schema)
    index.register_tokenizer("folded", analyzer)
    writer = index.writer(heap_size=64_000_000, num_threads=1)
    for doc in data["docs"]:
        writer.add_document(tantivy.Document(id=str(doc["id"]), **{f: str(doc.get(f) or "") for f in FIELDS}))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()
    results = []
    for text in data["queries"]:
        musts = []
        for token in analyzer.analyze(text):
            shoulds = [(tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.term_query(schema, f, token),
                                                                         float(boosts.get(f, 1)))) for f in FIELDS]
            musts.append((tantivy.Occur.Must, tantivy.Query.boolean_query(shoulds)))
        if not musts:
            results.append([])
            continue
        hits = searcher.search(tantivy.Query.boolean_query(musts), limit=k + 200).hits
        ranked = sorted((-score, searcher.doc(address)["id"][0]) for score, address in hits)
        results.append([doc_id for _, doc_id in ranked[:k]])
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
