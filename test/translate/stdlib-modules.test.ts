import { describe } from 'vitest'
import { differentialSuite, type Case } from './harness.js'

/**
 * The standard-library modules handlers import (hashlib, hmac, secrets, base64, urllib.parse,
 * string, collections, functools, itertools, operator), against real Python. Random values
 * (secrets) are compared by their form: length and alphabet.
 */
const cases: Case[] = [
  {
    name: 'hashlib digests, update, hexdigest and names',
    source: `import hashlib\ndef f():\n    h = hashlib.sha256()\n    h.update(b"ab")\n    h.update("c".encode())\n    return [h.hexdigest(), hashlib.md5(b"x").hexdigest(), hashlib.sha1(b"").hexdigest(), hashlib.new("sha512", b"a").hexdigest()[:16], h.name, h.digest_size, len(h.digest()), hashlib.sha256(b"abc").hexdigest() == h.hexdigest()]`,
  },
  {
    name: 'hashing a str is a TypeError',
    source: `import hashlib\ndef f():\n    return hashlib.sha256("text").hexdigest()`,
  },
  {
    name: 'hmac with a constructor or a name, compare_digest',
    source: `import hmac, hashlib\ndef f():\n    a = hmac.new(b"key", b"message", hashlib.sha256).hexdigest()\n    b = hmac.new(b"key", digestmod="sha1")\n    b.update(b"message")\n    return [a, b.hexdigest(), hmac.compare_digest(a, a), hmac.compare_digest(b"x", b"y"), hmac.digest(b"k", b"m", "md5").hex() if False else len(hmac.digest(b"k", b"m", "md5"))]`,
  },
  {
    name: 'hmac without digestmod is a TypeError',
    source: `import hmac\ndef f():\n    return hmac.new(b"key", b"message").hexdigest()`,
  },
  {
    name: 'secrets tokens have the form Python gives',
    source: `import secrets, string\ndef f():\n    t = secrets.token_hex(8)\n    u = secrets.token_urlsafe(12)\n    return [len(t), all(c in string.hexdigits for c in t), len(u), len(secrets.token_bytes()), len(secrets.token_hex()), secrets.choice(["only"]), secrets.randbelow(1), secrets.compare_digest("abc", "abc")]`,
  },
  {
    name: 'base64 round trips, url-safe alphabet, str input',
    source: `import base64\ndef f():\n    data = "héllo?>>~".encode() + b"\\x00\\xfb"\n    e = base64.b64encode(data)\n    u = base64.urlsafe_b64encode(data)\n    return [e.decode(), u.decode(), base64.b64decode(e) == data, base64.urlsafe_b64decode(u.decode()) == data, base64.b64decode("aGVs bG8=\\n").decode(), base64.b16encode(b"hi").decode(), base64.b64decode(b"aGVsbG8") if False else base64.standard_b64encode(b"a").decode()]`,
  },
  {
    name: 'base64 padding errors are binascii errors (ValueError)',
    source: `import base64\ndef f():\n    out = []\n    for text in ["aGVsbG8", "a", "abcde", "YQ=="]:\n        try:\n            out.append(base64.b64decode(text).decode())\n        except ValueError as e:\n            out.append([isinstance(e, ValueError), str(e)])\n    return out`,
  },
  {
    name: 'urllib.parse quoting',
    source: `from urllib.parse import quote, quote_plus, unquote, unquote_plus\ndef f():\n    return [quote("a b/c?d=é&"), quote("a b/c", safe=""), quote_plus("a b&c=d/é"), unquote("%E2%82%AC%20x%2"), unquote_plus("a+b%2Bc"), unquote("%ff"), quote("~._-")]`,
  },
  {
    name: 'urlencode with doseq, numbers and None',
    source: `from urllib.parse import urlencode\ndef f():\n    return [urlencode({"q": "a b", "n": 3, "x": None, "t": "é&"}), urlencode([("a", 1), ("a", 2)]), urlencode({"k": [1, 2]}, doseq=True), urlencode({"k": [1, 2]}), urlencode({"k": "ab"}, doseq=True)]`,
  },
  {
    name: 'parse_qs and parse_qsl',
    source: `from urllib.parse import parse_qs, parse_qsl\ndef f():\n    return [parse_qs("a=1&a=2&b=x+y&c=&d"), parse_qs("a=1&c=&d", keep_blank_values=True), parse_qsl("a=%20b&&c=d=e"), parse_qsl("x;y=1", separator=";")]`,
  },
  {
    name: 'string constants',
    source: `import string\nfrom string import ascii_lowercase, digits, punctuation\ndef f():\n    return [string.ascii_letters, ascii_lowercase, digits, punctuation, string.whitespace, len(string.printable), string.hexdigits, string.ascii_uppercase]`,
  },
  {
    name: 'defaultdict with builtin and lambda factories',
    source: `from collections import defaultdict\ndef f():\n    groups = defaultdict(list)\n    for word in ["apple", "avocado", "banana"]:\n        groups[word[0]].append(word)\n    counts = defaultdict(int)\n    for ch in "hello":\n        counts[ch] += 1\n    nested = defaultdict(lambda: {"n": 0})\n    nested["x"]["n"] += 2\n    return [groups, counts, repr(groups), repr(counts), nested, isinstance(groups, dict), "z" in groups, len(groups), groups.get("q"), str(dict(counts))]`,
  },
  {
    name: 'defaultdict without factory raises KeyError',
    source: `from collections import defaultdict\ndef f():\n    d = defaultdict(None, {"a": 1})\n    return [d["a"], d.get("b", 0), d["b"]]`,
  },
  {
    name: 'Counter counts, most_common, update, subtract, missing keys',
    source: `from collections import Counter\ndef f():\n    c = Counter("abracadabra")\n    c.update(["a", "z"])\n    c.subtract({"b": 1})\n    words = Counter({"x": 2})\n    return [c.most_common(2), c["a"], c["missing"], "missing" in c, repr(c), c.total(), sorted(c.elements())[:4], repr(Counter()), words, c.most_common()[-1], dict(c)]`,
  },
  {
    name: 'OrderedDict move_to_end and popitem',
    source: `from collections import OrderedDict\ndef f():\n    d = OrderedDict()\n    d["a"] = 1\n    d["b"] = 2\n    d["c"] = 3\n    d.move_to_end("a")\n    d.move_to_end("c", False)\n    first = d.popitem(False)\n    return [list(d.keys()), first, repr(d), repr(OrderedDict()), d]`,
  },
  {
    name: 'deque append, popleft, maxlen, rotate and errors',
    source: `from collections import deque\ndef f():\n    d = deque([1, 2, 3], maxlen=3)\n    d.append(4)\n    d.appendleft(0)\n    d.rotate(1)\n    out = [list(d), repr(d), len(d), d[0], d[-1], 2 in d, d.popleft(), d.pop(), repr(deque()), bool(deque())]\n    try:\n        deque().popleft()\n    except IndexError as e:\n        out.append(str(e))\n    return out`,
  },
  {
    name: 'functools.reduce and partial',
    source: `from functools import reduce, partial\nimport functools\ndef power(base, exp):\n    return base ** exp\ndef f():\n    square = partial(power, 3)\n    return [reduce(lambda a, b: a * b, [1, 2, 3, 4]), functools.reduce(lambda a, b: a + b, [], 10), square(2), reduce(lambda a, b: a if a > b else b, [3, 9, 2])]`,
  },
  {
    name: 'reduce of an empty iterable is a TypeError',
    source: `from functools import reduce\ndef f():\n    return reduce(lambda a, b: a + b, [])`,
  },
  {
    name: 'itertools building blocks',
    source: `import itertools\nfrom itertools import chain, islice, groupby\ndef f():\n    return [list(chain([1, 2], (3,), "ab")), list(islice(itertools.count(5, 2), 3)), list(islice(range(10), 2, 8, 3)), [(k, list(g)) for k, g in groupby("aabccc")], list(itertools.product("ab", [1, 2])), list(itertools.product([0, 1], repeat=2)), list(itertools.permutations([1, 2, 3], 2)), list(itertools.combinations("abcd", 2)), list(itertools.accumulate([1, 2, 3, 4])), list(itertools.zip_longest([1, 2, 3], "ab", fillvalue="-")), list(itertools.chain.from_iterable([[1], [2, 3]])), list(itertools.takewhile(lambda x: x < 3, [1, 2, 5, 1])), list(itertools.dropwhile(lambda x: x < 3, [1, 2, 5, 1])), list(itertools.pairwise([1, 2, 3])), list(itertools.compress("abc", [1, 0, 1])), list(itertools.repeat("x", 2)), list(itertools.starmap(lambda a, b: a ** b, [(2, 3)]))]`,
  },
  {
    name: 'groupby with a key over sorted records',
    source: `from itertools import groupby\ndef f():\n    rows = [{"team": "a", "n": 1}, {"team": "a", "n": 2}, {"team": "b", "n": 3}]\n    return {team: sum(r["n"] for r in members) for team, members in groupby(rows, key=lambda r: r["team"])}`,
  },
  {
    name: 'operator.itemgetter and attrgetter as sort keys',
    source: `from operator import itemgetter\nimport operator\ndef f():\n    rows = [{"name": "b", "age": 3}, {"name": "a", "age": 3}, {"name": "c", "age": 1}]\n    pairs = [(2, "x"), (1, "y")]\n    return [sorted(rows, key=itemgetter("age", "name")), sorted(pairs, key=itemgetter(0)), max(pairs, key=operator.itemgetter(1)), itemgetter(1, 0)(pairs[0])]`,
  },
  {
    name: 'logging: loggers by name, levels, %-formatted messages',
    source: `import logging\nlog = logging.getLogger(__name__)\ndef f():\n    other = logging.getLogger("audit")\n    other.setLevel(logging.DEBUG)\n    result = [log.name == __name__, log.getEffectiveLevel(), log.isEnabledFor(logging.INFO), other.getEffectiveLevel(), other.isEnabledFor(logging.DEBUG), logging.getLogger("audit") is other, log.warning("disk %d%% full", 93), log.info("not shown %s", "x"), logging.error("root %s", "error"), logging.ERROR]\n    try:\n        other.setLevel("LOUD")\n    except ValueError as e:\n        result.append(str(e))\n    return result`,
  },
  {
    name: 'functools.lru_cache and cache: results, recursion through the cache, cache_info',
    source: `import functools\nfrom functools import lru_cache\n\n@lru_cache(maxsize=None)\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\n@functools.lru_cache(maxsize=2)\ndef square(n):\n    return n * n\n\n@functools.cache\ndef label(x):\n    return f"<{x}>"\n\n@lru_cache\ndef plain(x):\n    return x\n\ndef f():\n    a = fib(70)\n    info = fib.cache_info()\n    for n in [1, 2, 1, 3, 1, 2]:\n        square(n)\n    s = square.cache_info()\n    square.cache_clear()\n    try:\n        label([1])\n    except TypeError as e:\n        err = str(e)\n    return [a, info.hits, info.misses, info.currsize, repr(s), repr(square.cache_info()), label(1), label(1.0), err, plain(3), repr(plain.cache_info())]`,
  },
  {
    name: 'map() and filter(), lazy as in Python',
    source: `def f():\n    seen = []\n    def note(x):\n        seen.append(x)\n        return x * 2\n    lazy = map(note, [1, 2, 3])\n    before = list(seen)\n    first = next(lazy)\n    return [before, first, list(lazy), seen, list(map(str, [1, 2])), list(map(lambda a, b: a + b, [1, 2, 3], [10, 20])), list(filter(None, [0, 1, "", "a", None, []])), list(filter(lambda n: n % 2, range(6))), sorted(map(len, ["aa", "b"]))]`,
  },
]

describe('standard-library modules behave as in Python', async () => {
  await differentialSuite(cases)
})
