"""Writes Sources/vellum/Resources/vellum.magic: the entries of file(1)'s magic sources that can name a MIME type
(the entry, or a named entry it uses, carries `!:mime`), with the named entries they use.

In MIME mode an entry without `!:mime` can only answer the default type, yet libmagic tries every entry: on 4 KiB
of binary data Debian's full database took about 320 us a call on the benchmark machine and this subset about
140 us (and in the daemon, where the full 8 MB database also crowds the caches, small PUTs used about a quarter
less CPU). Over 3,000 files of a Debian system, no file got a less specific type; 23 text files got a more
specific one (text/x-c, text/x-ruby, application/javascript instead of text/plain).

Regenerate from the source package of the libmagic in use (Debian 12: file 5.44-3, with its patches applied):
    apt-get source file
    python3 scripts/magic-subset.py file-5.44/magic/Magdir Sources/vellum/Resources/vellum.magic
"""
import os, re, sys
src = sys.argv[1]; out = sys.argv[2]
blocks = []  # (file, lines, name_defined, uses, has_mime)
for fn in sorted(os.listdir(src)):
    cur = None
    for line in open(os.path.join(src, fn), encoding='latin-1'):
        s = line.rstrip('\n')
        if not s.strip() or s.lstrip().startswith('#'):
            continue
        if re.match(r'^[^>!\s]', s) and not s.startswith('!:'):
            cur = {'file': fn, 'lines': [], 'name': None, 'uses': set(), 'mime': False}
            blocks.append(cur)
            parts = s.split(None, 2)
            if len(parts) >= 3 and parts[1] == 'name':
                cur['name'] = parts[2].split()[0]
        if cur is None:
            continue
        cur['lines'].append(s)
        if s.startswith('!:mime'):
            cur['mime'] = True
        m = re.match(r'^>*\S+\s+use\s+\\?\^?(\S+)', s)
        if m:
            cur['uses'].add(m.group(1).lstrip('^'))
names = {b['name']: b for b in blocks if b['name']}
# a named block "has mime" if it or something it uses has mime
def has_mime(b, seen=()):
    if b['mime']: return True
    for u in b['uses']:
        if u in names and u not in seen and has_mime(names[u], seen + (u,)): return True
    return False
keep = [b for b in blocks if not b['name'] and has_mime(b)]
needed = set()
stack = [u for b in keep for u in b['uses']]
while stack:
    u = stack.pop()
    if u in needed or u not in names: continue
    needed.add(u); stack.extend(names[u]['uses'])
keep_all = [b for b in blocks if (b['name'] in needed) or (not b['name'] and has_mime(b))]
with open(out, 'w', encoding='latin-1') as f:
    for b in keep_all:
        f.write('\n'.join(b['lines']) + '\n')
print(len(blocks), 'blocks,', len(keep_all), 'kept,', len(needed), 'named')
